package ib

import (
	"slices"
	"strings"
)

// Has says whether the actor holds the role in the incident.
func (inc *Incident) Has(r Role, a Actor) bool {
	id := a.SlackID
	switch {
	case r == Anyone || r == "":
		return true
	case id == "":
		return false
	case id == inc.Commander.SlackID:
		return true
	case r == Owner:
		return id == inc.Postmortem.Owner.SlackID
	case r == Responders:
		return a.InChannel || inc.responder(id)
	}
	return false
}

// responder says whether someone responds to the incident: on call for it,
// paged for it, acting in its channel, or owning its postmortem.
func (inc *Incident) responder(id string) bool {
	if id == inc.Postmortem.Owner.SlackID || slices.Contains(inc.Participants, id) ||
		slices.ContainsFunc(inc.Responders, func(r Responder) bool { return r.SlackID == id }) {
		return true
	}
	return slices.ContainsFunc(inc.Pages, func(p Page) bool {
		return p.AckedBy.SlackID == id || slices.ContainsFunc(p.reached(), func(q Person) bool { return q.SlackID == id })
	})
}

// reached is whom in its chain a page has reached: those it was sent to, and
// while it is open the one it is being sent to, whose page may reach Slack
// (with its Acknowledge button) before the workflow hears that it was sent.
func (p Page) reached() []Person {
	n := p.Sent
	if p.Open() {
		n = max(n, p.Level+1)
	}
	return p.Chain[:min(n, len(p.Chain))]
}

// holders says in words who holds a role in the incident, for a refusal.
func (inc *Incident) holders(r Role) string {
	who := []string{"the commander (" + inc.Commander.Label() + ")"}
	switch r {
	case Owner:
		if owner := inc.Postmortem.Owner; owner != (Person{}) {
			who = append(who, "the postmortem's owner ("+owner.Label()+")")
		} else {
			who = append(who, "the postmortem's owner")
		}
	case Responders:
		who = append(who, "responders in #"+inc.Channel.Name)
	}
	return strings.Join(who, ", ")
}
