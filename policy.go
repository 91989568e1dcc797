package ib

import (
	"fmt"
	"slices"
	"strings"
)

// Role is who may make a restricted change.
type Role string

const (
	// RoleResponders: the commander, anyone acting from inside the incident's
	// channel, and admins.
	RoleResponders Role = "responders"
	// RoleCommander: only the commander, and admins.
	RoleCommander Role = "commander"
)

// Policy says who may change what through Slack. The CLI is an operator's tool
// and is not bound by it: whoever reaches Temporal can do anything anyway.
type Policy struct {
	Admins       []string     // Slack user IDs allowed everything
	Restricted   []ChangeKind // changes only RestrictedTo may make
	RestrictedTo Role
}

// Actor is the person asking for a change, as the gateway knows them.
type Actor struct {
	SlackID   string
	InChannel bool // acting from inside the incident's channel
}

// Restricts says whether the policy has anything to check for this change by
// this person: an unrestricted change, or an admin, needs no look at the
// incident.
func (p Policy) Restricts(kind ChangeKind, slackID string) bool {
	return slices.Contains(p.Restricted, kind) && !slices.Contains(p.Admins, slackID)
}

// Allow says whether the actor may make the change to the incident, and if not,
// why and what to do instead.
func (p Policy) Allow(kind ChangeKind, s Summary, a Actor) error {
	switch {
	case !p.Restricts(kind, a.SlackID):
		return nil
	case a.SlackID != "" && a.SlackID == s.Commander.SlackID:
		return nil
	case p.RestrictedTo == RoleResponders && a.InChannel:
		return nil
	}
	who := "the commander (" + s.Commander.Label() + ")"
	if p.RestrictedTo == RoleResponders {
		who += ", responders in #" + s.Channel.Name
	}
	return Errorf(EFORBIDDEN, "Only %s or an admin may %s %s.", who, changeVerb(kind), s.ID)
}

func changeVerb(k ChangeKind) string {
	switch k {
	case ChangeSeverity:
		return "change the severity of"
	case ChangeStatus:
		return "change the status of"
	case ChangeNote:
		return "add notes to"
	default:
		return "resolve"
	}
}

// ParsePolicy reads the policy's settings (see Config).
func ParsePolicy(admins, restricted, to string) (Policy, error) {
	p := Policy{Admins: SplitList(admins), RestrictedTo: Role(strings.ToLower(strings.TrimSpace(to)))}
	if p.RestrictedTo != RoleResponders && p.RestrictedTo != RoleCommander {
		return p, fmt.Errorf("%q must be responders or commander", to)
	}
	for _, k := range SplitList(strings.ToLower(restricted)) {
		kind := ChangeKind(k)
		switch kind {
		case ChangeStatus, ChangeSeverity, ChangeNote, ChangeResolve:
			p.Restricted = append(p.Restricted, kind)
		default:
			return p, fmt.Errorf("%q is not a change: use status, severity, note or resolve", k)
		}
	}
	return p, nil
}

// SplitList splits a comma-separated list, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
