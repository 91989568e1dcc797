package workflows

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// wantsProblemTicket says whether the incident opens a Zendesk problem ticket
// when declared.
func (w *firstLoop) wantsProblemTicket() bool {
	for _, sev := range w.settings.ProblemTickets {
		if sev == w.Severity {
			return true
		}
	}
	return false
}

// openProblem opens the incident's problem ticket (once, whatever the retries).
func (w *firstLoop) openProblem(ctx workflow.Context) workflow.Future {
	return workflow.ExecuteActivity(zendeskCall(ctx), a.CreateProblemTicket, w.Summary)
}

// keepProblem records the problem ticket an openProblem opened.
func (w *firstLoop) keepProblem(ctx workflow.Context, f workflow.Future) {
	var p activities.ProblemTicket
	w.settle(ctx, "open the Zendesk problem ticket", f, &p)
	if p.ID == 0 || w.Tickets.ProblemID != 0 {
		return
	}
	w.Tickets.ProblemID, w.Tickets.ProblemURL = p.ID, p.URL
	w.tell(w.Note(workflow.Now(ctx), ib.EventTicket, fmt.Sprintf("Zendesk problem ticket %d: %s", p.ID, p.URL)))
	w.Stale = true
}

// handleTicketLinks registers the update that links customer tickets. Whether
// a ticket can be linked is Zendesk's to say (does it exist, is it closed,
// is it another problem's), so the handler asks it and answers per ticket.
func (w *firstLoop) handleTicketLinks(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateLinkTickets,
		func(ctx workflow.Context, req LinkRequest) (ib.LinkResult, error) {
			if w.Tickets.ProblemID == 0 {
				w.keepProblem(ctx, w.openProblem(ctx))
				if w.Tickets.ProblemID == 0 {
					return ib.LinkResult{}, refusal(ib.Errorf(ib.EUNAVAILABLE, "Could not open the incident's Zendesk problem ticket; try again in a minute."))
				}
			}
			var outcomes []ib.TicketOutcome
			err := workflow.ExecuteActivity(zendeskCall(ctx), a.LinkTickets, activities.LinkInput{
				ProblemID: w.Tickets.ProblemID, IDs: req.IDs, IncidentID: w.ID, Title: w.Title, Channel: w.Channel.Name,
			}).Get(ctx, &outcomes)
			if err != nil {
				return ib.LinkResult{}, activityRefusal(err)
			}
			now := workflow.Now(ctx)
			for _, o := range outcomes {
				if _, have := w.LinkedTicket(o.ID); o.Linked && !have {
					w.tell(w.LinkTicket(ib.Ticket{ID: o.ID, Subject: o.Subject, Status: o.Status, URL: o.URL, LinkedAt: now, LinkedBy: req.By}))
					w.Stale = true
				}
			}
			return ib.LinkResult{Summary: w.Summary, Outcomes: outcomes}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req LinkRequest) error {
			return refusal(w.CheckLink(req.IDs))
		}},
	)
}

// listenForTickets takes Zendesk's news of tickets (SignalTicket) for as long
// as the run lasts, the same way listen takes channel events.
func (w *firstLoop) listenForTickets(ctx workflow.Context) {
	w.ticketNews = workflow.GetSignalChannel(ctx, SignalTicket)
	listenTo(ctx, w.ticketNews, w.takeTicketNews)
}

func (w *firstLoop) takeTicketNews(ctx workflow.Context) {
	var fresh []ib.TicketEvent
	drain(w.ticketNews, func(e ib.TicketEvent) {
		if ev, changed := w.TicketStatus(e.ID, e.Status, workflow.Now(ctx)); changed {
			w.tell(ev)
			w.Stale = true
		} else if w.Status != ib.Resolved && w.Suggest(e.ID) {
			fresh = append(fresh, e)
		}
	})
	w.offer(fresh)
}

// offer posts customer tickets that may be about the incident, each with a
// button to link it.
func (w *firstLoop) offer(tickets []ib.TicketEvent) {
	if len(tickets) == 0 {
		return
	}
	msg := ib.NewMessage(ib.MsgSuggestion, w.Summary, "suggest-"+strconv.FormatInt(tickets[0].ID, 10))
	msg.Tickets = tickets
	w.Outbox = append(w.Outbox, msg)
}

// suggestLoop looks in Zendesk, every SuggestTickets, for open customer
// tickets about the incident's services, for as long as it is active, and
// offers each new one once.
func (w *firstLoop) suggestLoop(ctx workflow.Context) {
	for w.Status != ib.Resolved {
		resolved, _ := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout: w.settings.SuggestTickets, TimerOptions: workflow.TimerOptions{Summary: "look for customer tickets"},
		}, func() bool { return w.Status == ib.Resolved })
		if resolved {
			return
		}
		exclude := append([]int64{}, w.Tickets.Suggested...)
		for _, t := range w.Tickets.Linked {
			exclude = append(exclude, t.ID)
		}
		var found []ib.ZendeskTicket
		w.paging++
		w.settle(ctx, "look for customer tickets", workflow.ExecuteActivity(zendeskCall(ctx), a.SuggestTickets, activities.SuggestInput{
			Services: w.Services, Since: w.Start().Add(-time.Hour), Exclude: exclude,
		}), &found)
		w.paging--
		var fresh []ib.TicketEvent
		for _, t := range found {
			if w.Suggest(t.ID) {
				fresh = append(fresh, ib.TicketEvent{ID: t.ID, Subject: t.Subject, Status: t.Status})
			}
		}
		w.offer(fresh)
	}
}

// closeTheLoop, once the incident is resolved, puts the resolution on every
// linked ticket and hands the follow-up with the customers to the customer
// reliability rotation's on-call (else the commander).
func (w *firstLoop) closeTheLoop(ctx workflow.Context) {
	var toNote []int64
	for _, t := range w.Tickets.Linked {
		if !t.Noted {
			toNote = append(toNote, t.ID)
		}
	}
	if len(toNote) > 0 {
		note := w.ResolutionNote()
		for rest := toNote; len(rest) > 0; {
			var left []int64
			if err := workflow.ExecuteActivity(zendeskCall(ctx), a.NoteTickets, activities.NotesInput{IDs: rest, Note: note}).Get(ctx, &left); err != nil {
				w.Note(workflow.Now(ctx), ib.EventNote, "Could not note the resolution on the customer tickets: "+ib.ErrorMessage(err))
				break
			}
			rest = left
		}
		for i := range w.Tickets.Linked {
			w.Tickets.Linked[i].Noted = true
		}
		w.tell(w.Note(workflow.Now(ctx), ib.EventTicket, fmt.Sprintf("the resolution is noted on %d customer ticket(s)", len(toNote))))
	}
	if len(w.OpenFollowUps()) > 0 && w.Tickets.FollowUpOwner == (ib.Person{}) {
		var owner ib.Person
		w.settle(ctx, "find who follows up with the customers", workflow.ExecuteActivity(slackCall(ctx), a.FollowUpOwner, workflow.Now(ctx)), &owner)
		if owner == (ib.Person{}) {
			owner = w.Commander
		}
		w.Tickets.FollowUpOwner = owner
	}
}

// refreshTickets reads the open follow-ups' statuses from Zendesk before a
// reminder, so that nobody is reminded of a ticket solved since.
func (w *firstLoop) refreshTickets(ctx workflow.Context) {
	var ids []int64
	for _, t := range w.OpenFollowUps() {
		ids = append(ids, t.ID)
	}
	var now []ib.ZendeskTicket
	w.settle(ctx, "read the customer tickets", workflow.ExecuteActivity(zendeskCall(ctx), a.TicketStatuses, ids), &now)
	for _, t := range now {
		if e, changed := w.TicketStatus(t.ID, t.Status, workflow.Now(ctx)); changed {
			w.tell(e)
			w.Stale = true
		}
	}
}
