package workflows

import (
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// escalateAfter is how long a page of this incident waits for an
// acknowledgement.
func (w *firstLoop) escalateAfter() time.Duration {
	if w.settings.EscalateAfter > 0 {
		return w.settings.EscalateAfter
	}
	return ib.EscalateAfter(w.Severity)
}

// follow carries a page to its end: it finds the chain (the on-call, the next
// in the rotation, the team's manager), messages each in turn, and escalates
// when nobody acknowledges in time. Each wait is a named, durable timer; the
// page's place in its chain is in the incident's state, so a continued run
// resumes where this one was, messaging nobody twice.
func (w *firstLoop) follow(ctx workflow.Context, id string) {
	if p, _ := w.Page(id); p.Chain == nil {
		var chain []ib.Person
		w.paging++
		w.settle(ctx, "find whom to page", workflow.ExecuteActivity(slackCall(ctx), a.PageChain,
			activities.PageChainInput{Target: p.Target, At: workflow.Now(ctx)}), &chain)
		w.paging--
		now := workflow.Now(ctx)
		w.tell(w.Paged(id, chain, now, now.Add(w.escalateAfter())))
		// PagerDuty goes beside the Slack page, never in front of it.
		workflow.Go(ctx, func(ctx workflow.Context) { w.updatePager(ctx, id, "trigger") })
	}
	for {
		p, _ := w.Page(id)
		if !p.Open() {
			return
		}
		if p.Sent <= p.Level {
			// A run continues as new only between these steps, so none is lost or repeated.
			w.paging++
			w.settle(ctx, "send a page", workflow.ExecuteActivity(slackCall(ctx), a.SendPage, activities.SendPageInput{
				To: p.Chain[p.Level], Page: p, Incident: w.Summary,
			}), nil)
			w.Pages[w.pageIndex(id)].Sent = p.Level + 1
			// Incidents paged before off-hours care existed replay without it.
			if workflow.GetVersion(ctx, "off-hours-care", workflow.DefaultVersion, 1) == 1 {
				w.checkCare(ctx, id, p.Chain[p.Level])
			}
			w.paging--
		}
		wait := p.NextAt.Sub(workflow.Now(ctx))
		acked, _ := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout: max(wait, time.Millisecond), TimerOptions: workflow.TimerOptions{Summary: "escalate page " + id},
		}, func() bool { q, _ := w.Page(id); return !q.Open() })
		if acked {
			w.updatePager(ctx, id, "acknowledge")
			return
		}
		now := workflow.Now(ctx)
		w.tell(w.Escalate(id, now, now.Add(w.escalateAfter())))
	}
}

func (w *firstLoop) pageIndex(id string) int {
	for i, p := range w.Pages {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// resumePages follows the pages a continued run inherits still open.
func (w *firstLoop) resumePages(ctx workflow.Context) {
	for _, p := range w.Pages {
		if p.Open() {
			id := p.ID
			workflow.Go(ctx, func(ctx workflow.Context) { w.follow(ctx, id) })
		}
	}
}

// tell queues a timeline event just recorded for the channel. Its key is the
// timeline's length, which every new event raises: no two posts share a key,
// even when they are made at the same instant.
func (w *firstLoop) tell(e ib.TimelineEvent) {
	msg := ib.NewMessage(ib.MsgEvent, w.Summary, strconv.Itoa(len(w.Timeline)))
	msg.Events = []ib.TimelineEvent{e}
	w.Outbox = append(w.Outbox, msg)
}

// pullIn invites the on-call of a service added to the incident, and names
// them among its responders.
func (w *firstLoop) pullIn(ctx workflow.Context, service string) {
	var found activities.Responders
	w.paging++
	defer func() { w.paging-- }()
	w.settle(ctx, "find who is on call for "+service, workflow.ExecuteActivity(slackCall(ctx), a.FindResponders,
		activities.ResponderInput{Services: []string{service}, At: workflow.Now(ctx)}), &found)
	var ids []string
	for _, r := range found.Responders {
		if !slices.ContainsFunc(w.Responders, func(have ib.Responder) bool { return have.SlackID == r.SlackID }) {
			w.Responders = append(w.Responders, r)
			ids = append(ids, r.SlackID)
		}
	}
	for _, s := range found.Unknown {
		w.tell(w.Note(workflow.Now(ctx), ib.EventNote, "The service catalog has no service "+s+"; nobody was paged for it."))
	}
	if len(ids) > 0 {
		w.settle(ctx, "invite the on-call of "+service, workflow.ExecuteActivity(slackCall(ctx), a.Invite,
			activities.InviteInput{ChannelID: w.Channel.ID, UserIDs: ids}), nil)
		w.Stale = true
	}
}

// updatePager tells PagerDuty what became of a page (acknowledged, or the
// incident resolved), for pages that went through it.
func (w *firstLoop) updatePager(ctx workflow.Context, id, action string) {
	p, _ := w.Page(id)
	w.paging++
	defer func() { w.paging-- }()
	w.settle(ctx, action+" the page in PagerDuty", workflow.ExecuteActivity(pagerCall(ctx), a.UpdatePagerDuty,
		activities.PagerDutyInput{Action: action, Page: p, Incident: w.Summary}), nil)
}

// checkCare records a page that reached its person outside their working
// hours, and sets their recovery reminder for the next working morning.
func (w *firstLoop) checkCare(ctx workflow.Context, id string, to ib.Person) {
	now := workflow.Now(ctx)
	var care activities.CareResult
	w.settle(ctx, "read the working hours of "+to.Label(), workflow.ExecuteActivity(slackCall(ctx), a.CareFor,
		activities.CareInput{Person: to, At: now}), &care)
	if !care.OffHours {
		return
	}
	w.tell(w.RecordOffHours(ib.OffHoursPage{Page: id, Person: to, At: now, Zone: care.Zone, RemindAt: care.RemindAt,
		Manager: care.Manager, Recovery: care.Recovery}))
	i := len(w.OffHours) - 1
	workflow.Go(ctx, func(ctx workflow.Context) { w.remindRecovery(ctx, i) })
}

// remindRecovery waits, on a durable timer, for the working morning after an
// off-hours page, and reminds the person (and their manager) of their
// recovery time. The reminder is marked given in the same step that sends
// it, so a continued run neither loses nor repeats it.
func (w *firstLoop) remindRecovery(ctx workflow.Context, i int) {
	o := w.OffHours[i]
	if wait := o.RemindAt.Sub(workflow.Now(ctx)); wait > 0 {
		_ = workflow.NewTimerWithOptions(ctx, wait, workflow.TimerOptions{Summary: "recovery reminder for " + o.Person.Label()}).Get(ctx, nil)
	}
	w.paging++
	defer func() { w.paging-- }()
	n, e := w.Recovered(i, workflow.Now(ctx))
	w.tell(e)
	w.notify(ctx, n, "recovery-"+strconv.Itoa(i))
}

// resumeRecoveries keeps the recovery reminders a continued run inherits.
func (w *firstLoop) resumeRecoveries(ctx workflow.Context) {
	for _, i := range w.PendingRecoveries() {
		workflow.Go(ctx, func(ctx workflow.Context) { w.remindRecovery(ctx, i) })
	}
}
