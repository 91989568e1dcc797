package ib

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Status is where the response stands. It only describes the technical state; the
// incident's process position is its Stage.
type Status string

const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
)

// Statuses lists every status in the order an incident usually passes through them.
var Statuses = []Status{Investigating, Identified, Monitoring, Resolved}

var statusMeanings = map[Status]string{
	Investigating: "the cause is not known yet",
	Identified:    "the cause is known and a fix is under way",
	Monitoring:    "a fix is in place and being watched",
	Resolved:      "customers are no longer affected",
}

// Meaning is the one-line description of the status.
func (s Status) Meaning() string { return statusMeanings[s] }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusMeanings[s]; return ok }

// ParseStatus accepts a status name in any case.
func ParseStatus(text string) (Status, error) {
	s := Status(strings.ToLower(strings.TrimSpace(text)))
	if s.Valid() {
		return s, nil
	}
	return "", Errorf(EINVALID, "Unknown status %q: use one of investigating, identified, monitoring, resolved.", text)
}

// Stage is the incident's place in its life: the response, then the learning.
type Stage string

const (
	StageActive     Stage = "active"
	StagePostmortem Stage = "postmortem"
	StageReview     Stage = "review"
	StageClosed     Stage = "closed"
)

// Title is the stage's name for display ("Postmortem").
func (s Stage) Title() string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// SetStatus moves the response to another status. Set to resolved, it is a
// resolution.
type SetStatus struct {
	Status Status `json:"status"`
	By     Person `json:"by"`
}

func (c *SetStatus) read(args []string, t Typist) error {
	if len(args) > 1 {
		return usageProblem("takes one status word")
	}
	var err error
	c.Status, err = ParseStatus(args[0])
	c.By = t.By
	return err
}

func (c SetStatus) Asker() Person { return c.By }

// Effect is resolving when the status is set to resolved: the change then
// meets resolve's rule.
func (c SetStatus) Effect() *Verb {
	if c.Status == Resolved {
		v, _ := VerbNamed("resolve")
		return v
	}
	return VerbOf(c)
}

func (c SetStatus) Check(inc *Incident, _ time.Time) error {
	switch {
	case !c.Status.Valid():
		return Errorf(EINVALID, "Unknown status %q: use one of investigating, identified, monitoring, resolved.", c.Status)
	case c.Status == inc.Status:
		return Errorf(ECONFLICT, "%s is already %s.", inc.ID, c.Status)
	}
	return nil
}

func (c SetStatus) Apply(inc *Incident, at time.Time) Applied {
	if c.Status == Resolved {
		return Resolve{By: c.By}.Apply(inc, at)
	}
	from := inc.Status
	inc.Status = c.Status
	return fact(inc.record(at, EventStatusChanged, c.By, fmt.Sprintf("%s → %s", from, c.Status)))
}

// Resolve ends the response: customers are no longer affected. The
// postmortem stage follows.
type Resolve struct {
	Summary string `json:"text,omitempty"`
	By      Person `json:"by"`
}

func (c *Resolve) read(args []string, t Typist) error {
	c.Summary, c.By = strings.Join(args, " "), t.By
	return nil
}

func (c Resolve) Asker() Person { return c.By }

func (c Resolve) Check(*Incident, time.Time) error {
	return checkText("A resolution", c.Summary, false, "")
}

func (c Resolve) Apply(inc *Incident, at time.Time) Applied {
	text := CleanText(c.Summary)
	inc.Status, inc.ResolvedAt, inc.Resolution = Resolved, at.UTC(), text
	a := Applied{Event: inc.record(at, EventResolved, c.By, text), Owed: inc.ResolutionOwed()}
	if inc.Rules.LivedIn {
		a.Also = inc.stopPages(at)
		if sp := inc.StatusPage.Status; sp != "" && sp != Resolved {
			// The status page's incident was opened: customers are told it
			// is over, in the resolution's words.
			public := PostStatusPage{Status: Resolved, Message: text, By: c.By}
			if public.Message == "" {
				public.Message = "This incident has been resolved."
			}
			p := public.Apply(inc, at)
			a.Also, a.Owed = append(a.Also, p.Event), append(a.Owed, p.Owed...)
		}
	}
	return a
}

// Reopen returns a resolved incident to active: the problem is back. Its
// postmortem stage is set aside and planned again at the next resolution.
type Reopen struct {
	Reason string `json:"text,omitempty"`
	By     Person `json:"by"`
}

func (c *Reopen) read(args []string, t Typist) error {
	c.Reason, c.By = strings.Join(args, " "), t.By
	return nil
}

func (c Reopen) Asker() Person { return c.By }

func (c Reopen) Check(inc *Incident, _ time.Time) error {
	if inc.Status != Resolved {
		return Errorf(ECONFLICT, "%s is not resolved; there is nothing to reopen.", inc.ID)
	}
	return checkText("A reason", c.Reason, false, "")
}

func (c Reopen) Apply(inc *Incident, at time.Time) Applied {
	text := CleanText(c.Reason)
	inc.Status, inc.Stage, inc.ResolvedAt, inc.Resolution = Investigating, StageActive, time.Time{}, ""
	pm := &inc.Postmortem
	// What the stage planned is set aside; who was named, what was drafted
	// and the action items stay.
	pm.StartAt, pm.ReviewAt, pm.DueAt, pm.OwnerRemindedAt, pm.ReviewRemindedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	msg := inc.message(MsgReopened, "reopened-"+strconv.Itoa(len(inc.Timeline)))
	msg.Text = text
	return Applied{Event: inc.record(at, EventReopened, c.By, text), Owed: []Owed{{Kind: OweAnnouncement, Message: msg}}}
}

// ResolutionOwed is what a resolution owes the outside world: the
// announcement, the pages' PagerDuty alerts resolved, the resolution noted on
// the customers' tickets and their follow-up handed over, and the postmortem
// stage planned in the commander's zone.
func (inc *Incident) ResolutionOwed() []Owed {
	owed := []Owed{{Kind: OweAnnouncement, Message: inc.message(MsgResolved, "")}}
	for _, p := range inc.Pages {
		owed = append(owed, Owed{Kind: OwePager, Ref: p.ID, Action: PagerResolve})
	}
	if slices.ContainsFunc(inc.Tickets.Linked, func(t Ticket) bool { return !t.Noted }) {
		owed = append(owed, Owed{Kind: OweTicketNotes})
	}
	if len(inc.OpenFollowUps()) > 0 && inc.Tickets.FollowUpOwner == (Person{}) {
		owed = append(owed, Owed{Kind: OweFollowUp})
	}
	return append(owed, Owed{Kind: OwePlan})
}
