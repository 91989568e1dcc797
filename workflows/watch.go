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
	w := in.Watch
	if w == nil {
		w = &ib.Watch{Service: in.Service, Rules: ib.DefaultWatchRules}
	}
	if err := workflow.SetQueryHandler(ctx, QueryRecent, func() ([]ib.AlertEpisode, error) {
		return w.Recent(workflow.Now(ctx)), nil
	}); err != nil {
		return err
	}
	var notices []ib.WatchNotice
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDismiss, func(ctx workflow.Context, r DismissRequest) error {
		ns, err := w.Dismiss(r.By, r.Reason, workflow.Now(ctx))
		notices = append(notices, ns...)
		return refusal(err)
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r DismissRequest) error {
		probe := *w
		if w.Suggestion != nil {
			s := *w.Suggestion
			probe.Suggestion = &s
		}
		_, err := probe.Dismiss(r.By, r.Reason, workflow.Now(ctx))
		return refusal(err)
	}}); err != nil {
		return err
	}
	alerts := workflow.GetSignalChannel(ctx, SignalAlerts)
	tickets := workflow.GetSignalChannel(ctx, SignalWatchTicket)
	declared := workflow.GetSignalChannel(ctx, SignalIncidentDeclared)
	// A watch is started with its first alerts (signal-with-start); one
	// started without waits for them as long as an episode lasts.
	took, started := in.Watch != nil, workflow.Now(ctx)
	take := func() {
		now := workflow.Now(ctx)
		for {
			var b AlertBatch
			var t ib.TicketEvent
			var id string
			switch {
			case alerts.ReceiveAsync(&b):
				w.Rules = b.Rules.WithDefaults()
				for _, a := range b.Alerts {
					notices = append(notices, w.TakeAlert(a, now)...)
				}
			case tickets.ReceiveAsync(&t):
				notices = append(notices, w.TakeTicket(t, now)...)
			case declared.ReceiveAsync(&id):
				notices = append(notices, w.Declared(id, now)...)
			default:
				return
			}
			took = true
		}
	}
	tell := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
		// A notice nobody could be told in an hour is stale: the watch goes on.
		ScheduleToCloseTimeout: time.Hour,
	})
	searches := workflow.GetVersion(ctx, versionWatchTicketSearch, workflow.DefaultVersion, 1) >= 1
	for {
		take()
		if searches && w.WantsTickets(workflow.Now(ctx)) {
			notices = append(notices, searchTickets(ctx, w)...)
		}
		for len(notices) > 0 {
			n := notices[0]
			notices = notices[1:]
			var posted []ib.PostRef
			if err := workflow.ExecuteActivity(tell, a.TellWatch, activities.WatchInput{Notice: n, At: workflow.Now(ctx)}).Get(ctx, &posted); err != nil {
				workflow.GetLogger(ctx).Warn("a watch notice was not delivered", "service", w.Service, "kind", n.Kind, "error", err)
			}
			if n.Kind == ib.NoticeSuggest && w.Suggestion != nil && w.Suggestion == n.Suggestion {
				w.Suggestion.Posts = posted
			}
			take()
		}
		waited := workflow.Now(ctx).Sub(started) >= w.Rules.WithDefaults().FlapWindow
		if w.Idle(workflow.Now(ctx)) && (took || waited) && alerts.Len()+tickets.Len()+declared.Len() == 0 && workflow.AllHandlersFinished(ctx) {
			return nil
		}
		info := workflow.GetInfo(ctx)
		if info.GetCurrentHistoryLength() >= watchHistoryLimit || info.GetContinueAsNewSuggested() {
			_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
			take()
			if len(notices) == 0 {
				return workflow.NewContinueAsNewError(ctx, WatchWorkflowType, WatchInput{Service: w.Service, Watch: w})
			}
			continue
		}
		timerCtx, cancel := workflow.WithCancel(ctx)
		due, ok := w.NextDue()
		if !took {
			due, ok = started.Add(w.Rules.WithDefaults().FlapWindow), true
		}
		fired := false
		if ok {
			timer := workflow.NewTimer(timerCtx, max(due.Sub(workflow.Now(ctx)), time.Second))
			workflow.Go(ctx, func(ctx workflow.Context) { fired = timer.Get(ctx, nil) == nil })
		}
		_ = workflow.Await(ctx, func() bool {
			return alerts.Len()+tickets.Len()+declared.Len() > 0 || len(notices) > 0 || fired
		})
		cancel()
	}
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
