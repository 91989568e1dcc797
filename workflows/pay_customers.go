package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// payCustomers does the incident's work for its customers: the resolution
// noted on their tickets, whoever follows up with them found and reminded
// of the tickets still unsolved, new tickets about the incident looked for.
func (w *incident) payCustomers(ctx workflow.Context, batch []Owed) []Owed {
	switch batch[0].Kind {
	case ib.OweTicketNotes:
		w.noteResolution(ctx)
	case ib.OweFollowUp:
		return unless(w.findFollowUpOwner(ctx), batch)
	case ib.OweFollowUpNote:
		w.remindFollowUp(ctx)
	case ib.OweTicketSearch:
		w.searchTickets(ctx)
	}
	return nil
}

// noteResolution puts the resolution on every linked ticket, in batches that
// keep their progress under Zendesk's rate limit.
func (w *incident) noteResolution(ctx workflow.Context) {
	var toNote []int64
	for _, t := range w.Tickets.Linked {
		if !t.Noted {
			toNote = append(toNote, t.ID)
		}
	}
	note := w.ResolutionNote()
	for rest := toNote; len(rest) > 0; {
		var left []int64
		if err := workflow.ExecuteActivity(zendeskCall(ctx), a.NoteTickets, activities.NotesInput{IDs: rest, Note: note}).Get(ctx, &left); err != nil {
			w.Note(workflow.Now(ctx), ib.EventNote, "Could not note the resolution on the customer tickets: "+ib.ErrorMessage(err))
			return
		}
		rest = left
	}
	for i := range w.Tickets.Linked {
		w.Tickets.Linked[i].Noted = true
	}
	w.take(ctx, ib.Applied{Event: w.Note(workflow.Now(ctx), ib.EventTicket, fmt.Sprintf("the resolution is noted on %d customer ticket(s)", len(toNote)))})
}

// findFollowUpOwner hands the follow-up with the customers to the customer
// reliability rotation's on-call, else the commander.
func (w *incident) findFollowUpOwner(ctx workflow.Context) bool {
	var owner ib.Person
	if !w.settle(ctx, "find who follows up with the customers", w.quick(ctx, slackCall, a.FollowUpOwner, workflow.Now(ctx)), &owner) {
		return false
	}
	if owner == (ib.Person{}) {
		owner = w.Commander
	}
	w.Tickets.FollowUpOwner = owner
	return true
}

// remindFollowUp reads the open follow-ups' statuses from Zendesk, so that
// nobody is reminded of a ticket solved since, then reminds whoever follows
// up of those still unsolved.
func (w *incident) remindFollowUp(ctx workflow.Context) {
	var ids []int64
	for _, t := range w.OpenFollowUps() {
		ids = append(ids, t.ID)
	}
	var now []ib.ZendeskTicket
	w.settle(ctx, "read the customer tickets", workflow.ExecuteActivity(zendeskCall(ctx), a.TicketStatuses, ids), &now)
	for _, t := range now {
		if e, changed := w.TicketStatus(t.ID, t.Status, workflow.Now(ctx)); changed {
			w.take(ctx, ib.Applied{Event: e})
		}
	}
	if len(w.OpenFollowUps()) > 0 {
		w.owe(w.OwedFor(w.FollowUpNotice(), "follow-up-"+workflow.Now(ctx).Format("20060102T1504"))...)
	}
}

// searchTickets looks in Zendesk for open customer tickets about the
// incident's services, and offers each new one once.
func (w *incident) searchTickets(ctx workflow.Context) {
	exclude := append([]int64{}, w.Tickets.Suggested...)
	for _, t := range w.Tickets.Linked {
		exclude = append(exclude, t.ID)
	}
	var found []ib.ZendeskTicket
	w.settle(ctx, "look for customer tickets", workflow.ExecuteActivity(zendeskCall(ctx), a.SuggestTickets, activities.SuggestInput{
		Services: w.Services, Since: w.Start().Add(-time.Hour), Exclude: exclude,
	}), &found)
	var fresh []ib.TicketEvent
	for _, t := range found {
		if w.Suggest(t.ID) {
			fresh = append(fresh, ib.TicketEvent{ID: t.ID, Subject: t.Subject, Status: t.Status})
		}
	}
	w.offer(fresh)
}
