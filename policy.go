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
	Admins       []string // Slack user IDs allowed everything
	Restricted   []string // the verbs (by name) only RestrictedTo may use
	RestrictedTo Role
}

// Actor is the person asking for a change, as the gateway knows them.
type Actor struct {
	SlackID   string
	InChannel bool // acting from inside the incident's channel
}

// Restricts says whether the policy has anything to check for this verb by
// this person: an unrestricted verb, or an admin, needs no look at the
// incident.
func (p Policy) Restricts(v *Verb, slackID string) bool {
	return slices.Contains(p.Restricted, v.Name) && !slices.Contains(p.Admins, slackID)
}

// Allow says whether the actor may make the change to the incident, and if not,
// why and what to do instead.
func (p Policy) Allow(v *Verb, s Summary, a Actor) error {
	switch {
	case !p.Restricts(v, a.SlackID):
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
	return Errorf(EFORBIDDEN, "Only %s or an admin may %s (%s).", who, v.Summary, s.ID)
}

// ParsePolicy reads the policy's settings (see the config package).
func ParsePolicy(admins, restricted, to string) (Policy, error) {
	p := Policy{Admins: SplitList(admins), RestrictedTo: Role(strings.ToLower(strings.TrimSpace(to)))}
	if p.RestrictedTo != RoleResponders && p.RestrictedTo != RoleCommander {
		return p, fmt.Errorf("%q must be responders or commander", to)
	}
	for _, name := range SplitList(strings.ToLower(restricted)) {
		v, ok := VerbNamed(name)
		if !ok || v.Update == "" {
			return p, fmt.Errorf("%q is not a change: use %s", name, strings.Join(ChangeNames(), ", "))
		}
		p.Restricted = append(p.Restricted, v.Name)
	}
	return p, nil
}

// ChangeNames are the names of every verb that changes an incident.
func ChangeNames() []string {
	var names []string
	for _, v := range Verbs {
		if v.Update != "" {
			names = append(names, v.Name)
		}
	}
	return names
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
