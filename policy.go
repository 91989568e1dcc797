package ib

import (
	"fmt"
	"slices"
	"strings"
)

// Role is who may make a change, from the least to the most restricted.
type Role string

const (
	// Anyone in the workspace.
	Anyone Role = "anyone"
	// Responders: the commander, those on call for the incident, the people
	// paged for it, those acting in its channel, its postmortem's owner.
	Responders Role = "responders"
	// Owner: the postmortem's owner and the commander.
	Owner Role = "owner"
	// Commander: the commander alone.
	Commander Role = "commander"
)

var roleOrder = []Role{Anyone, Responders, Owner, Commander}

// Valid says whether r is a role.
func (r Role) Valid() bool { return slices.Contains(roleOrder, r) }

// stricter is the more restricted of two roles.
func stricter(a, b Role) Role {
	if slices.Index(roleOrder, b) > slices.Index(roleOrder, a) {
		return b
	}
	return a
}

// Policy says who may make each change through Slack; admins may make any.
// The CLI is an operator's tool and is not bound by it: whoever reaches
// Temporal can do anything anyway.
type Policy struct {
	Admins []string // Slack user IDs allowed everything
	// Rules are who may make the restricted changes, by verb name; a verb
	// with no rule is anyone's.
	Rules []Rule
}

// Rule restricts one verb to a role.
type Rule struct {
	Verb string
	Who  Role
}

// Actor is the person asking for a change, as the gateway knows them.
type Actor struct {
	SlackID   string
	InChannel bool // acting from inside the incident's channel
}

// Who may use the verb.
func (p Policy) Who(v *Verb) Role {
	if i := slices.IndexFunc(p.Rules, func(r Rule) bool { return r.Verb == v.Name }); i >= 0 {
		return p.Rules[i].Who
	}
	return Anyone
}

// Restricts says whether the policy has anything to check for this change by
// this person: a change anyone may make, or an admin, needs no look at the
// incident.
func (p Policy) Restricts(c Change, slackID string) bool {
	return p.Who(EffectOf(c)) != Anyone && !slices.Contains(p.Admins, slackID)
}

// Allow says whether the actor may make the change to the incident, judged by
// what it does (setting the status to resolved is resolving), and if not,
// who may.
func (p Policy) Allow(c Change, inc *Incident, a Actor) error {
	v := EffectOf(c)
	who := p.Who(v)
	if !p.Restricts(c, a.SlackID) || inc.Has(who, a) {
		return nil
	}
	return Errorf(EFORBIDDEN, "Only %s or an admin may %s %s.", inc.holders(who), v.Act, inc.ID)
}

// ParsePolicy reads the policy's settings (see the config package): admins,
// the restricted verbs ("severity,resolve,close=commander"; a verb without a
// role takes the stricter of the command table's and defaultRole), and the
// default role.
func ParsePolicy(admins, restricted, defaultRole string) (Policy, error) {
	p := Policy{Admins: SplitList(admins)}
	to := Role(strings.ToLower(strings.TrimSpace(defaultRole)))
	if !to.Valid() || to == Anyone {
		return p, fmt.Errorf("%q must be responders, owner or commander", defaultRole)
	}
	for _, item := range SplitList(strings.ToLower(restricted)) {
		name, role, explicit := strings.Cut(item, "=")
		v, ok := VerbNamed(strings.TrimSpace(name))
		if !ok || v.Update == "" && v.Name != "ticket" {
			return p, fmt.Errorf("%q is not a change: use %s", name, strings.Join(ChangeNames(), ", "))
		}
		who := stricter(v.Who, to)
		if explicit {
			if who = Role(strings.TrimSpace(role)); !who.Valid() {
				return p, fmt.Errorf("%q: %q is not a role: use anyone, responders, owner or commander", item, role)
			}
		}
		p.Rules = append(p.Rules, Rule{Verb: v.Name, Who: who})
	}
	return p, nil
}

// DefaultRestrictions are the command table's restricted verbs, as
// IB_RESTRICTED_CHANGES writes them.
func DefaultRestrictions() string {
	var items []string
	for _, v := range Verbs {
		switch v.Who {
		case Anyone, "":
		case Responders:
			items = append(items, v.Name)
		default:
			items = append(items, v.Name+"="+string(v.Who))
		}
	}
	return strings.Join(items, ",")
}

// ChangeNames are the names of every verb that changes an incident.
func ChangeNames() []string {
	var names []string
	for _, v := range Verbs {
		if v.Update != "" || v.Name == "ticket" {
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
