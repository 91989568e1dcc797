package workflows

import (
	"fmt"
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// payPostmortem carries the postmortem stage a step: planned in the
// commander's zone at resolution; once the stage begins, an owner (the
// primary service's on-call, else the commander) with a deadline; the draft
// written from the incident's record; and a word to the owner.
func (w *incident) payPostmortem(ctx workflow.Context, batch []Owed) []Owed {
	switch o := batch[0]; o.Kind {
	case ib.OwePlan:
		return unless(w.plan(ctx), batch)
	case ib.OweOwner:
		return unless(w.assignOwner(ctx), batch)
	case ib.OweDraft:
		return unless(w.draft(ctx, o.Tried), batch)
	default: // ib.OweOwnerNotice
		w.tellOwner()
		return nil
	}
}

// plan plans the postmortem stage and the review in the commander's zone.
func (w *incident) plan(ctx workflow.Context) bool {
	if !w.Postmortem.StartAt.IsZero() {
		return true
	}
	var zone string
	if !w.settle(ctx, "read the commander's time zone", w.quick(ctx, slackCall, a.UserZone, w.Commander.SlackID), &zone) {
		return false
	}
	w.PlanPostmortem(w.settings.Postmortem, zone)
	pm := w.Postmortem
	w.take(ctx, ib.Applied{Event: w.Note(workflow.Now(ctx), ib.EventStage, fmt.Sprintf(
		"The postmortem stage begins %s (`/ib postmortem` begins it now); the review meeting is %s.",
		ib.Stamp(pm.StartAt), ib.Stamp(pm.ReviewAt)), pm.StartAt, pm.ReviewAt)})
	return true
}

// assignOwner gives the postmortem its owner and deadline once its stage has
// begun: the one already named, else the primary service's on-call (the
// next in the rotation while they recover from an off-hours page), else the
// commander.
func (w *incident) assignOwner(ctx workflow.Context) bool {
	if !w.NeedsOwner() {
		return true
	}
	choice := activities.OwnerChoice{Owner: w.Postmortem.Owner}
	if choice.Owner == (ib.Person{}) && !w.findOwner(ctx, &choice) {
		return false
	}
	if choice.Owner == (ib.Person{}) {
		choice.Owner = w.Commander
	}
	now := workflow.Now(ctx)
	a := ib.Applied{Event: w.AssignOwner(choice.Owner, w.settings.Postmortem, now)}
	if choice.Passed != (ib.Person{}) {
		a.Also = []ib.TimelineEvent{w.Note(now, ib.EventStage, fmt.Sprintf(
			"%s is still recovering from a page outside working hours, so the postmortem went to %s.", choice.Passed.Label(), choice.Owner.Label()))}
	}
	w.take(ctx, a)
	w.owe(ib.Owed{Kind: ib.OweDraft}, ib.Owed{Kind: ib.OweOwnerNotice})
	return true
}

// findOwner asks the catalog who owns the postmortem; runs since lived-in
// pass over anyone still recovering.
func (w *incident) findOwner(ctx workflow.Context, choice *activities.OwnerChoice) bool {
	in := activities.OwnerInput{Services: w.Services, At: workflow.Now(ctx)}
	if !w.Rules.LivedIn {
		return w.settle(ctx, "find the postmortem's owner", w.quick(ctx, slackCall, a.PostmortemOwner, in), &choice.Owner)
	}
	in.Recovering = w.Recovering(in.At)
	return w.settle(ctx, "find the postmortem's owner", w.quick(ctx, slackCall, a.ChoosePostmortemOwner, in), choice)
}

// draft writes the postmortem draft from the incident's record, uploads it
// to the channel and exports the channel beside it.
func (w *incident) draft(ctx workflow.Context, lookFirst bool) bool {
	var d activities.Draft
	if !w.settle(ctx, "write the postmortem draft", workflow.ExecuteActivity(documentCall(ctx), a.DraftPostmortem,
		activities.DraftInput{Incident: w.Incident, Version: w.Postmortem.Drafts + 1, LookFirst: lookFirst}), &d) {
		return false
	}
	if d.Activity != nil {
		w.Activity = *d.Activity
	}
	if d.Location != "" {
		w.Postmortem.Drafts++
		w.Postmortem.Document = d.Location
		w.take(ctx, ib.Applied{Event: w.Note(workflow.Now(ctx), ib.EventStage, fmt.Sprintf(
			"Postmortem draft %d is uploaded here; the channel's history is exported beside it in the document store.", w.Postmortem.Drafts))})
	}
	return true
}

// tellOwner owes the postmortem's owner a word of it and its deadline, once
// the owner has one; an owner named before the stage began is told when it
// begins.
func (w *incident) tellOwner() {
	pm := w.Postmortem
	if pm.DueAt.IsZero() {
		return
	}
	n := ib.Notice{To: []ib.Person{pm.Owner}, Text: fmt.Sprintf(
		"📝 You own the postmortem of %s (%s). The draft is due %s. Start from the draft generated in #%s. When it is written: `/ib postmortem %s done`.",
		w.ID, w.Title, pm.DueAt.In(pm.Location()).Format("Mon 2 Jan 15:04 MST"), w.Channel.Name, w.ID)}
	w.owe(w.OwedFor(n, "owner-"+strconv.Itoa(len(w.Timeline)))...)
}
