package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// payPage carries a page a step further: whom it goes to (the on-call, the
// next in the rotation, the team's manager), the message to whom it has
// reached, and whether that reached them off-hours. Its escalation is a due
// time in the incident's state, so a continued run resumes where this one
// was, messaging nobody twice.
func (w *incident) payPage(ctx workflow.Context, batch []Owed) []Owed {
	o := batch[0]
	p, _ := w.Page(o.Ref)
	switch o.Kind {
	case ib.OwePageChain:
		var chain []ib.Person
		if !w.settle(ctx, "find whom to page", w.quick(ctx, slackCall, a.PageChain,
			activities.PageChainInput{Target: p.Target, At: workflow.Now(ctx)}), &chain) {
			return batch
		}
		now := workflow.Now(ctx)
		w.take(ctx, ib.Applied{Event: w.Paged(p.ID, chain, now, now.Add(w.settings.PageTimeout(w.Severity)))})
		if paged, _ := w.Page(p.ID); paged.Open() {
			// PagerDuty goes beside the Slack page, never in front of it.
			w.owe(ib.Owed{Kind: ib.OwePageSend, Ref: p.ID}, ib.Owed{Kind: ib.OwePager, Ref: p.ID, Action: ib.PagerTrigger})
		}
	case ib.OwePageSend:
		if !p.Open() || p.Sent > p.Level {
			return nil
		}
		to := p.Chain[p.Level]
		if !w.settle(ctx, "send a page", workflow.ExecuteActivity(slackCall(ctx), a.SendPage, activities.SendPageInput{
			To: to, Page: p, Incident: w.Summary, LookFirst: o.Tried,
		}), nil) {
			return batch
		}
		w.PageSent(p.ID, workflow.Now(ctx).Add(w.settings.PageTimeout(w.Severity)))
		w.owe(ib.Owed{Kind: ib.OweCare, Ref: p.ID, Person: to})
	case ib.OweCare:
		return unless(w.checkCare(ctx, p.ID, o.Person), batch)
	}
	return nil
}

// checkCare records a page that reached its person outside their working
// hours, with the recovery reminder for their next working morning.
func (w *incident) checkCare(ctx workflow.Context, id string, to ib.Person) bool {
	now := workflow.Now(ctx)
	var care activities.CareResult
	if !w.settle(ctx, "read the working hours of "+to.Label(), w.quick(ctx, slackCall, a.CareFor,
		activities.CareInput{Person: to, At: now}), &care) {
		return false
	}
	if care.OffHours {
		w.take(ctx, ib.Applied{Event: w.RecordOffHours(ib.OffHoursPage{Page: id, Person: to, At: now, Zone: care.Zone,
			RemindAt: care.RemindAt, Manager: care.Manager, Recovery: care.Recovery, RecoveredAt: care.RecoveredAt})})
	}
	return true
}

// payResponders invites the on-call of a service added to the incident, and
// names them among its responders.
func (w *incident) payResponders(ctx workflow.Context, batch []Owed) []Owed {
	service := batch[0].Ref
	var found activities.Responders
	if !w.settle(ctx, "find who is on call for "+service, w.quick(ctx, slackCall, a.FindResponders,
		activities.ResponderInput{Services: []string{service}, At: workflow.Now(ctx)}), &found) {
		return batch
	}
	var ids []string
	added := false
	for _, r := range found.Responders {
		ids = append(ids, r.SlackID)
		if !slices.ContainsFunc(w.Responders, func(have ib.Responder) bool { return have.SlackID == r.SlackID }) {
			w.Responders, added = append(w.Responders, r), true
		}
	}
	if added {
		w.refresh(ctx)
	}
	for _, s := range found.Unknown {
		w.tell(w.Note(workflow.Now(ctx), ib.EventNote, "The service catalog has no service "+s+"; nobody was paged for it."))
	}
	if len(ids) == 0 {
		return nil
	}
	// Everyone found is invited, so that a step called off and done again
	// invites those the first try did not reach (Slack takes the others).
	return unless(w.settle(ctx, "invite the on-call of "+service, w.quick(ctx, slackCall, a.Invite,
		activities.InviteInput{ChannelID: w.Channel.ID, UserIDs: ids, Incident: w.Summary}), nil), batch)
}
