package ib

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Page is a call for someone to join the incident now. It escalates along its
// chain (the on-call, the next in the rotation, the team's manager) until
// someone acknowledges it.
type Page struct {
	ID      string    `json:"id"`     // P1, P2, … within the incident
	Target  string    `json:"target"` // as asked: a service, or a person's Slack ID
	Message string    `json:"message,omitempty"`
	By      Person    `json:"by"`
	At      time.Time `json:"at"`
	// Chain is who is paged in turn; Level is who has it now. NextAt is when it
	// escalates if nobody acknowledges it before.
	Chain   []Person  `json:"chain,omitempty"`
	Level   int       `json:"level"`
	Sent    int       `json:"sent"` // how many in the chain were messaged: none twice
	NextAt  time.Time `json:"next_at,omitzero"`
	AckedBy Person    `json:"acked_by,omitzero"`
	AckedAt time.Time `json:"acked_at,omitzero"`
	// Exhausted: everyone in the chain was paged and nobody acknowledged.
	Exhausted bool `json:"exhausted,omitempty"`
	// StoppedAt is when the incident's resolution stopped the page: nobody
	// more is woken for an incident that is over.
	StoppedAt time.Time `json:"stopped_at,omitzero"`
}

// What PagerDuty is told of a page (its Events API's actions).
const (
	PagerTrigger     = "trigger"
	PagerAcknowledge = "acknowledge"
	PagerResolve     = "resolve"
)

// Open reports whether the page still waits for an acknowledgement.
func (p Page) Open() bool { return p.AckedAt.IsZero() && !p.Exhausted && p.StoppedAt.IsZero() }

// stopPages stops every page still waiting for an acknowledgement, and says
// so on the timeline.
func (inc *Incident) stopPages(at time.Time) []TimelineEvent {
	var stopped []TimelineEvent
	for i := range inc.Pages {
		p := &inc.Pages[i]
		if !p.Open() {
			continue
		}
		p.StoppedAt, p.NextAt = at.UTC(), time.Time{}
		stopped = append(stopped, inc.Note(at, EventPage, fmt.Sprintf("Page %s stopped: the incident is resolved, so it escalates no further.", p.ID)))
	}
	return stopped
}

// MaxPages bounds the pages an incident keeps.
const MaxPages = 50

// EscalateAfter is how long a page waits for an acknowledgement before it
// goes to the next person, by severity.
func EscalateAfter(s Severity) time.Duration {
	switch s {
	case S1:
		return 5 * time.Minute
	case S2:
		return 10 * time.Minute
	default:
		return 30 * time.Minute
	}
}

// page finds a page by ID.
func (inc *Incident) page(id string) int {
	return slices.IndexFunc(inc.Pages, func(p Page) bool { return p.ID == id })
}

// Page returns the page with the ID.
func (inc *Incident) Page(id string) (Page, bool) {
	if i := inc.page(id); i >= 0 {
		return inc.Pages[i], true
	}
	return Page{}, false
}

// Escalate records that the page now goes to the next in its chain (or that
// the chain is exhausted), until next. By the lived-in rules, the wait for
// an acknowledgement starts once the message has reached them (PageSent):
// a message held up must not cost its person their turn.
func (inc *Incident) Escalate(id string, at, next time.Time) TimelineEvent {
	p := &inc.Pages[inc.page(id)]
	if p.Level+1 >= len(p.Chain) {
		p.Exhausted, p.NextAt = true, time.Time{}
		return inc.Note(at, EventPage, fmt.Sprintf("Page %s: nobody acknowledged it; everyone in its chain was paged.", id))
	}
	p.Level++
	p.NextAt = inc.untilSent(next)
	return inc.Note(at, EventPage, fmt.Sprintf("Page %s not acknowledged: escalated to %s.", id, p.Chain[p.Level].Label()))
}

// Paged records whom a page reached first, once its chain is known.
func (inc *Incident) Paged(id string, chain []Person, at, next time.Time) TimelineEvent {
	p := &inc.Pages[inc.page(id)]
	if !p.StoppedAt.IsZero() {
		p.Chain = chain
		return inc.Note(at, EventPage, fmt.Sprintf("Page %s not sent: the incident was resolved first.", id))
	}
	p.Chain, p.Level, p.NextAt = chain, 0, inc.untilSent(next)
	if len(chain) == 0 {
		p.Exhausted = true
		return inc.Note(at, EventPage, fmt.Sprintf("Page %s: nobody is on call for %s.", id, p.Target))
	}
	return inc.Note(at, EventPage, fmt.Sprintf("Page %s sent to %s.", id, chain[0].Label()))
}

// PageSent records that the page's message reached whoever has it now; it
// escalates at next unless acknowledged.
func (inc *Incident) PageSent(id string, next time.Time) {
	p := &inc.Pages[inc.page(id)]
	p.Sent = p.Level + 1
	if inc.Rules.LivedIn && p.Open() {
		p.NextAt = next
	}
}

// untilSent is when a page escalates, as decided before its message is sent:
// by the lived-in rules, not until it is sent.
func (inc *Incident) untilSent(next time.Time) time.Time {
	if inc.Rules.LivedIn {
		return time.Time{}
	}
	return next
}

// SendPage calls a service's on-call, or a person, to the incident now.
type SendPage struct {
	Target  string `json:"target"` // a service, or a person's Slack user ID
	Message string `json:"text,omitempty"`
	By      Person `json:"by"`
}

func (c *SendPage) read(args []string, t Typist) error {
	if len(args) == 0 {
		return usageProblem("needs a service or a person to page")
	}
	var err error
	c.Target, err = t.person(args[0])
	c.Message, c.By = strings.Join(args[1:], " "), t.By
	return err
}

func (c SendPage) Asker() Person { return c.By }

// Limits on pages: people are woken by them, and a runaway script or a
// careless hand must not wake a whole rotation.
const (
	MaxPageTargetRunes  = 80
	MaxPageMessageRunes = 1000
	MaxPagesPerHour     = 10 // per incident
	MaxPagesPerPerson   = 3  // per person and incident, in pageWindow
	pageWindow          = 10 * time.Minute
)

func (c SendPage) Check(inc *Incident, now time.Time) error {
	target := CleanText(c.Target)
	switch n := utf8.RuneCountInString(target); {
	case n == 0:
		return Errorf(EINVALID, "Whom to page? Name a service or a person: `page checkout Checkout is down`.")
	case n > MaxPageTargetRunes:
		return Errorf(EINVALID, "%q is not a service or a person (%d characters; names are at most %d).", clipRunes(target, 40), n, MaxPageTargetRunes)
	case utf8.RuneCountInString(CleanText(c.Message)) > MaxPageMessageRunes:
		return Errorf(EINVALID, "A page's message is at most %d characters; put the details in the channel.", MaxPageMessageRunes)
	}
	open := slices.IndexFunc(inc.Pages, func(p Page) bool { return p.Open() && strings.EqualFold(p.Target, target) })
	lastHour, byThem := 0, 0
	for _, p := range inc.Pages {
		if p.At.After(now.Add(-time.Hour)) {
			lastHour++
		}
		if p.At.After(now.Add(-pageWindow)) && p.By.SlackID != "" && p.By.SlackID == c.By.SlackID {
			byThem++
		}
	}
	switch {
	case open >= 0:
		return Errorf(ECONFLICT, "%s is paged already (%s), and it escalates until someone acknowledges.", target, inc.Pages[open].ID)
	case lastHour >= MaxPagesPerHour:
		return Errorf(EFORBIDDEN, "%s has had %d pages in the last hour, the most an incident may send; ask the commander to page the one person who can help.", inc.ID, lastHour)
	case byThem >= MaxPagesPerPerson:
		return Errorf(EFORBIDDEN, "You have sent %d pages for %s in the last %d minutes, the most one person may; wait for them to be acknowledged.", byThem, inc.ID, int(pageWindow.Minutes()))
	case len(inc.Pages) >= MaxPages:
		return Errorf(EFORBIDDEN, "%s has had %d pages, the most an incident keeps; page people directly.", inc.ID, len(inc.Pages))
	}
	return nil
}

func (c SendPage) Apply(inc *Incident, at time.Time) Applied {
	id := fmt.Sprintf("P%d", len(inc.Pages)+1)
	text := CleanText(c.Message)
	inc.Pages = append(inc.Pages, Page{ID: id, Target: CleanText(c.Target), Message: text, By: c.By, At: at.UTC()})
	e := inc.record(at, EventPage, c.By, fmt.Sprintf("page %s: %s %s", id, c.Target, text))
	return Applied{Event: e, Owed: []Owed{{Kind: OwePageChain, Ref: id}}}
}

// AckPage says the person paged is on it: the page stops escalating.
type AckPage struct {
	Page string `json:"target"` // the page's ID, P1, P2, …
	By   Person `json:"by"`
}

func (c *AckPage) read(args []string, t Typist) error {
	if len(args) != 1 {
		return usageProblem("needs the page's ID, such as P1")
	}
	c.Page, c.By = strings.ToUpper(args[0]), t.By
	return nil
}

func (c AckPage) Asker() Person { return c.By }

func (c AckPage) Check(inc *Incident, _ time.Time) error {
	p, ok := inc.Page(c.Page)
	switch {
	case !ok:
		return Errorf(EINVALID, "%s has no page %s.", inc.ID, c.Page)
	case !p.AckedAt.IsZero():
		return Errorf(ECONFLICT, "Page %s was already acknowledged by %s.", c.Page, p.AckedBy.Label())
	}
	return nil
}

func (c AckPage) Apply(inc *Incident, at time.Time) Applied {
	p := &inc.Pages[inc.page(c.Page)]
	p.AckedBy, p.AckedAt, p.NextAt = c.By, at.UTC(), time.Time{}
	e := inc.record(at, EventPageAck, c.By, "acknowledged page "+p.ID)
	return Applied{Event: e, Owed: []Owed{{Kind: OwePager, Ref: p.ID, Action: PagerAcknowledge}}}
}
