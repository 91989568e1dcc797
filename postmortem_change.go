package ib

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Changes of the postmortem stage, made once the incident is resolved.
const (
	ChangePostmortem      ChangeKind = "postmortem"       // begin the postmortem stage now
	ChangePostmortemOwner ChangeKind = "postmortem-owner" // reassign the postmortem (Target)
	ChangePostmortemDraft ChangeKind = "postmortem-draft" // generate the draft again
	ChangePostmortemDone  ChangeKind = "postmortem-done"  // the owner wrote the draft
	ChangeWaive           ChangeKind = "postmortem-waive" // no postmortem for an S3/S4 (Text as reason)
	ChangeReview          ChangeKind = "review"           // the review meeting was held (Text as notes)
	ChangeActionAdd       ChangeKind = "action-add"       // an action item (Text, Target as owner, Time as due)
	ChangeActionDone      ChangeKind = "action-done"      // an action item is done (Count as its N)
	ChangeClose           ChangeKind = "close"            // the incident's life ends
)

// PostmortemChanges are the changes of a resolved incident.
var PostmortemChanges = []ChangeKind{ChangePostmortem, ChangePostmortemOwner, ChangePostmortemDraft,
	ChangePostmortemDone, ChangeWaive, ChangeReview, ChangeActionAdd, ChangeActionDone, ChangeClose}

// afterResolution says whether a change belongs to the postmortem stage.
func (k ChangeKind) afterResolution() bool { return slices.Contains(PostmortemChanges, k) }

// stillAllowed are the changes of an active incident that a resolved one
// still takes: what people learn while writing the postmortem.
func (k ChangeKind) stillAllowed() bool {
	return k == ChangeNote || k == ChangeLink || k == ChangeTicketWaive
}

// checkStage refuses a change the incident's stage does not take.
func (inc *Incident) checkStage(c Change) error {
	switch {
	case inc.Stage == StageClosed:
		return Errorf(ECONFLICT, "%s is closed; nothing more can change.", inc.ID)
	case c.Kind.afterResolution() && inc.Status != Resolved:
		return Errorf(ECONFLICT, "%s is still open: its postmortem begins once it is resolved (`/ib resolve`).", inc.ID)
	case inc.Status == Resolved && !c.Kind.afterResolution() && !c.Kind.stillAllowed():
		return Errorf(ECONFLICT, "%s is already resolved; what is left is its postmortem: `/ib postmortem`, `/ib action`, `/ib review done`, `/ib close`.", inc.ID)
	}
	return nil
}

func (inc *Incident) checkPostmortem(c Change, now time.Time) error {
	pm := inc.Postmortem
	switch c.Kind {
	case ChangePostmortem:
		if inc.Stage != StageActive {
			return Errorf(ECONFLICT, "%s is already in its %s stage.", inc.ID, inc.Stage)
		}
		if pm.Waived != "" {
			return Errorf(ECONFLICT, "The postmortem of %s was waived: %s", inc.ID, pm.Waived)
		}
	case ChangePostmortemOwner:
		if CleanText(c.Target) == "" {
			return Errorf(EINVALID, "Who owns it? `postmortem owner @someone`.")
		}
	case ChangePostmortemDraft:
	case ChangePostmortemDone:
		switch {
		case inc.Stage != StagePostmortem:
			return Errorf(ECONFLICT, "%s is in its %s stage, not writing its postmortem.", inc.ID, inc.Stage)
		case !pm.DraftedAt.IsZero():
			return Errorf(ECONFLICT, "The postmortem draft of %s is already marked written.", inc.ID)
		}
	case ChangeWaive:
		switch {
		case pm.Required || inc.Severity == S1 || inc.Severity == S2:
			return Errorf(EFORBIDDEN, "%s incidents require a postmortem; only S3 and S4 may waive it.", inc.Severity)
		case c.By.SlackID != "" && c.By.SlackID != inc.Commander.SlackID:
			return Errorf(EFORBIDDEN, "Only the commander (%s) may waive the postmortem of %s.", inc.Commander.Label(), inc.ID)
		case CleanText(c.Text) == "":
			return Errorf(EINVALID, "Say why no postmortem is needed: `postmortem waive <reason>`.")
		case pm.Waived != "":
			return Errorf(ECONFLICT, "The postmortem of %s is already waived.", inc.ID)
		case !pm.ReviewedAt.IsZero():
			return Errorf(ECONFLICT, "The postmortem of %s was already reviewed.", inc.ID)
		}
	case ChangeReview:
		switch {
		case pm.Waived != "":
			return Errorf(ECONFLICT, "The postmortem of %s was waived; there is nothing to review.", inc.ID)
		case !pm.ReviewedAt.IsZero():
			return Errorf(ECONFLICT, "The review of %s was already recorded by %s.", inc.ID, pm.ReviewedBy.Label())
		}
	case ChangeActionAdd:
		switch n := utf8.RuneCountInString(CleanText(c.Text)); {
		case n == 0 || CleanText(c.Target) == "":
			return Errorf(EINVALID, "An action item needs what and who: `action add <text> @owner due:2026-12-01`.")
		case n > MaxActionTextRunes:
			return Errorf(EINVALID, "The action item is %d characters long; keep it under %d and link the details.", n, MaxActionTextRunes)
		case c.Time.IsZero():
			return Errorf(EINVALID, "When is it due? Add `due:2026-12-01`.")
		case c.Time.Before(now.Add(-24 * time.Hour)):
			return Errorf(EINVALID, "The due date %s has passed.", c.Time.Format(time.DateOnly))
		case len(pm.Actions) >= MaxActions:
			return Errorf(EINVALID, "%s has %d action items already; track further work in your issue tracker.", inc.ID, MaxActions)
		}
	case ChangeActionDone:
		i := slices.IndexFunc(pm.Actions, func(a Action) bool { return a.N == c.Count })
		switch {
		case i < 0:
			return Errorf(EINVALID, "%s has no action item %d (it has %d).", inc.ID, c.Count, len(pm.Actions))
		case !pm.Actions[i].Open():
			return Errorf(ECONFLICT, "Action item %d is already done.", c.Count)
		}
	case ChangeClose:
		if why := inc.CloseBlockers(); len(why) > 0 {
			return Errorf(ECONFLICT, "%s cannot be closed yet: %s.", inc.ID, joinReasons(why))
		}
	}
	return nil
}

func joinReasons(why []string) string {
	if len(why) == 1 {
		return why[0]
	}
	return fmt.Sprintf("%s; and %s", why[0], joinReasons(why[1:]))
}

// applyPostmortem makes a postmortem change that checkPostmortem accepted.
func (inc *Incident) applyPostmortem(c Change, at time.Time) TimelineEvent {
	pm := &inc.Postmortem
	text := CleanText(c.Text)
	switch c.Kind {
	case ChangePostmortem:
		return inc.StartPostmortem(at, c.By)
	case ChangePostmortemOwner:
		owner := PersonNamed(c.Target)
		pm.Owner, pm.OwnerRemindedAt = owner, at.UTC()
		return inc.record(at, EventStage, c.By, "postmortem owner: "+owner.Label())
	case ChangePostmortemDraft:
		return inc.record(at, EventStage, c.By, "postmortem draft requested")
	case ChangePostmortemDone:
		pm.DraftedAt, inc.Stage = at.UTC(), StageReview
		return inc.record(at, EventStage, c.By, "postmortem draft written")
	case ChangeWaive:
		pm.Waived, pm.WaivedBy = text, c.By
		return inc.record(at, EventStage, c.By, "postmortem waived: "+text)
	case ChangeReview:
		pm.ReviewedAt, pm.ReviewedBy, inc.Stage = at.UTC(), c.By, StageReview
		if pm.DraftedAt.IsZero() {
			pm.DraftedAt = at.UTC()
		}
		return inc.record(at, EventStage, c.By, "postmortem reviewed "+text)
	case ChangeActionAdd:
		owner := PersonNamed(c.Target)
		a := Action{N: len(pm.Actions) + 1, Text: text, Owner: owner, Due: c.Time.UTC(), AddedBy: c.By}
		pm.Actions = append(pm.Actions, a)
		return inc.record(at, EventAction, c.By, fmt.Sprintf("action %d: %s (%s, due %s)", a.N, a.Text, owner.Label(), a.Due.Format(time.DateOnly)))
	case ChangeActionDone:
		a := &pm.Actions[slices.IndexFunc(pm.Actions, func(a Action) bool { return a.N == c.Count })]
		a.DoneAt, a.DoneBy = at.UTC(), c.By
		return inc.record(at, EventAction, c.By, fmt.Sprintf("action %d done: %s", a.N, a.Text))
	default: // ChangeClose
		pm.ClosedAt, inc.Stage = at.UTC(), StageClosed
		return inc.record(at, EventStage, c.By, "closed")
	}
}

// PersonNamed is the person a command names: a Slack user by ID, else by name.
func PersonNamed(target string) Person {
	target = CleanText(target)
	if IsSlackUserID(target) {
		return Person{SlackID: target}
	}
	return Person{Name: target}
}
