package workflows

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
)

// IncidentWorkflow is one incident, from declaration to close. It opens the
// incident's channel and announces it; then one loop takes what people
// change (Updates), what happens in the channel and in Zendesk (signals) and
// what falls due on its own (reminders, escalations, recovery mornings), and
// pays what that owes the outside world: posts, the topic and header, direct
// messages, the status page, the pager, Zendesk, the postmortem draft.
func IncidentWorkflow(ctx workflow.Context, req DeclareRequest) (ib.Incident, error) {
	// A run since versionCheaperCalls records that one marker, which implies
	// every change guarded before it: each marker is two events (the marker
	// and an upsert of TemporalChangeVersion). A run recorded before it has
	// no such marker and asks for the others as it did.
	calls := workflow.GetVersion(ctx, versionCheaperCalls, workflow.DefaultVersion, 2)
	if calls == workflow.DefaultVersion && workflow.GetVersion(ctx, versionOwedLedger, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return runFirstLoop(ctx, req)
	}
	w, err := newIncident(ctx, req, calls)
	if err != nil {
		return ib.Incident{}, err
	}
	return w.run(ctx)
}

// incident is the workflow's state: the incident's record and what it owes
// (Carried), and, for this run only, which lanes are paying and the timer of
// what falls due next. Changes are applied the moment their Update is
// accepted, so the caller's answer never waits on a post to Slack (a quick
// call in the same task holds it for a second at most).
type incident struct {
	Carried

	settings    ib.Settings
	log         log.Logger
	events      workflow.ReceiveChannel // SignalSlackEvent
	ticketNews  workflow.ReceiveChannel // SignalTicket
	recurrences workflow.ReceiveChannel // SignalRecurrence
	lanes                               // the owed work being paid
	timer       *dueTimer
	linking     workflow.Mutex // one ticket link at a time
	// indexed is what the search attributes were last set to in this run;
	// with upsertChanges, a refresh that changes none of them sets none.
	indexed       string
	upsertChanges bool
	// cheaperCalls: since versionCheaperCalls, cheap calls are local
	// activities first, and the topic and header are refreshed only when the
	// summary they show changed (shown is its key when last owed).
	cheaperCalls bool
	shown        string
	// collectTogether: since version 2 of versionCheaperCalls, a collected
	// message is fetched and confirmed in one call.
	collectTogether bool
}

// newIncident makes the incident of a run of the ledger loop; calls is the
// run's version of versionCheaperCalls.
func newIncident(ctx workflow.Context, req DeclareRequest, calls workflow.Version) (*incident, error) {
	w := &incident{settings: req.Settings, log: log.With(workflow.GetLogger(ctx), "incident", req.ID),
		cheaperCalls: calls >= 1, collectTogether: calls >= 2}
	if req.Carried != nil {
		// A continued run trusts its carried state: a rule tightened since the
		// declaration must not fail a long incident at its next run.
		w.Carried = *req.Carried
		w.migrate()
	} else {
		d, err := req.Declaration.Validate()
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(ib.ErrorMessage(err), ib.EINVALID, err)
		}
		w.Carried = Carried{Incident: ib.NewIncident(req.ID, d, req.DeclaredAt)}
		if req.RecurrenceOf != "" {
			w.Recurs(req.RecurrenceOf, req.DeclaredAt)
		}
	}
	w.Rules = ib.Rules{LivedIn: w.cheaperCalls || workflow.GetVersion(ctx, versionLivedIn, workflow.DefaultVersion, 1) >= 1}
	w.upsertChanges = w.cheaperCalls || workflow.GetVersion(ctx, versionUpsertChanges, workflow.DefaultVersion, 1) >= 1
	if req.Carried == nil {
		// The front door started the incident with these (ibtemporal.Declare).
		w.indexed = indexOf(w.Summary).key()
	}
	w.lanes = newLanes(ctx)
	w.linking = workflow.NewMutex(ctx)
	w.events = workflow.GetSignalChannel(ctx, SignalSlackEvent)
	w.ticketNews = workflow.GetSignalChannel(ctx, SignalTicket)
	w.recurrences = workflow.GetSignalChannel(ctx, SignalRecurrence)
	if err := w.handle(ctx); err != nil {
		return nil, err
	}
	if req.Carried == nil && len(req.Declaration.Alerts) > 0 &&
		(w.cheaperCalls || workflow.GetVersion(ctx, versionAlertsOnTimeline, workflow.DefaultVersion, 1) >= 1) {
		var before []ib.TimelineEvent
		for _, e := range w.Timeline {
			if e.Kind == ib.EventAlert || e.Kind == ib.EventDetected {
				before = append(before, e)
			}
		}
		w.tell(before...)
	}
	return w, nil
}

// run is the incident's one loop: take what came in, do what is due, pay
// what is owed, and wait for the next of these; continue as new before the
// history grows long; end once the incident is closed and owes nothing.
func (w *incident) run(ctx workflow.Context) (ib.Incident, error) {
	workflow.SetCurrentDetails(ctx, CurrentDetails(w.Summary))
	if w.Channel.ID == "" {
		if err := w.openRoom(ctx); err != nil {
			return w.Incident, err
		}
	}
	for !w.finished() {
		w.takeSignals(ctx)
		w.doDue(ctx)
		w.pay(ctx)
		if w.historyFull(ctx) {
			return w.Incident, w.continueAsNew(ctx)
		}
		w.await(ctx)
	}
	_ = workflow.Await(ctx, func() bool { return w.quiet(ctx) })
	return w.Incident, nil
}

// finished says whether the incident's life is over: closed, owing nothing,
// with nothing due (a night's page is still owed its recovery morning).
func (w *incident) finished() bool {
	if w.Stage != ib.StageClosed || len(w.Owed) > 0 || w.inflight > 0 {
		return false
	}
	_, due := w.NextDue(w.settings)
	return !due
}

// quiet is the one predicate the end of the run and continue-as-new share:
// no Update under way and no owed work being paid.
func (w *incident) quiet(ctx workflow.Context) bool {
	return workflow.AllHandlersFinished(ctx) && w.inflight == 0
}

// await waits for something to do: a signal, owed work a lane can pay, the
// next due time (on the one timer), a due time that moved, a history grown
// long, or the end.
func (w *incident) await(ctx workflow.Context) {
	due, ok := w.NextDue(w.settings)
	w.arm(ctx, due, ok)
	_ = workflow.Await(ctx, func() bool {
		next, still := w.NextDue(w.settings)
		return w.events.Len() > 0 || w.ticketNews.Len() > 0 || w.recurrences.Len() > 0 || w.payable() || w.timerFired() ||
			still != ok || !next.At.Equal(due.At) || w.historyFull(ctx) || w.finished()
	})
}

// historyLimit is the history length at which an incident continues as new.
// It keeps every run well under the 4,096 events past which a history slows
// down to replay, with room for the run's last burst.
func (w *incident) historyFull(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return info.GetCurrentHistoryLength() >= historyLimit || info.GetContinueAsNewSuggested()
}

// continueAsNew hands the whole state to a fresh run. Slack work under way is
// called off and stays owed (the next run looks for what it did first);
// Updates under way finish; signals already delivered are taken in.
func (w *incident) continueAsNew(ctx workflow.Context) error {
	w.stop()
	_ = workflow.Await(ctx, func() bool { return w.quiet(ctx) })
	w.takeSignals(ctx)
	carried := w.Carried
	w.log.Info("continuing as new", "history_length", workflow.GetInfo(ctx).GetCurrentHistoryLength(), "owed", len(carried.Owed))
	return workflow.NewContinueAsNewError(ctx, WorkflowType, DeclareRequest{
		ID: w.ID, Declaration: declarationOf(w.Summary), DeclaredAt: w.DeclaredAt, Settings: w.settings, Carried: &carried,
	})
}

// take records what a change or a due time meant: its timeline post, the
// topic, header and search attributes brought up to date, and what it owes.
func (w *incident) take(ctx workflow.Context, a ib.Applied) {
	w.Compact()
	if a.Event != (ib.TimelineEvent{}) {
		w.tell(append([]ib.TimelineEvent{a.Event}, a.Also...)...)
	}
	if a.Event != (ib.TimelineEvent{}) && !a.Unseen {
		w.refresh(ctx)
	}
	w.owe(a.Owed...)
}

// tell owes the channel one post of timeline events just recorded. Its key
// is the timeline's length, which every new event raises: no two posts share
// a key, even when they are made at the same instant.
func (w *incident) tell(events ...ib.TimelineEvent) {
	msg := ib.NewMessage(ib.MsgEvent, ib.Summary{ID: w.ID}, strconv.Itoa(len(w.Timeline)))
	msg.Incident, msg.Events = ib.Summary{}, events
	w.owe(ib.Owed{Kind: ib.OwePost, Message: &msg})
}

// refresh owes the topic and header their update, once for however many
// changes come before it is paid, and keeps the search attributes current.
func (w *incident) refresh(ctx workflow.Context) {
	if w.cheaperCalls {
		// The topic and header show the summary alone: a note, evidence or
		// a post changes neither.
		shown, _ := json.Marshal(w.Summary)
		if string(shown) == w.shown {
			w.upsertSearchAttributes(ctx)
			return
		}
		w.shown = string(shown)
	}
	if !slices.ContainsFunc(w.Owed, func(o Owed) bool { return o.Kind == ib.OweRefresh && !w.paying[o.N] }) {
		w.owe(ib.Owed{Kind: ib.OweRefresh})
	}
	w.upsertSearchAttributes(ctx)
}

// owe adds work to what the incident owes, keeping the ledger within its
// budget.
func (w *incident) owe(work ...ib.Owed) {
	for _, o := range work {
		w.Owing++
		w.Owed = append(w.Owed, Owed{Owed: o, N: w.Owing})
	}
	boundOwed(w.Owed)
}

// upsertSearchAttributes keeps what the Web UI shows of the incident
// current: its search attributes, and the details at the top of its page.
func (w *incident) upsertSearchAttributes(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, CurrentDetails(w.Summary))
	now := indexOf(w.Summary)
	if w.upsertChanges && now.key() == w.indexed {
		return // each upsert is an event and a write to visibility
	}
	w.indexed = now.key()
	if err := workflow.UpsertTypedSearchAttributes(ctx, now.updates()...); err != nil {
		w.log.Error("could not update search attributes", "error", err)
	}
}

// settle waits for an activity whose failure must not stop the incident. Slack
// calls retry until they succeed; only a non-retryable error (bad input, such as
// an unknown user to invite) ends up here, and it is logged and kept on the
// timeline. It reports whether the activity did its work; false too when the
// work was called off for continue-as-new.
func (w *incident) settle(ctx workflow.Context, what string, f workflow.Future, result any) bool {
	err := f.Get(ctx, result)
	switch {
	case err == nil:
		return true
	case ctx.Err() != nil:
		return false
	}
	w.log.Warn("could not "+what, "error", err)
	w.Note(workflow.Now(ctx), ib.EventNote, failureText(what, err))
	return true
}

// failureText says on the timeline what could not be done, what the outside
// system answered, and what became of it: the incident carries on without it.
func failureText(what string, err error) string {
	var app *temporal.ApplicationError
	var timeout *temporal.TimeoutError
	why := ib.ErrorMessage(err)
	switch {
	case errors.As(err, &timeout):
		why = "it did not finish in time, however often it was tried"
	case errors.As(err, &app) && app.NonRetryable():
		why = app.Message() + ", which no retry can change"
	case errors.As(err, &app):
		why = app.Message()
	}
	return "Could not " + what + ": " + why + ". The incident carries on without it; do it by hand if it matters."
}
