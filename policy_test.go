package ib_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/incident-buddy/ib"
)

func TestPolicy(t *testing.T) {
	p := ib.Policy{Admins: []string{"UADMIN"}, Restricted: []string{"severity", "resolve"}, RestrictedTo: ib.RoleResponders}
	s := ib.Summary{ID: "INC-20261123-K7QF", Commander: ib.Person{SlackID: "UCMD", Name: "cmd"}, Channel: ib.Channel{Name: "inc-x"}}

	assert.False(t, p.Restricts(verb(t, "status"), "UANY"), "status is anyone's")
	assert.False(t, p.Restricts(verb(t, "resolve"), "UADMIN"), "admins may do anything")
	assert.True(t, p.Restricts(verb(t, "resolve"), "UANY"))

	assert.NoError(t, p.Allow(verb(t, "resolve"), s, ib.Actor{SlackID: "UCMD"}), "the commander, from anywhere")
	assert.NoError(t, p.Allow(verb(t, "resolve"), s, ib.Actor{SlackID: "UANY", InChannel: true}), "a responder in the channel")
	err := p.Allow(verb(t, "severity"), s, ib.Actor{SlackID: "UANY"})
	assert.Equal(t, ib.EFORBIDDEN, ib.ErrorCode(err))
	assert.Contains(t, ib.ErrorMessage(err), "Only the commander (cmd), responders in #inc-x or an admin")

	p.RestrictedTo = ib.RoleCommander
	assert.Error(t, p.Allow(verb(t, "resolve"), s, ib.Actor{SlackID: "UANY", InChannel: true}), "with commander-only, the channel is not enough")
}

func verb(t *testing.T, name string) *ib.Verb {
	v, ok := ib.VerbNamed(name)
	if !ok {
		t.Fatalf("no verb %q", name)
	}
	return v
}
