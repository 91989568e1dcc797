package ib

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Change is one request to alter an incident. Each kind of change is a type
// beside its noun, with fields named for what they are; it reads its
// command's arguments, checks itself against the incident and applies
// itself. The command table (verbs.go) names it.
type Change interface {
	// Check says whether the change may be applied to inc at now, and if
	// not, why, in words for the person who asked. It never alters inc.
	Check(inc *Incident, now time.Time) error
	// Apply makes a change that Check accepted, and says what it means.
	Apply(inc *Incident, at time.Time) Applied
	// Asker is who asked for the change.
	Asker() Person
}

// Changed is the answer to a change: the incident's summary after it, and the
// fact it put on the timeline, so that the answer can say what changed. Event
// is nil for a change that recorded none, and from incidents whose workflow
// answered before it was kept.
type Changed struct {
	Summary
	Event *TimelineEvent `json:"event,omitempty"`
}

// Answer is what a change recorded, as its answer carries it.
func (a Applied) Answer() *TimelineEvent {
	if a.Event.Kind == "" {
		return nil
	}
	e := a.Event
	return &e
}

// Applied is what a change meant: the fact it put on the timeline (none for a
// change that only asks for work), and what the outside world is owed beyond
// the timeline post and the refreshed header every change gets.
type Applied struct {
	Event TimelineEvent
	// Also are further facts the change recorded, posted with Event (the
	// pages a resolution stopped).
	Also []TimelineEvent
	Owed []Owed
	// Unseen: nothing the channel's topic and header or the search
	// attributes show has changed (a reminder on the timeline).
	Unseen bool
}

// fact is an Applied of a timeline event alone.
func fact(e TimelineEvent) Applied { return Applied{Event: e} }

// Check says whether the change may be applied at now: the incident's stage
// must take it (its verb's phase), and the change itself must make sense.
func (inc *Incident) Check(c Change, now time.Time) error {
	v := VerbOf(c)
	if v == nil {
		return Errorf(EINVALID, "Unknown change %T.", c)
	}
	if err := inc.checkPhase(v); err != nil {
		return err
	}
	return c.Check(inc, now)
}

// Make makes a change that Check accepted. A fact set once the incident is
// resolved corrects its record: the timeline says so, and a postmortem draft
// already written is written again from the corrected record.
func (inc *Incident) Make(c Change, at time.Time) Applied {
	inc.correcting = inc.Status == Resolved && VerbOf(c).Corrects
	defer func() { inc.correcting = false }()
	a := c.Apply(inc, at)
	if inc.correcting && inc.Postmortem.Drafts > 0 {
		a.Owed = append(a.Owed, Owed{Kind: OweDraft})
	}
	return a
}

// checkPhase refuses a change the incident's stage does not take.
func (inc *Incident) checkPhase(v *Verb) error {
	switch {
	case inc.Stage == StageClosed:
		return Errorf(ECONFLICT, "%s is closed; nothing more can change.", inc.ID)
	case v.Phase == AfterResolution && inc.Status != Resolved:
		return Errorf(ECONFLICT, "%s is still open: its postmortem begins once it is resolved (`resolve`).", inc.ID)
	case v.Phase == WhileActive && inc.Status == Resolved:
		return Errorf(ECONFLICT, "%s is already resolved; what is left is its postmortem: `postmortem`, `action`, `review done`, `close` (or `reopen` if the problem is back).", inc.ID)
	}
	return nil
}

// checkText bounds a text a person wrote, and says what it is when it is
// required and empty.
func checkText(what, text string, required bool, example string) error {
	switch n := utf8.RuneCountInString(CleanText(text)); {
	case n == 0 && required:
		return Errorf(EINVALID, "%s needs some text, e.g. `%s`.", what, example)
	case n > MaxTextRunes:
		return Errorf(EINVALID, "The text is %d characters long; keep it under %d.", n, MaxTextRunes)
	}
	return nil
}

// checkName checks a person named by text: there, and of a name's length.
func checkName(name, ifEmpty string) error {
	switch n := utf8.RuneCountInString(CleanText(name)); {
	case n == 0:
		return Errorf(EINVALID, "%s", ifEmpty)
	case n > MaxNameRunes:
		return Errorf(EINVALID, "%q is not a person (%d characters; a name is at most %d).", clipRunes(CleanText(name), 40), n, MaxNameRunes)
	}
	return nil
}

func checkPast(what string, t, now time.Time) error {
	switch {
	case t.IsZero():
		return Errorf(EINVALID, "Give the %s time, e.g. 03:25 or 2026-11-23 03:25 (optionally with a time zone).", what)
	case t.After(now.Add(time.Minute)):
		return Errorf(EINVALID, "The %s time %s is in the future.", what, t.UTC().Format(time.DateTime+" UTC"))
	}
	return nil
}

// checkURL accepts a web address: http or https, of bounded length, with none
// of the characters that would let it end a link in Slack's markup and start
// a mention or another link (<, >, |) or hide (spaces, controls).
func checkURL(raw string) error {
	if len(raw) > MaxURLBytes {
		return Errorf(EINVALID, "The web address is %d characters long; at most %d.", len(raw), MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Errorf(EINVALID, "%q is not a web address; give one starting with https://.", clipRunes(raw, 80))
	}
	if strings.ContainsAny(raw, "<>| \t\n") || strings.IndexFunc(raw, unicode.IsControl) >= 0 {
		return Errorf(EINVALID, "A web address cannot contain <, >, | or spaces; percent-encode them (%%3C, %%3E, %%7C, %%20).")
	}
	return nil
}

func joinReasons(why []string) string {
	if len(why) == 1 {
		return why[0]
	}
	return fmt.Sprintf("%s; and %s", why[0], joinReasons(why[1:]))
}

// Stamp is a time as the timeline and the catalog's messages write it: UTC,
// to the minute.
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// PersonNamed is the person a command names: a Slack user by ID, else by name.
func PersonNamed(target string) Person {
	target = CleanText(target)
	if IsSlackUserID(target) {
		return Person{SlackID: target}
	}
	return Person{Name: target}
}
