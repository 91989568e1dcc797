package ib

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The changes of the postmortem stage, taken once the incident is resolved.

// StartPostmortem begins the postmortem stage now, without waiting for its
// planned morning.
type StartPostmortem struct {
	By Person `json:"by"`
}

func (c *StartPostmortem) read(args []string, t Typist) error { c.By = t.By; return noArgs(args) }

func (c StartPostmortem) Asker() Person { return c.By }

func (c StartPostmortem) Check(inc *Incident, _ time.Time) error {
	switch {
	case inc.Stage != StageActive:
		return Errorf(ECONFLICT, "%s is already in its %s stage.", inc.ID, inc.Stage)
	case inc.Postmortem.Waived != "":
		return Errorf(ECONFLICT, "The postmortem of %s was waived: %s", inc.ID, inc.Postmortem.Waived)
	}
	return nil
}

func (c StartPostmortem) Apply(inc *Incident, at time.Time) Applied {
	return Applied{Event: inc.StartPostmortem(at, c.By), Owed: owe(OweOwner)}
}

// SetPostmortemOwner hands the postmortem to someone else.
type SetPostmortemOwner struct {
	Owner string `json:"target"` // a Slack user ID, or a name
	By    Person `json:"by"`
}

func (c *SetPostmortemOwner) read(args []string, t Typist) error {
	if len(args) != 1 {
		return usageProblem("needs one person")
	}
	var err error
	c.Owner, err = t.person(args[0])
	c.By = t.By
	return err
}

func (c SetPostmortemOwner) Asker() Person { return c.By }

func (c SetPostmortemOwner) Check(*Incident, time.Time) error {
	return checkName(c.Owner, "Who owns it? `postmortem owner @someone`.")
}

func (c SetPostmortemOwner) Apply(inc *Incident, at time.Time) Applied {
	owner := PersonNamed(c.Owner)
	inc.Postmortem.Owner, inc.Postmortem.OwnerRemindedAt = owner, at.UTC()
	return Applied{Event: inc.recordAbout(at, EventStage, c.By, owner, "postmortem owner: "+owner.Label()), Owed: owe(OweOwnerNotice)}
}

// RequestDraft asks for the postmortem draft to be generated again from the
// incident's record.
type RequestDraft struct {
	By Person `json:"by"`
}

func (c *RequestDraft) read(args []string, t Typist) error { c.By = t.By; return noArgs(args) }

func (c RequestDraft) Asker() Person { return c.By }

func (c RequestDraft) Check(*Incident, time.Time) error { return nil }

func (c RequestDraft) Apply(inc *Incident, at time.Time) Applied {
	return Applied{Event: inc.record(at, EventStage, c.By, "postmortem draft requested"), Owed: owe(OweDraft)}
}

// FinishDraft says the owner wrote the draft: it goes to review.
type FinishDraft struct {
	By Person `json:"by"`
}

func (c *FinishDraft) read(args []string, t Typist) error { c.By = t.By; return noArgs(args) }

func (c FinishDraft) Asker() Person { return c.By }

func (c FinishDraft) Check(inc *Incident, _ time.Time) error {
	switch {
	case inc.Stage != StagePostmortem:
		return Errorf(ECONFLICT, "%s is in its %s stage, not writing its postmortem.", inc.ID, inc.Stage)
	case !inc.Postmortem.DraftedAt.IsZero():
		return Errorf(ECONFLICT, "The postmortem draft of %s is already marked written.", inc.ID)
	}
	return nil
}

func (c FinishDraft) Apply(inc *Incident, at time.Time) Applied {
	inc.Postmortem.DraftedAt, inc.Stage = at.UTC(), StageReview
	return fact(inc.record(at, EventStage, c.By, "postmortem draft written"))
}

// WaivePostmortem says an S3 or S4 needs no postmortem, and why. Only its
// commander may.
type WaivePostmortem struct {
	Reason string `json:"text"`
	By     Person `json:"by"`
}

func (c *WaivePostmortem) read(args []string, t Typist) error {
	if c.Reason, c.By = strings.Join(args, " "), t.By; c.Reason == "" {
		return Errorf(EINVALID, "Say why no postmortem is needed. Usage: `postmortem [ID] waive <reason>`")
	}
	return nil
}

func (c WaivePostmortem) Asker() Person { return c.By }

func (c WaivePostmortem) Check(inc *Incident, _ time.Time) error {
	pm := inc.Postmortem
	switch {
	case pm.Required || inc.Severity == S1 || inc.Severity == S2:
		return Errorf(EFORBIDDEN, "%s incidents require a postmortem; only S3 and S4 may waive it.", inc.Severity)
	case c.By.SlackID != "" && c.By.SlackID != inc.Commander.SlackID:
		return Errorf(EFORBIDDEN, "Only the commander (%s) may waive the postmortem of %s.", inc.Commander.Label(), inc.ID)
	case CleanText(c.Reason) == "":
		return Errorf(EINVALID, "Say why no postmortem is needed: `postmortem waive <reason>`.")
	case pm.Waived != "":
		return Errorf(ECONFLICT, "The postmortem of %s is already waived.", inc.ID)
	case !pm.ReviewedAt.IsZero():
		return Errorf(ECONFLICT, "The postmortem of %s was already reviewed.", inc.ID)
	}
	return checkText("A reason", c.Reason, true, "")
}

func (c WaivePostmortem) Apply(inc *Incident, at time.Time) Applied {
	reason := CleanText(c.Reason)
	inc.Postmortem.Waived, inc.Postmortem.WaivedBy = reason, c.By
	return fact(inc.record(at, EventStage, c.By, "postmortem waived: "+reason))
}

// RecordReview says the postmortem review meeting was held.
type RecordReview struct {
	Notes string `json:"text,omitempty"`
	By    Person `json:"by"`
}

func (c *RecordReview) read(args []string, t Typist) error {
	c.Notes, c.By = strings.Join(args, " "), t.By
	return nil
}

func (c RecordReview) Asker() Person { return c.By }

func (c RecordReview) Check(inc *Incident, _ time.Time) error {
	pm := inc.Postmortem
	switch {
	case pm.Waived != "":
		return Errorf(ECONFLICT, "The postmortem of %s was waived; there is nothing to review.", inc.ID)
	case !pm.ReviewedAt.IsZero():
		return Errorf(ECONFLICT, "The review of %s was already recorded by %s.", inc.ID, pm.ReviewedBy.Label())
	}
	return checkText("The review's notes", c.Notes, false, "")
}

func (c RecordReview) Apply(inc *Incident, at time.Time) Applied {
	pm := &inc.Postmortem
	pm.ReviewedAt, pm.ReviewedBy, inc.Stage = at.UTC(), c.By, StageReview
	if pm.DraftedAt.IsZero() {
		pm.DraftedAt = at.UTC()
	}
	return fact(inc.record(at, EventStage, c.By, "postmortem reviewed "+CleanText(c.Notes)))
}

// AddAction tracks an action item, so that the incident does not happen
// again; its owner is reminded until it is done.
type AddAction struct {
	Text  string    `json:"text"`
	Owner string    `json:"target"` // a Slack user ID, or a name
	Due   time.Time `json:"time"`
	By    Person    `json:"by"`
}

// read takes `<text> <@owner> due:<date>`, owner and due in any place.
func (c *AddAction) read(args []string, t Typist) error {
	var text []string
	var due string
	for _, w := range args {
		switch {
		case strings.HasPrefix(strings.ToLower(w), "due:"):
			due = w[len("due:"):]
		case c.Owner == "" && (strings.HasPrefix(w, "<@") || strings.HasPrefix(w, "@")):
			owner, err := t.person(w)
			if err != nil {
				return err
			}
			c.Owner = owner
		default:
			text = append(text, w)
		}
	}
	c.Text, c.By = strings.Join(text, " "), t.By
	if c.Text == "" || c.Owner == "" || due == "" {
		return Errorf(EINVALID, "An action item needs what, who and when. Usage: `action [ID] add <text> <@owner> due:<yyyy-mm-dd>`")
	}
	var err error
	c.Due, err = ParseDate(due, t.zone())
	return err
}

func (c AddAction) Asker() Person { return c.By }

func (c AddAction) Check(inc *Incident, now time.Time) error {
	switch n := utf8.RuneCountInString(CleanText(c.Text)); {
	case n == 0 || CleanText(c.Owner) == "":
		return Errorf(EINVALID, "An action item needs what and who: `action add <text> @owner due:2026-12-01`.")
	case utf8.RuneCountInString(CleanText(c.Owner)) > MaxNameRunes:
		return checkName(c.Owner, "")
	case n > MaxActionTextRunes:
		return Errorf(EINVALID, "The action item is %d characters long; keep it under %d and link the details.", n, MaxActionTextRunes)
	case c.Due.IsZero():
		return Errorf(EINVALID, "When is it due? Add `due:2026-12-01`.")
	case c.Due.Before(now.Add(-24 * time.Hour)):
		return Errorf(EINVALID, "The due date %s has passed.", c.Due.Format(time.DateOnly))
	case len(inc.Postmortem.Actions) >= MaxActions:
		return Errorf(EINVALID, "%s has %d action items already; track further work in your issue tracker.", inc.ID, MaxActions)
	}
	return nil
}

func (c AddAction) Apply(inc *Incident, at time.Time) Applied {
	pm := &inc.Postmortem
	owner := PersonNamed(c.Owner)
	a := Action{N: len(pm.Actions) + 1, Text: CleanText(c.Text), Owner: owner, Due: c.Due.UTC(), AddedBy: c.By}
	pm.Actions = append(pm.Actions, a)
	return fact(inc.recordAbout(at, EventAction, c.By, owner, fmt.Sprintf("action %d: %s (%s, due %s)", a.N, a.Text, owner.Label(), a.Due.Format(time.DateOnly))))
}

// FinishAction says an action item is done.
type FinishAction struct {
	N  int    `json:"count"`
	By Person `json:"by"`
}

func (c *FinishAction) read(args []string, t Typist) error {
	n, err := strconv.Atoi(strings.Join(args, ""))
	if err != nil || n <= 0 || len(args) != 1 {
		return Errorf(EINVALID, "Which action item? Usage: `action [ID] done <number>` (`show` lists them).")
	}
	c.N, c.By = n, t.By
	return nil
}

func (c FinishAction) Asker() Person { return c.By }

func (c FinishAction) Check(inc *Incident, _ time.Time) error {
	i := slices.IndexFunc(inc.Postmortem.Actions, func(a Action) bool { return a.N == c.N })
	switch {
	case i < 0:
		return Errorf(EINVALID, "%s has no action item %d (it has %d).", inc.ID, c.N, len(inc.Postmortem.Actions))
	case !inc.Postmortem.Actions[i].Open():
		return Errorf(ECONFLICT, "Action item %d is already done.", c.N)
	}
	return nil
}

func (c FinishAction) Apply(inc *Incident, at time.Time) Applied {
	pm := &inc.Postmortem
	a := &pm.Actions[slices.IndexFunc(pm.Actions, func(a Action) bool { return a.N == c.N })]
	a.DoneAt, a.DoneBy = at.UTC(), c.By
	return fact(inc.record(at, EventAction, c.By, fmt.Sprintf("action %d done: %s", a.N, a.Text)))
}

// Close ends the incident's life, once nothing keeps it open.
type Close struct {
	By Person `json:"by"`
}

func (c *Close) read(args []string, t Typist) error { c.By = t.By; return noArgs(args) }

func (c Close) Asker() Person { return c.By }

func (c Close) Check(inc *Incident, _ time.Time) error {
	if why := inc.CloseBlockers(); len(why) > 0 {
		return Errorf(ECONFLICT, "%s cannot be closed yet: %s.", inc.ID, joinReasons(why))
	}
	return nil
}

func (c Close) Apply(inc *Incident, at time.Time) Applied {
	inc.Postmortem.ClosedAt, inc.Stage = at.UTC(), StageClosed
	return fact(inc.record(at, EventStage, c.By, "closed"))
}
