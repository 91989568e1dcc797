package workflows

import (
	"slices"
	"strconv"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// handle registers how the incident answers the front doors: its state
// (QueryState), every change of the command table (an Update each), and the
// linking of customer tickets.
func (w *incident) handle(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, w.state); err != nil {
		return err
	}
	for _, v := range ib.Verbs {
		if v.Update == "" {
			continue
		}
		err := workflow.SetUpdateHandlerWithOptions(ctx, v.Update,
			func(ctx workflow.Context, payload converter.RawValue) (ib.Changed, error) {
				c, err := decodeChange(v, payload)
				if err != nil {
					return ib.Changed{Summary: w.Summary}, err
				}
				applied := w.Make(c, workflow.Now(ctx))
				w.take(ctx, applied)
				return ib.Changed{Summary: w.Summary, Event: applied.Answer()}, nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, payload converter.RawValue) error {
				c, err := decodeChange(v, payload)
				if err != nil {
					return err
				}
				if err := w.settings.Available(v); err != nil {
					return refusal(err)
				}
				return refusal(w.Check(c, workflow.Now(ctx)))
			}},
		)
		if err != nil {
			return err
		}
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateLinkTickets, w.linkTickets,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req LinkRequest) error {
			ticket, _ := ib.VerbNamed("ticket")
			if err := w.settings.Available(ticket); err != nil {
				return refusal(err)
			}
			return refusal(w.CheckLink(req.IDs))
		}})
}

// state answers QueryState: the whole incident, with its response's metrics.
func (w *incident) state() (ib.Incident, error) {
	inc := w.Incident
	m := inc.ResponseMetrics()
	inc.Metrics = &m
	return inc, nil
}

// takeSignals takes every signal waiting, without yielding: a coroutine
// blocked in Receive would be handed a signal and only see it on its next
// turn, and a signal handed over just before a continue-as-new would be lost.
func (w *incident) takeSignals(ctx workflow.Context) {
	drain(w.events, func(e ib.ChannelEvent) { w.observe(ctx, e) })
	drain(w.ticketNews, func(e ib.TicketEvent) { w.ticketNewsCame(ctx, e) })
	drain(w.recurrences, func(id string) { w.take(ctx, ib.Applied{Event: w.Recurred(id, workflow.Now(ctx))}) })
}

// observe takes each channel event once, however often Slack delivers it:
// whoever acts takes part, and a message marked with 🧾 or 📌 is collected
// (fetched, and confirmed with the bot's own reaction) or withdrawn.
func (w *incident) observe(ctx workflow.Context, e ib.ChannelEvent) {
	if e.ID != "" {
		if slices.ContainsFunc(w.Seen, func(s SeenEvent) bool { return s.ID == e.ID }) {
			return
		}
		w.Seen = remember(w.Seen, e.ID, workflow.Now(ctx), rememberEventsFor, rememberedEvents)
	}
	w.Observe(e)
	added, withdrawn := w.Collect(e)
	w.Compact()
	if added != nil {
		w.owe(ib.Owed{Kind: ib.OweFetch, Ref: added.TS}, ib.Owed{Kind: ib.OweReaction, Ref: added.TS, Emoji: added.Emoji})
	}
	if withdrawn != nil {
		w.owe(ib.Owed{Kind: ib.OweReaction, Ref: withdrawn.TS, Emoji: withdrawn.Emoji, Undo: true})
	}
}

// ticketNewsCame takes Zendesk's news of a ticket: a linked ticket's new
// status, or a new ticket about the incident, offered once while it is
// active.
func (w *incident) ticketNewsCame(ctx workflow.Context, e ib.TicketEvent) {
	e = e.Bounded()
	if ev, changed := w.TicketStatus(e.ID, e.Status, workflow.Now(ctx)); changed {
		w.take(ctx, ib.Applied{Event: ev})
	} else if w.Status != ib.Resolved && w.Suggest(e.ID) {
		w.offer([]ib.TicketEvent{e})
	}
}

// offer owes the channel a post of customer tickets that may be about the
// incident, each with a button to link it.
func (w *incident) offer(tickets []ib.TicketEvent) {
	if len(tickets) == 0 {
		return
	}
	msg := ib.NewMessage(ib.MsgSuggestion, ib.Summary{ID: w.ID}, "suggest-"+strconv.FormatInt(tickets[0].ID, 10))
	msg.Incident, msg.Tickets = ib.Summary{}, tickets
	w.owe(ib.Owed{Kind: ib.OwePost, Message: &msg})
}

// linkTickets links customer tickets to the incident's problem ticket
// (opened first if need be). Whether a ticket can be linked is Zendesk's to
// say (does it exist, is it closed, is it another problem's), so the handler
// asks it and answers per ticket, one link at a time.
func (w *incident) linkTickets(ctx workflow.Context, req LinkRequest) (ib.LinkResult, error) {
	if err := w.linking.Lock(ctx); err != nil {
		return ib.LinkResult{}, err
	}
	defer w.linking.Unlock()
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
			w.take(ctx, ib.Applied{Event: w.LinkTicket(ib.Ticket{ID: o.ID, Subject: o.Subject, Status: o.Status, URL: o.URL, LinkedAt: now, LinkedBy: req.By})})
		}
	}
	return ib.LinkResult{Summary: w.Summary, Outcomes: outcomes}, nil
}
