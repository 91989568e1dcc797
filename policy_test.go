package ib_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

func TestPolicy(t *testing.T) {
	p, err := ib.ParsePolicy("UADMIN", ib.DefaultRestrictions(), "responders")
	require.NoError(t, err)
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "Checkout down", Severity: ib.S2,
		Declarer: ib.Person{SlackID: "UCMD", Name: "cmd"}, Commander: ib.Person{SlackID: "UCMD", Name: "cmd"}}, declaredAt)
	inc.Channel = ib.Channel{ID: "C0INC", Name: "inc-x"}
	inc.Responders = []ib.Responder{{Person: ib.Person{SlackID: "UONCALL"}, Rotation: "payments"}}
	inc.Pages = []ib.Page{{ID: "P1", Chain: []ib.Person{{SlackID: "UPAGED"}, {SlackID: "UNEXT"}}, Sent: 1}}

	assert.False(t, p.Restricts(&ib.SetStatus{Status: ib.Identified}, "UANY"), "the status is anyone's")
	assert.False(t, p.Restricts(&ib.Resolve{}, "UADMIN"), "admins may do anything")
	assert.True(t, p.Restricts(&ib.Resolve{}, "UANY"))
	assert.True(t, p.Restricts(&ib.SetStatus{Status: ib.Resolved}, "UANY"), "setting the status to resolved is resolving")

	for who, ok := range map[ib.Actor]bool{
		{SlackID: "UCMD"}:                  true,  // the commander, from anywhere
		{SlackID: "UANY", InChannel: true}: true,  // acting in the channel
		{SlackID: "UONCALL"}:               true,  // on call for it
		{SlackID: "UPAGED"}:                true,  // paged for it
		{SlackID: "UNEXT"}:                 false, // next in the chain, not paged yet
		{SlackID: "UANY"}:                  false,
	} {
		err := p.Allow(&ib.SetStatus{Status: ib.Resolved}, &inc, who)
		assert.Equal(t, ok, err == nil, "%+v: %v", who, err)
	}
	// Escalated to the next in the chain: the page may reach them in Slack,
	// with its Acknowledge button, before the workflow hears it was sent.
	inc.Pages[0].Level = 1
	assert.NoError(t, p.Allow(&ib.SetStatus{Status: ib.Resolved}, &inc, ib.Actor{SlackID: "UNEXT"}), "being paged")
	inc.Pages[0].StoppedAt = declaredAt.Add(time.Hour) // stopped before it was sent to them
	assert.Error(t, p.Allow(&ib.SetStatus{Status: ib.Resolved}, &inc, ib.Actor{SlackID: "UNEXT"}), "never paged")
	inc.Pages[0].Level, inc.Pages[0].StoppedAt = 0, time.Time{}

	err = p.Allow(&ib.SetSeverity{Severity: ib.S1}, &inc, ib.Actor{SlackID: "UANY"})
	assert.Equal(t, ib.EFORBIDDEN, ib.ErrorCode(err))
	assert.Contains(t, ib.ErrorMessage(err), "Only the commander (cmd), responders in #inc-x or an admin may change the severity of INC-20261123-K7QF")

	err = p.Allow(&ib.HandOver{Commander: "UANY"}, &inc, ib.Actor{SlackID: "UONCALL", InChannel: true})
	assert.ErrorContains(t, err, "Only the commander (cmd) or an admin may hand over", "a responder may not hand over")

	strict, err := ib.ParsePolicy("", "severity,resolve,close=owner", "commander")
	require.NoError(t, err)
	assert.Error(t, strict.Allow(&ib.Resolve{}, &inc, ib.Actor{SlackID: "UANY", InChannel: true}), "with commander, the channel is not enough")
	assert.False(t, strict.Restricts(&ib.AddNote{}, "UANY"), "a change not named is anyone's")
	assert.Equal(t, ib.Owner, strict.Who(verb(t, "close")))
	_, err = ib.ParsePolicy("", "severity,delete", "responders")
	assert.ErrorContains(t, err, `"delete" is not a change`)
	_, err = ib.ParsePolicy("", "close=everyone", "responders")
	assert.ErrorContains(t, err, "not a role")
}

func verb(t *testing.T, name string) *ib.Verb {
	v, ok := ib.VerbNamed(name)
	if !ok {
		t.Fatalf("no verb %q", name)
	}
	return v
}
