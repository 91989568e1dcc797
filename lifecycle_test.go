package ib_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

// livedIn is an S2 declared Monday 2026-11-23 03:55 UTC under the lived-in
// rules, with an open page.
func livedIn(t *testing.T) ib.Incident {
	t.Helper()
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "Control plane API outage", Severity: ib.S2, Declarer: alice, Commander: alice}, declaredAt)
	inc.Rules = ib.Rules{LivedIn: true}
	page := &ib.SendPage{Target: "checkout", By: alice}
	require.NoError(t, inc.Check(page, declaredAt))
	inc.Make(page, declaredAt)
	inc.Paged("P1", []ib.Person{{SlackID: "U0DORA01"}, {SlackID: "U0EVE001"}}, declaredAt, declaredAt.Add(10*time.Minute))
	inc.PageSent("P1", declaredAt.Add(10*time.Minute))
	return inc
}

func resolve(t *testing.T, inc *ib.Incident, at time.Time) ib.Applied {
	t.Helper()
	r := &ib.Resolve{Summary: "reverted the change", By: alice}
	require.NoError(t, inc.Check(r, at))
	return inc.Make(r, at)
}

// A resolution stops the pages still escalating: nobody more is woken. Runs
// before the lived-in rules kept escalating, and still do.
func TestResolutionStopsEscalation(t *testing.T) {
	inc := livedIn(t)
	due, ok := inc.NextDue(ib.Settings{})
	require.True(t, ok)
	assert.Equal(t, ib.DueEscalation, due.Kind)

	a := resolve(t, &inc, declaredAt.Add(5*time.Minute))
	p, _ := inc.Page("P1")
	assert.False(t, p.Open())
	require.Len(t, a.Also, 1)
	assert.Contains(t, a.Also[0].Text, "Page P1 stopped")
	assert.Contains(t, a.Owed, ib.Owed{Kind: ib.OwePager, Ref: "P1", Action: ib.PagerResolve})
	if due, ok := inc.NextDue(ib.Settings{}); ok {
		assert.NotEqual(t, ib.DueEscalation, due.Kind)
	}

	old := livedIn(t)
	old.Rules = ib.Rules{}
	resolve(t, &old, declaredAt.Add(5*time.Minute))
	due, ok = old.NextDue(ib.Settings{})
	assert.True(t, ok && due.Kind == ib.DueEscalation, "a run recorded before replays as it ran")
}

// Facts set after the resolution are corrections; notes are not. A resolved
// incident can be reopened, its postmortem stage set aside.
func TestCorrectionsAndReopen(t *testing.T) {
	inc := livedIn(t)
	resolve(t, &inc, declaredAt.Add(time.Hour))
	inc.PlanPostmortem(ib.PostmortemPolicy{}, "UTC")
	size := &ib.SetImpactSize{Count: 1234, Unit: "failed requests", By: alice}
	require.NoError(t, inc.Check(size, declaredAt.Add(2*time.Hour)))
	assert.True(t, inc.Make(size, declaredAt.Add(2*time.Hour)).Event.Correction)
	note := &ib.AddNote{Text: "counted from the load balancer's logs", By: alice}
	assert.False(t, inc.Make(note, declaredAt.Add(2*time.Hour)).Event.Correction)
	assert.Error(t, inc.Check(&ib.SetSeverity{Severity: ib.S1, By: alice}, declaredAt.Add(2*time.Hour)), "the severity is the response's")

	reopen := &ib.Reopen{Reason: "errors are back", By: alice}
	require.NoError(t, inc.Check(reopen, declaredAt.Add(3*time.Hour)))
	a := inc.Make(reopen, declaredAt.Add(3*time.Hour))
	assert.Equal(t, ib.EventReopened, a.Event.Kind)
	assert.Equal(t, ib.Investigating, inc.Status)
	assert.True(t, inc.Postmortem.StartAt.IsZero() && inc.ResolvedAt.IsZero())
	_, due := inc.NextReminder()
	assert.False(t, due, "no postmortem reminder while it is active again")
	assert.ErrorContains(t, inc.Check(reopen, declaredAt.Add(3*time.Hour)), "not resolved")
	assert.False(t, inc.Make(size, declaredAt.Add(4*time.Hour)).Event.Correction, "active again: news, not a correction")
}

// The postmortem stage begins on the first working morning at least a rest
// after the resolution, and after the recovery of anyone paged off-hours.
func TestPostmortemWaitsForRest(t *testing.T) {
	monday := time.Date(2026, 11, 23, 4, 7, 0, 0, time.UTC) // 05:07 in Berlin
	plan := func(inc ib.Incident) time.Time {
		inc.PlanPostmortem(ib.PostmortemPolicy{Rest: 12 * time.Hour}, "Europe/Berlin")
		return inc.Postmortem.StartAt
	}
	inc := livedIn(t)
	resolve(t, &inc, monday)
	assert.Equal(t, time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), plan(inc), "Tuesday 09:00 in Berlin, not Monday's")

	dora := ib.Person{SlackID: "U0DORA01"}
	inc.RecordOffHours(ib.OffHoursPage{Page: "P1", Person: dora, At: declaredAt, Zone: "Europe/Berlin",
		RemindAt: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), RecoveredAt: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)})
	assert.Equal(t, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), plan(inc), "after Tuesday morning's recovery: Wednesday")
	assert.Equal(t, []ib.Person{dora}, inc.Recovering(time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)))
	assert.Empty(t, inc.Recovering(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)))

	friday := livedIn(t)
	resolve(t, &friday, time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), plan(friday), "a Friday night's incident waits for Monday")

	old := livedIn(t)
	old.Rules = ib.Rules{}
	resolve(t, &old, monday)
	assert.Equal(t, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), plan(old), "runs recorded before keep their plan")
}

// Slack's markup reads as what people typed; people are named as Slack
// sends them, or found by the name typed.
func TestSlackMarkupAndPeople(t *testing.T) {
	assert.Equal(t, "ask @bob about the dashboard (https://x.example/d) in #ops & @here, <b>",
		ib.CleanText("ask <@U0BOBBY|bob> about <https://x.example/d|the dashboard> in <#C0OPS|ops> &amp; <!here>, &lt;b&gt;"))
	assert.Equal(t, "@U0BOBBY and https://x.example", ib.CleanText("<@U0BOBBY> and <https://x.example>"))

	find := func(name string) (string, error) {
		if name == "dora" {
			return "U0DORA01", nil
		}
		return "", ib.Errorf(ib.EINVALID, "Nobody goes by @%s", name)
	}
	typist := ib.Typist{By: alice, Now: declaredAt, Find: find}
	for text, want := range map[string]string{"page @dora hi": "U0DORA01", "page <@U0DORA01|dora> hi": "U0DORA01", "page <@U0DORA01> hi": "U0DORA01", "page checkout hi": "checkout"} {
		cmd, err := ib.ParseCommand(text, ib.S3, typist)
		if assert.NoError(t, err, text) {
			assert.Equal(t, want, cmd.Change.(*ib.SendPage).Target, text)
		}
	}
	_, err := ib.ParseCommand("page @eve hi", ib.S3, typist)
	assert.ErrorContains(t, err, "Nobody goes by @eve")
	_, err = ib.ParseCommand("commander @dora", ib.S3, ib.Typist{By: alice, Now: declaredAt})
	assert.ErrorContains(t, err, "mention the person", "without Slack, a typed name is refused")
	cmd, err := ib.ParseCommand("link <https://grafana.example/d/y|Latency> p99", ib.S3, typist)
	require.NoError(t, err)
	assert.Equal(t, "https://grafana.example/d/y", cmd.Change.(*ib.AddLink).URL)
}

// A page's message held up (its lane busy, a worker gone) does not cost its
// person their turn: the wait for an acknowledgement starts once it is sent.
func TestPageWaitsFromItsMessage(t *testing.T) {
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "Control plane API outage", Severity: ib.S2, Declarer: alice, Commander: alice}, declaredAt)
	inc.Rules = ib.Rules{LivedIn: true}
	inc.Make(&ib.SendPage{Target: "checkout", By: alice}, declaredAt)
	inc.Paged("P1", []ib.Person{{SlackID: "U0DORA01"}, {SlackID: "U0EVE001"}}, declaredAt, declaredAt.Add(10*time.Minute))
	_, due := inc.NextDue(ib.Settings{})
	assert.False(t, due, "no escalation before the message is sent")

	sent := declaredAt.Add(3 * time.Minute)
	inc.PageSent("P1", sent.Add(10*time.Minute))
	next, due := inc.NextDue(ib.Settings{})
	require.True(t, due)
	assert.Equal(t, sent.Add(10*time.Minute), next.At, "ten minutes from the message, not from the decision")

	inc.Escalate("P1", next.At, next.At.Add(10*time.Minute))
	_, due = inc.NextDue(ib.Settings{})
	assert.False(t, due, "the next person's ten minutes start when their message goes")
}
