package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// The contract of a service's alert watch with the front doors.
const (
	// WatchWorkflowType is the registered name of WatchWorkflow.
	WatchWorkflowType = "ServiceWatch"
	// SignalAlerts carries an AlertBatch: a service's alerts, from the gateway.
	SignalAlerts = "alerts"
	// SignalWatchTicket carries an ib.TicketEvent that mentions the service.
	SignalWatchTicket = "customer-ticket"
	// SignalIncidentDeclared carries the ID of an incident declared for the
	// service.
	SignalIncidentDeclared = "incident-declared"
	// UpdateDismiss dismisses the open suggestion (a DismissRequest).
	UpdateDismiss = "dismiss"
	// QueryRecent returns the service's recent []ib.AlertEpisode.
	QueryRecent = "recent"
)

// WatchID is the workflow ID of a service's watch: one per service.
func WatchID(service string) string {
	if service == "" {
		return "alert-watch:no-service"
	}
	return "alert-watch:" + service
}

// AlertBatch is alerts for one service, with its thresholds as the catalog
// says them now.
type AlertBatch struct {
	Rules  ib.WatchRules `json:"rules"`
	Alerts []ib.Alert    `json:"alerts"`
}

// DismissRequest dismisses a suggestion.
type DismissRequest struct {
	By     ib.Person `json:"by"`
	Reason string    `json:"reason"`
}

// WatchInput starts a watch, or carries one into its next run.
type WatchInput struct {
	Service string    `json:"service"`
	Watch   *ib.Watch `json:"watch,omitempty"`
}

// watchHistoryLimit is the history length at which a watch continues as new:
// a service alerting all day stays quick to replay.
const watchHistoryLimit = 2000

// WatchWorkflow is one service's alert watch: it takes the service's alerts
// and customers' tickets, tells people what the watch notices, and ends once
// nothing recent is left (the next alert starts it again). Delivery is one
// notice at a time, in the order noticed; signals that come meanwhile wait.
func WatchWorkflow(ctx workflow.Context, in WatchInput) error {
	r, err := newWatchRun(ctx, in)
	if err != nil {
		return err
	}
	return r.run(ctx)
}

// watchRun is a watch's workflow state for one run: the watch, what it owes
// people, and its one timer.
type watchRun struct {
	w                         *ib.Watch
	notices                   []ib.WatchNotice // to deliver, in order
	alerts, tickets, declared workflow.ReceiveChannel
	// took: the run has had its first alerts (a watch is started with them,
	// by signal-with-start); one started without waits for them as long as
	// an episode lasts from started.
	took    bool
	started time.Time
	// The timer of the watch's next due time: set for timerAt, fired once it
	// went off.
	timerAt     time.Time
	fired       bool
	cancelTimer workflow.CancelFunc
}

func newWatchRun(ctx workflow.Context, in WatchInput) (*watchRun, error) {
	r := &watchRun{w: in.Watch, took: in.Watch != nil, started: workflow.Now(ctx), cancelTimer: func() {},
		alerts:   workflow.GetSignalChannel(ctx, SignalAlerts),
		tickets:  workflow.GetSignalChannel(ctx, SignalWatchTicket),
		declared: workflow.GetSignalChannel(ctx, SignalIncidentDeclared)}
	if r.w == nil {
		r.w = &ib.Watch{Service: in.Service, Rules: ib.DefaultWatchRules}
	}
	if err := workflow.SetQueryHandler(ctx, QueryRecent, func() ([]ib.AlertEpisode, error) {
		return r.w.Recent(workflow.Now(ctx)), nil
	}); err != nil {
		return nil, err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDismiss, func(ctx workflow.Context, d DismissRequest) error {
		ns, err := r.w.Dismiss(d.By, d.Reason, workflow.Now(ctx))
		r.notices = append(r.notices, ns...)
		return refusal(err)
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d DismissRequest) error {
		return refusal(r.w.CanDismiss(d.Reason))
	}})
	return r, err
}

// run takes what comes, delivers what it owes, and sleeps until more comes
// or something falls due; it ends when nothing recent is left, and continues
// as new before its history grows long.
func (r *watchRun) run(ctx workflow.Context) error {
	for {
		r.take(ctx)
		if r.w.WantsTickets(workflow.Now(ctx)) {
			r.notices = append(r.notices, searchTickets(ctx, r.w)...)
		}
		r.deliver(ctx)
		if r.over(ctx) {
			return nil
		}
		if info := workflow.GetInfo(ctx); info.GetCurrentHistoryLength() >= watchHistoryLimit || info.GetContinueAsNewSuggested() {
			_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
			r.take(ctx)
			if len(r.notices) == 0 {
				return workflow.NewContinueAsNewError(ctx, WatchWorkflowType, WatchInput{Service: r.w.Service, Watch: r.w})
			}
			continue
		}
		r.sleep(ctx)
	}
}

// take applies the signals that came, in order.
func (r *watchRun) take(ctx workflow.Context) {
	now := workflow.Now(ctx)
	for {
		var b AlertBatch
		var t ib.TicketEvent
		var id string
		switch {
		case r.alerts.ReceiveAsync(&b):
			r.w.Rules = b.Rules.WithDefaults()
			r.notices = append(r.notices, r.w.TakeAlerts(b.Alerts, now)...)
		case r.tickets.ReceiveAsync(&t):
			r.notices = append(r.notices, r.w.TakeTicket(t, now)...)
		case r.declared.ReceiveAsync(&id):
			r.notices = append(r.notices, r.w.Declared(id, now)...)
		default:
			return
		}
		r.took = true
	}
}

// deliver tells people each notice, one at a time, taking the signals that
// came meanwhile. A notice that cannot be delivered within an hour is let go.
func (r *watchRun) deliver(ctx workflow.Context) {
	tell := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
		ScheduleToCloseTimeout: time.Hour,
	})
	for len(r.notices) > 0 {
		n := r.notices[0]
		r.notices = r.notices[1:]
		var posted []ib.PostRef
		if err := workflow.ExecuteActivity(tell, a.TellWatch, activities.WatchInput{Notice: n, At: workflow.Now(ctx)}).Get(ctx, &posted); err != nil {
			workflow.GetLogger(ctx).Warn("a watch notice was not delivered", "service", r.w.Service, "kind", n.Kind, "error", err)
		}
		if n.Kind == ib.NoticeSuggest && r.w.Suggestion == n.Suggestion {
			r.w.Suggestion.Posts = posted // for updating it later
		}
		r.take(ctx)
	}
}

// over says whether the watch may end: nothing recent, nothing coming.
func (r *watchRun) over(ctx workflow.Context) bool {
	now := workflow.Now(ctx)
	waited := now.Sub(r.started) >= r.w.Rules.WithDefaults().FlapWindow
	return r.w.Idle(now) && (r.took || waited) && r.alerts.Len()+r.tickets.Len()+r.declared.Len() == 0 &&
		workflow.AllHandlersFinished(ctx)
}

// sleep waits for a signal, a notice (a dismissal), or the next due time, on
// one timer kept while that time holds.
func (r *watchRun) sleep(ctx workflow.Context) {
	due, ok := r.w.NextDue()
	if !r.took {
		due, ok = r.started.Add(r.w.Rules.WithDefaults().FlapWindow), true
	}
	if !ok {
		due = time.Time{}
	}
	if !due.Equal(r.timerAt) || r.fired {
		r.cancelTimer()
		r.timerAt, r.fired, r.cancelTimer = due, false, func() {}
		if ok {
			timerCtx, cancel := workflow.WithCancel(ctx)
			timer := workflow.NewTimer(timerCtx, max(due.Sub(workflow.Now(ctx)), time.Second))
			workflow.Go(ctx, func(ctx workflow.Context) { r.fired = timer.Get(ctx, nil) == nil })
			r.cancelTimer = cancel
		}
	}
	_ = workflow.Await(ctx, func() bool {
		return r.alerts.Len()+r.tickets.Len()+r.declared.Len() > 0 || len(r.notices) > 0 || r.fired
	})
}

// searchTickets looks in Zendesk for open tickets that mention a flapping
// service, created since its alerts began, and takes each as a customer's
// signal. A search that fails is tried again at the next alert.
func searchTickets(ctx workflow.Context, w *ib.Watch) []ib.WatchNotice {
	now := workflow.Now(ctx)
	since := now.Add(-time.Hour)
	if recent := w.Recent(now); len(recent) > 0 && recent[0].StartsAt.Before(since) {
		since = recent[0].StartsAt
	}
	var found []ib.ZendeskTicket
	err := workflow.ExecuteActivity(zendeskCall(ctx), a.SuggestTickets, activities.SuggestInput{Services: []string{w.Service}, Since: since}).Get(ctx, &found)
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not look in Zendesk for a flapping service", "service", w.Service, "error", err)
		w.Searched = now
		return nil
	}
	var tickets []ib.TicketEvent
	for _, t := range found {
		tickets = append(tickets, ib.TicketEvent{ID: t.ID, Subject: t.Subject, Status: t.Status})
	}
	return w.SearchedTickets(tickets, now)
}
