package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// openRoom creates the channel, then sets it up and announces the incident in
// parallel: one activity on the way to the channel, one more to a ready room.
// Who is on call is found while the channel is made: before cheaperCalls by
// an activity beside it; since, by a quick call once the channel is made (a
// quick call in the first workflow task would hold back the channel's
// activity until it returned).
func (w *incident) openRoom(ctx workflow.Context) error {
	in := activities.ResponderInput{Services: w.Services, Severity: w.Severity, At: w.DeclaredAt}
	var responders workflow.Future
	if !w.cheaperCalls {
		responders = workflow.ExecuteActivity(slackCall(ctx), a.FindResponders, in)
	}
	if err := workflow.ExecuteActivity(slackCall(ctx), a.OpenChannel, w.Summary).Get(ctx, &w.Channel); err != nil {
		return err
	}
	if responders == nil {
		responders = w.quick(ctx, slackCall, a.FindResponders, in)
	}
	var found activities.Responders
	w.settle(ctx, "find who is on call", responders, &found)
	w.Responders = found.Responders
	if w.Rules.LivedIn {
		w.KeepLinks(found.Links)
		w.pageRotations(ctx, found.AlwaysPaged)
	}
	for _, s := range found.Unknown {
		w.Note(workflow.Now(ctx), ib.EventNote, "The service catalog has no service "+s+"; nobody was paged for it.")
	}
	// The gateway finds the incident of a channel by this attribute.
	if err := workflow.UpsertTypedSearchAttributes(ctx, ChannelKey.ValueSet(w.Channel.ID)); err != nil {
		w.log.Error("could not index the channel", "error", err)
	}
	var problem workflow.Future
	if w.settings.WantsProblemTicket(w.Severity) {
		problem = w.openProblem(ctx)
	}
	topic := w.quick(ctx, slackCall, a.SetTopic, w.Summary)
	invite := w.quick(ctx, slackCall, a.Invite, activities.InviteInput{ChannelID: w.Channel.ID, UserIDs: w.people(), Incident: w.Summary})
	header := workflow.ExecuteActivity(slackCall(ctx), a.Post, activities.PostInput{Channel: w.Channel.ID, Message: ib.NewMessage(ib.MsgHeader, w.Summary, "")})
	announce := workflow.ExecuteActivity(slackCall(ctx), a.Post, activities.PostInput{Announce: true, Message: ib.NewMessage(ib.MsgAnnouncement, w.Summary, "")})
	w.settle(ctx, "set the topic", topic, nil)
	w.settle(ctx, "invite the commander and declarer", invite, nil)
	w.settle(ctx, "post the header", header, &w.Channel.HeaderTS)
	w.settle(ctx, "announce the incident", announce, nil)
	if problem != nil {
		w.keepProblem(ctx, problem)
	}
	return nil
}

// pageRotations pages the rotations every incident of its severity pages (the
// catalog's always_paged): like any page, until someone acknowledges it.
func (w *incident) pageRotations(ctx workflow.Context, rotations []string) {
	for _, r := range rotations {
		page := &ib.SendPage{Target: r, Message: fmt.Sprintf("Every %s incident pages %s.", w.Severity, r), By: ib.Bot}
		w.take(ctx, w.Make(page, workflow.Now(ctx)))
	}
}

// people are the Slack users to invite on declaration: commander, declarer
// and whoever is on call for the incident, each once.
func (w *incident) people() []string { return slackIDs(w.Commander, w.Declarer, w.Responders) }

// openProblem opens the incident's problem ticket (once, whatever the retries).
func (w *incident) openProblem(ctx workflow.Context) workflow.Future {
	return workflow.ExecuteActivity(zendeskCall(ctx), a.CreateProblemTicket, w.Summary)
}

// keepProblem records the problem ticket an openProblem opened.
func (w *incident) keepProblem(ctx workflow.Context, f workflow.Future) {
	var p activities.ProblemTicket
	w.settle(ctx, "open the Zendesk problem ticket", f, &p)
	if p.ID == 0 || w.Tickets.ProblemID != 0 {
		return
	}
	w.Tickets.ProblemID, w.Tickets.ProblemURL = p.ID, p.URL
	w.take(ctx, ib.Applied{Event: w.Note(workflow.Now(ctx), ib.EventTicket, fmt.Sprintf("Zendesk problem ticket %d: %s", p.ID, p.URL))})
}
