package ib

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The facts of the response that people put on the timeline: notes, when
// the problem was detected and mitigated, what customers suffered, the first
// question's answer, links.

// Link is a page that helps understand the incident.
type Link struct {
	URL   string `json:"url"`
	Label string `json:"label,omitempty"`
}

// Impact is what customers suffered, apart from how long the incident was open.
type Impact struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	Count int       `json:"count,omitempty"`
	Unit  string    `json:"unit,omitempty"` // "failed requests", "customers"
}

// AddNote puts a person's remark on the timeline.
type AddNote struct {
	Text string `json:"text"`
	By   Person `json:"by"`
}

func (c *AddNote) read(args []string, t Typist) error {
	if c.Text, c.By = strings.Join(args, " "), t.By; c.Text == "" {
		return usageProblem("needs some text")
	}
	return nil
}

func (c AddNote) Asker() Person { return c.By }

func (c AddNote) Check(*Incident, time.Time) error {
	return checkText("A note", c.Text, true, "note rolled back deploy 1234")
}

func (c AddNote) Apply(inc *Incident, at time.Time) Applied {
	return fact(inc.record(at, EventNote, c.By, CleanText(c.Text)))
}

// SetDetected says when the problem was first seen, often before anyone
// declared it.
type SetDetected struct {
	At time.Time `json:"time"`
	By Person    `json:"by"`
}

func (c *SetDetected) read(args []string, t Typist) error {
	when, zone, err := readWhen(args, true)
	if err == nil {
		c.At, err = t.readTime(when, zone)
	}
	c.By = t.By
	return err
}

func (c SetDetected) Asker() Person { return c.By }

func (c SetDetected) Check(_ *Incident, now time.Time) error { return checkPast("detected", c.At, now) }

func (c SetDetected) Apply(inc *Incident, _ time.Time) Applied {
	inc.DetectedAt = c.At.UTC()
	return fact(inc.record(c.At, EventDetected, c.By, "first detected"))
}

// SetMitigated says when the worst was over for customers.
type SetMitigated struct {
	At time.Time `json:"time"`
	By Person    `json:"by"`
}

func (c *SetMitigated) read(args []string, t Typist) error {
	when, zone, err := readWhen(args, false)
	c.At, c.By = t.Now, t.By
	if err == nil && when != "" {
		c.At, err = t.readTime(when, zone)
	}
	return err
}

func (c SetMitigated) Asker() Person { return c.By }

func (c SetMitigated) Check(_ *Incident, now time.Time) error {
	return checkPast("mitigated", c.At, now)
}

func (c SetMitigated) Apply(inc *Incident, _ time.Time) Applied {
	inc.MitigatedAt = c.At.UTC()
	return fact(inc.record(c.At, EventMitigated, c.By, "mitigated"))
}

// readWhen reads "<time> [zone]", the time required or not.
func readWhen(args []string, required bool) (when, zone string, err error) {
	when, args, ok := takeTime(args)
	zone, args = takeZone(args)
	switch {
	case !ok && (required || len(args) > 0):
		return "", "", usageProblem("needs a time such as 03:25 or 2026-11-23 03:25")
	case len(args) > 0:
		return "", "", usageProblem(fmt.Sprintf("does not take %q", strings.Join(args, " ")))
	}
	return when, zone, nil
}

// SetImpactWindow says when customers were affected; without an end, they
// still are.
type SetImpactWindow struct {
	Start time.Time `json:"time"`
	End   time.Time `json:"until,omitzero"`
	By    Person    `json:"by"`
}

func (c *SetImpactWindow) read(args []string, t Typist) error {
	start, args, ok := takeTime(args)
	if !ok {
		return usageProblem("needs a start time such as 03:25")
	}
	var end string
	if len(args) > 0 && strings.EqualFold(args[0], "end") {
		if end, args, ok = takeTime(args[1:]); !ok {
			return usageProblem("needs an end time after `end`")
		}
	}
	zone, args := takeZone(args)
	if len(args) > 0 {
		return usageProblem(fmt.Sprintf("does not take %q", strings.Join(args, " ")))
	}
	var err error
	if c.Start, err = t.readTime(start, zone); err == nil {
		c.End, err = t.readTime(end, zone)
	}
	c.By = t.By
	return err
}

func (c SetImpactWindow) Asker() Person { return c.By }

func (c SetImpactWindow) Check(_ *Incident, now time.Time) error {
	if err := checkPast("impact start", c.Start, now); err != nil || c.End.IsZero() {
		return err
	}
	if err := checkPast("impact end", c.End, now); err != nil {
		return err
	}
	if !c.End.After(c.Start) {
		return Errorf(EINVALID, "The impact must end after it starts (start %s, end %s).", c.Start.UTC().Format(time.DateTime), c.End.UTC().Format(time.DateTime))
	}
	return nil
}

func (c SetImpactWindow) Apply(inc *Incident, at time.Time) Applied {
	inc.CustomerImpact.Start, inc.CustomerImpact.End = c.Start.UTC(), c.End.UTC()
	if c.End.IsZero() {
		inc.CustomerImpact.End = time.Time{}
		return fact(inc.recordAbout(at, EventImpact, c.By, Person{}, "customers affected since "+Stamp(c.Start), c.Start))
	}
	return fact(inc.recordAbout(at, EventImpact, c.By, Person{}, fmt.Sprintf("customers affected %s – %s (%d min)", Stamp(c.Start), Stamp(c.End), int(c.End.Sub(c.Start).Minutes())), c.Start, c.End))
}

// SetImpactSize says how many of what were affected: "1234 failed requests".
type SetImpactSize struct {
	Count int    `json:"count"`
	Unit  string `json:"text"`
	By    Person `json:"by"`
}

func (c *SetImpactSize) read(args []string, t Typist) error {
	n, err := strconv.Atoi(strings.ReplaceAll(strings.Join(args[:min(1, len(args))], ""), ",", ""))
	if err != nil || n <= 0 || len(args) < 2 {
		return usageProblem("needs a number and what it counts, e.g. `impact count 1234 failed requests`")
	}
	c.Count, c.Unit, c.By = n, strings.Join(args[1:], " "), t.By
	return nil
}

func (c SetImpactSize) Asker() Person { return c.By }

func (c SetImpactSize) Check(*Incident, time.Time) error {
	if c.Count <= 0 || CleanText(c.Unit) == "" {
		return Errorf(EINVALID, "Say how many of what, e.g. `impact count 1234 failed requests`.")
	}
	return checkText("The unit", c.Unit, true, "impact count 1234 failed requests")
}

func (c SetImpactSize) Apply(inc *Incident, at time.Time) Applied {
	unit := CleanText(c.Unit)
	inc.CustomerImpact.Count, inc.CustomerImpact.Unit = c.Count, unit
	return fact(inc.record(at, EventImpact, c.By, fmt.Sprintf("impact: %d %s", c.Count, unit)))
}

// AnswerCustomers answers the first question of every incident: does this
// affect customers' running workloads?
type AnswerCustomers struct {
	Answer Answer `json:"answer"`
	By     Person `json:"by"`
}

func (c *AnswerCustomers) read(args []string, t Typist) error {
	if len(args) != 1 {
		return usageProblem("needs one answer")
	}
	c.Answer, c.By = Answer(strings.ToLower(args[0])), t.By
	return nil
}

func (c AnswerCustomers) Asker() Person { return c.By }

func (c AnswerCustomers) Check(inc *Incident, _ time.Time) error {
	switch {
	case c.Answer != Yes && c.Answer != No && c.Answer != Unknown:
		return Errorf(EINVALID, "Answer yes, no or unknown, not %q.", c.Answer)
	case c.Answer == inc.CustomersAffected:
		return Errorf(ECONFLICT, "The answer is already %s.", c.Answer)
	}
	return nil
}

func (c AnswerCustomers) Apply(inc *Incident, at time.Time) Applied {
	if inc.CustomersAnsweredAt.IsZero() && c.Answer != Unknown {
		inc.CustomersAnsweredAt = at.UTC()
	}
	inc.CustomersAffected = c.Answer
	return fact(inc.record(at, EventCustomers, c.By, "customers' running workloads affected: "+string(c.Answer)))
}

// AddLink adds a dashboard, pull request or log to the incident.
type AddLink struct {
	URL   string `json:"url"`
	Label string `json:"text,omitempty"`
	By    Person `json:"by"`
}

func (c *AddLink) read(args []string, t Typist) error {
	if len(args) == 0 {
		return usageProblem("needs a web address")
	}
	c.URL, c.Label = linkedURL(strings.Join(args, " "))
	c.By = t.By
	return nil
}

func (c AddLink) Asker() Person { return c.By }

func (c AddLink) Check(inc *Incident, _ time.Time) error {
	switch {
	case len(inc.Links) >= MaxLinks:
		return Errorf(EINVALID, "%s has %d links already, the most an incident keeps; gather them on one page and link that.", inc.ID, len(inc.Links))
	case utf8.RuneCountInString(CleanText(c.Label)) > MaxLabelRunes:
		return Errorf(EINVALID, "A link's label is at most %d characters.", MaxLabelRunes)
	}
	return checkURL(c.URL)
}

// KeepLinks adds links the incident did not ask for (its services'
// dashboards and runbooks, from the catalog), each that is a web address and
// fits in.
func (inc *Incident) KeepLinks(links []Link) {
	for _, l := range links {
		if len(inc.Links) < MaxLinks && checkURL(l.URL) == nil && !slices.ContainsFunc(inc.Links, func(have Link) bool { return have.URL == l.URL }) {
			inc.Links = append(inc.Links, Link{URL: l.URL, Label: clipRunes(CleanText(l.Label), MaxLabelRunes)})
		}
	}
}

func (c AddLink) Apply(inc *Incident, at time.Time) Applied {
	label := CleanText(c.Label)
	inc.Links = append(inc.Links, Link{URL: c.URL, Label: label})
	return fact(inc.record(at, EventLink, c.By, c.URL+" "+label))
}
