package ib_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

func TestParseTicketIDs(t *testing.T) {
	ids, err := ib.ParseTicketIDs([]string{"12345", "#678", "<https://acme.zendesk.com/agent/tickets/91011>", "12345"})
	require.NoError(t, err)
	assert.Equal(t, []int64{12345, 678, 91011}, ids, "numbers, #numbers and links, each once")
	for _, bad := range [][]string{{"12a"}, {"-4"}, {"0"}, nil} {
		_, err := ib.ParseTicketIDs(bad)
		assert.Equal(t, ib.EINVALID, ib.ErrorCode(err), "%v", bad)
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = string(rune('1' + i%9))
		many[i] += string(rune('0' + i/9))
	}
	_, err = ib.ParseTicketIDs(many)
	assert.ErrorContains(t, err, "at most 20")

	typist := ib.Typist{By: alice, Now: declaredAt}
	cmd, err := ib.ParseCommand("ticket INC-20261123-K7QF 12 13", ib.S3, typist)
	require.NoError(t, err)
	assert.True(t, cmd.Is("ticket"))
	assert.Equal(t, "INC-20261123-K7QF", cmd.IncidentID)
	assert.Equal(t, []int64{12, 13}, cmd.Tickets)
	cmd, err = ib.ParseCommand("ticket waive 12 answered by phone", ib.S3, typist)
	require.NoError(t, err)
	assert.Equal(t, &ib.WaiveTicket{Ticket: 12, Reason: "answered by phone", By: alice}, cmd.Change)
}

// The follow-up after resolution: a task at once, then a reminder every
// working morning while a linked ticket is unsolved, and no close before
// every ticket is solved or waived.
func TestTicketFollowUp(t *testing.T) {
	inc := resolvedIncident(t, ib.S3)
	cre := ib.Person{SlackID: "U0CREONE"}
	for _, id := range []int64{11, 12} {
		inc.LinkTicket(ib.Ticket{ID: id, Subject: "cannot create clusters", Status: "open", LinkedAt: declaredAt, LinkedBy: alice})
	}
	assert.False(t, inc.Suggest(11), "a linked ticket is not offered")
	assert.True(t, inc.Suggest(13))
	assert.False(t, inc.Suggest(13), "offered once")

	_, ok := inc.NextReminder()
	require.True(t, ok)
	inc.Tickets.FollowUpOwner = cre
	r, _ := inc.NextReminder()
	assert.Equal(t, ib.Reminder{Kind: ib.RemindFollowUp, At: inc.ResolvedAt}, r, "the follow-up task comes at resolution")
	n := inc.Remind(r, r.At)
	assert.Equal(t, []ib.Person{cre}, n.To)
	assert.Contains(t, n.Text, "2 ticket(s) are not solved")

	_, changed := inc.TicketStatus(11, "solved", declaredAt.Add(2*time.Hour))
	assert.True(t, changed)
	_, changed = inc.TicketStatus(11, "solved", declaredAt.Add(3*time.Hour))
	assert.False(t, changed, "the same status twice is no change")

	var next ib.Reminder
	for r, _ := inc.NextReminder(); ; r, _ = inc.NextReminder() {
		if r.Kind == ib.RemindFollowUp {
			next = r
			break
		}
		inc.Remind(r, r.At)
	}
	assert.Equal(t, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), next.At, "the next working morning in the commander's zone (Berlin): the night's resolution is followed up at 09:00")
	assert.Contains(t, inc.Remind(next, next.At).Text, "1 ticket(s) are not solved")

	closing := &ib.Close{}
	require.NoError(t, inc.Check(&ib.WaivePostmortem{Reason: "small", By: alice}, next.At))
	ib.WaivePostmortem{Reason: "small", By: alice}.Apply(&inc, next.At)
	assert.ErrorContains(t, inc.Check(closing, next.At), "customer tickets 12 are not solved")
	assert.ErrorContains(t, inc.Check(&ib.WaiveTicket{Ticket: 99, Reason: "x"}, next.At), "not linked")
	waive := &ib.WaiveTicket{Ticket: 12, Reason: "customer left", By: alice}
	require.NoError(t, inc.Check(waive, next.At))
	waive.Apply(&inc, next.At)
	assert.NoError(t, inc.Check(closing, next.At))
	for r, ok := inc.NextReminder(); ok; r, ok = inc.NextReminder() {
		assert.NotEqual(t, ib.RemindFollowUp, r.Kind, "no follow-up reminder once every ticket is solved or waived")
		inc.Remind(r, r.At)
	}
}

func TestTicketMentions(t *testing.T) {
	assert.Equal(t, []string{"INC-20261123-K7QF"}, ib.IncidentMentions("Re: inc-20261123-k7qf again (INC-20261123-K7QF)"))
}
