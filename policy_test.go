package ib_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/incident-buddy/ib"
)

func TestPolicy(t *testing.T) {
	p := ib.Policy{Admins: []string{"UADMIN"}, Restricted: []ib.ChangeKind{ib.ChangeSeverity, ib.ChangeResolve}, RestrictedTo: ib.RoleResponders}
	s := ib.Summary{ID: "INC-20261123-K7QF", Commander: ib.Person{SlackID: "UCMD", Name: "cmd"}, Channel: ib.Channel{Name: "inc-x"}}

	assert.False(t, p.Restricts(ib.ChangeStatus, "UANY"), "status is anyone's")
	assert.False(t, p.Restricts(ib.ChangeResolve, "UADMIN"), "admins may do anything")
	assert.True(t, p.Restricts(ib.ChangeResolve, "UANY"))

	assert.NoError(t, p.Allow(ib.ChangeResolve, s, ib.Actor{SlackID: "UCMD"}), "the commander, from anywhere")
	assert.NoError(t, p.Allow(ib.ChangeResolve, s, ib.Actor{SlackID: "UANY", InChannel: true}), "a responder in the channel")
	err := p.Allow(ib.ChangeSeverity, s, ib.Actor{SlackID: "UANY"})
	assert.Equal(t, ib.EFORBIDDEN, ib.ErrorCode(err))
	assert.Contains(t, ib.ErrorMessage(err), "Only the commander (cmd), responders in #inc-x or an admin")

	p.RestrictedTo = ib.RoleCommander
	assert.Error(t, p.Allow(ib.ChangeResolve, s, ib.Actor{SlackID: "UANY", InChannel: true}), "with commander-only, the channel is not enough")
}
