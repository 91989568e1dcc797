package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// firstLoop runs the incidents declared before the owed ledger, until they
// end or continue as new (versions.go): its run is the loop they recorded,
// kept as it was so that their histories replay. Changes are applied the
// moment their Update is accepted; what they mean for Slack is queued in
// Outbox and carried out, in order, by run and the coroutines beside it.
type firstLoop struct {
	Carried // the state, handed whole to the next run

	settings   ib.Settings
	events     workflow.ReceiveChannel
	ticketNews workflow.ReceiveChannel     // SignalTicket
	publishing bool                        // a status page update is under way
	fetching   []string                    // collected messages being fetched
	confirming []activities.ReactionChange // the bot's reactions being set
	paging     int                         // pages with an activity under way
	log        log.Logger
}

// runFirstLoop runs an incident of the first loop (versions.go).
func runFirstLoop(ctx workflow.Context, req DeclareRequest) (ib.Incident, error) {
	w, err := newFirstLoop(ctx, req)
	if err != nil {
		return ib.Incident{}, err
	}
	return w.run(ctx)
}

func newFirstLoop(ctx workflow.Context, req DeclareRequest) (*firstLoop, error) {
	d, err := req.Declaration.Validate()
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(ib.ErrorMessage(err), ib.EINVALID, err)
	}
	w := &firstLoop{
		Carried:  Carried{Incident: ib.NewIncident(req.ID, d, req.DeclaredAt)},
		log:      log.With(workflow.GetLogger(ctx), "incident", req.ID),
		settings: req.Settings,
	}
	if req.Carried != nil {
		w.Carried = *req.Carried
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ib.Incident, error) {
		inc := w.Incident
		m := inc.ResponseMetrics()
		inc.Metrics = &m
		return inc, nil
	}); err != nil {
		return nil, err
	}
	if err := w.handleChanges(ctx); err != nil {
		return nil, err
	}
	if err := w.handleTicketLinks(ctx); err != nil {
		return nil, err
	}
	w.listen(ctx)
	w.listenForTickets(ctx)
	if w.settings.SuggestTickets > 0 && w.Status != ib.Resolved &&
		workflow.GetVersion(ctx, "ticket-suggestions", workflow.DefaultVersion, 1) == 1 {
		workflow.Go(ctx, w.suggestLoop)
	}
	workflow.Go(ctx, w.publishLoop)
	workflow.Go(ctx, w.evidenceLoop)
	w.resumePages(ctx)
	w.resumeRecoveries(ctx)
	return w, nil
}

// listen takes the channel's events in for as long as the run lasts. It waits
// for events to be there and then takes them without yielding: a coroutine
// blocked in Receive would be handed an event and only observe it on its next
// turn, and an event handed over just before a continue-as-new would be lost.
func (w *firstLoop) listen(ctx workflow.Context) {
	w.events = workflow.GetSignalChannel(ctx, SignalSlackEvent)
	listenTo(ctx, w.events, w.takeEvents)
}

// takeEvents observes every event waiting in the channel.
func (w *firstLoop) takeEvents(ctx workflow.Context) {
	drain(w.events, func(e ib.ChannelEvent) { w.observe(ctx, e) })
}

// observe takes each channel event once, however often Slack delivers it.
func (w *firstLoop) observe(ctx workflow.Context, e ib.ChannelEvent) {
	if e.ID != "" {
		if slices.ContainsFunc(w.Seen, func(s SeenEvent) bool { return s.ID == e.ID }) {
			return
		}
		w.Seen = remember(w.Seen, e.ID, workflow.Now(ctx), firstLoopRememberFor, firstLoopRemembered)
	}
	w.Observe(e)
	added, withdrawn := w.Collect(e)
	if added != nil {
		w.ToFetch = append(w.ToFetch, added.TS)
		w.Reactions = append(w.Reactions, activities.ReactionChange{TS: added.TS, Emoji: added.Emoji, Add: true})
	}
	if withdrawn != nil {
		w.Reactions = append(w.Reactions, activities.ReactionChange{TS: withdrawn.TS, Emoji: withdrawn.Emoji})
	}
}

// evidenceLoop fetches newly collected messages and confirms (or takes back)
// the bot's reactions, for as long as the run lasts, all waiting ones at once:
// a burst of reactions costs two activities, not two per reaction. It runs
// beside the main loop, so that Slack's rate limits on these calls never keep
// the incident from continuing as new in time.
func (w *firstLoop) evidenceLoop(ctx workflow.Context) {
	for {
		_ = workflow.Await(ctx, func() bool { return len(w.ToFetch) > 0 || len(w.Reactions) > 0 })
		w.gatherEvidence(ctx)
	}
}

func (w *firstLoop) gatherEvidence(ctx workflow.Context) {
	if ts := w.ToFetch; len(ts) > 0 {
		w.ToFetch, w.fetching = nil, ts
		defer func() { w.fetching = nil }()
		var got activities.FetchResult
		w.settle(ctx, "fetch collected messages", workflow.ExecuteActivity(slackCall(ctx), a.FetchMessages,
			activities.FetchInput{Channel: w.Channel.ID, TS: ts}), &got)
		for _, m := range got.Messages {
			w.Fill(m)
		}
		w.ToFetch = append(got.Rest, w.ToFetch...)
	}
	if changes := w.Reactions; len(changes) > 0 {
		w.Reactions, w.confirming = nil, changes
		defer func() { w.confirming = nil }()
		var rest []activities.ReactionChange
		w.settle(ctx, "confirm collected messages", workflow.ExecuteActivity(slackCall(ctx), a.SetReactions,
			activities.ReactionsInput{Channel: w.Channel.ID, Changes: changes}), &rest)
		w.Reactions = append(rest, w.Reactions...)
	}
}

// handleChanges registers the Update of every verb that changes the incident,
// as the command table (ib.Verbs) names them. Each decodes its payload into
// the verb's change type; the validator runs the domain's Check, so a refused
// change leaves no trace in the history.
func (w *firstLoop) handleChanges(ctx workflow.Context) error {
	for _, v := range ib.Verbs {
		if v.Update == "" {
			continue
		}
		err := workflow.SetUpdateHandlerWithOptions(ctx, v.Update,
			func(ctx workflow.Context, payload converter.RawValue) (ib.Summary, error) {
				c, err := decodeChange(v, payload)
				if err != nil {
					return w.Summary, err
				}
				w.apply(ctx, c)
				return w.Summary, nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, payload converter.RawValue) error {
				c, err := decodeChange(v, payload)
				if err != nil {
					return err
				}
				return refusal(w.Check(c, workflow.Now(ctx)))
			}},
		)
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *firstLoop) apply(ctx workflow.Context, c ib.Change) {
	w.tell(c.Apply(&w.Incident, workflow.Now(ctx)).Event)
	switch c := c.(type) {
	case *ib.AddService:
		service := ib.CleanText(c.Service)
		workflow.Go(ctx, func(ctx workflow.Context) { w.pullIn(ctx, service) })
	case *ib.SendPage:
		id := w.Pages[len(w.Pages)-1].ID
		workflow.Go(ctx, func(ctx workflow.Context) { w.follow(ctx, id) })
	case *ib.RequestDraft:
		w.DraftWanted = true
	case *ib.SetPostmortemOwner:
		w.TellOwner = true
	case *ib.PostStatusPage:
		w.ToPublish = append(w.ToPublish, activities.StatusPageInput{
			IncidentID: w.ID, Name: w.Title, Severity: w.Severity, Status: c.Status, Body: ib.CleanText(c.Message),
		})
	}
	w.Stale = true
	w.upsertSearchAttributes(ctx)
}

func (w *firstLoop) upsertSearchAttributes(ctx workflow.Context) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchAttributes(w.Summary)...); err != nil {
		w.log.Error("could not update search attributes", "error", err)
	}
}

func (w *firstLoop) run(ctx workflow.Context) (ib.Incident, error) {
	if w.Channel.ID == "" { // a continued run's room is open already
		if err := w.openRoom(ctx); err != nil {
			return w.Incident, err
		}
	}
	for {
		w.waitForWork(ctx)
		w.flush(ctx)
		if w.Status == ib.Resolved && len(w.Outbox) == 0 && !w.Stale {
			break
		}
		if w.historyFull(ctx) {
			return w.Incident, w.continueAsNew(ctx)
		}
	}
	// A last status page update ("resolved"), and messages collected at the
	// last moment, are handled before the run ends.
	_ = workflow.Await(ctx, func() bool {
		return len(w.ToPublish) == 0 && !w.publishing &&
			len(w.ToFetch) == 0 && len(w.Reactions) == 0 && w.fetching == nil && w.confirming == nil
	})
	// Incidents resolved before the postmortem stage existed ended here.
	if workflow.GetVersion(ctx, "postmortem-stage", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		w.close(ctx)
		return w.Incident, nil
	}
	return w.aftercare(ctx)
}

// waitForWork waits until there is something to do, or, for an active S1 or
// S2 incident, until the status page has gone without an update for the
// reminder interval: then the channel is reminded, once per interval.
func (w *firstLoop) waitForWork(ctx workflow.Context) {
	work := func() bool {
		return len(w.Outbox) > 0 || w.Stale || w.Status == ib.Resolved || w.historyFull(ctx)
	}
	due, remind := w.reminderDue()
	if !remind || workflow.GetVersion(ctx, "status-page-reminder", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		_ = workflow.Await(ctx, work)
		return
	}
	wait := due.Sub(workflow.Now(ctx))
	if wait > 0 {
		ok, _ := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout: wait, TimerOptions: workflow.TimerOptions{Summary: "status page reminder"},
		}, work)
		if ok {
			return
		}
	}
	w.RemindedAt = workflow.Now(ctx)
	w.tell(w.Note(w.RemindedAt, ib.EventReminder, fmt.Sprintf(
		"The status page has had no update for %s. Customers read it: `/ib statuspage <status> <message>`", w.settings.StatusPageReminder)))
}

// reminderDue says when the status page reminder is due, if it applies: an
// S1 or S2 incident, not resolved, with a reminder interval set.
func (w *firstLoop) reminderDue() (time.Time, bool) {
	every := w.settings.StatusPageReminder
	if every <= 0 || w.Status == ib.Resolved || (w.Severity != ib.S1 && w.Severity != ib.S2) {
		return time.Time{}, false
	}
	last := w.DeclaredAt
	for _, t := range []time.Time{w.StatusPage.UpdatedAt, w.RemindedAt} {
		if t.After(last) {
			last = t
		}
	}
	return last.Add(every), true
}

// publishLoop posts the queued status page updates, in order, for as long as
// the run lasts. It runs beside the main loop, so a status page that is slow
// or down never holds up the incident's channel. The first update opens the
// public incident; the incident remembers it for the rest.
func (w *firstLoop) publishLoop(ctx workflow.Context) {
	for {
		_ = workflow.Await(ctx, func() bool { return len(w.ToPublish) > 0 })
		w.publishing = true
		in := w.ToPublish[0]
		in.PageIncidentID = w.StatusPage.IncidentID
		var id string
		w.settle(ctx, "update the status page", workflow.ExecuteActivity(slackCall(ctx), a.PostStatusPage, in), &id)
		if id != "" {
			w.StatusPage.IncidentID = id
		}
		w.ToPublish = w.ToPublish[1:]
		w.publishing = false
	}
}

func (w *firstLoop) historyFull(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return info.GetCurrentHistoryLength() >= historyLimit || info.GetContinueAsNewSuggested()
}

// continueAsNew hands the whole state to a fresh run. Updates in progress
// finish first, and channel events already delivered are taken in, so that
// nothing is lost or done twice across the boundary.
func (w *firstLoop) continueAsNew(ctx workflow.Context) error {
	// An update under way would be posted again by the next run: let it finish.
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && !w.publishing && w.paging == 0 })
	w.takeEvents(ctx)
	w.takeTicketNews(ctx)
	// Evidence under way is idempotent work: the next run simply does it again.
	carried := w.Carried
	carried.ToFetch = append(slices.Clone(w.fetching), w.ToFetch...)
	carried.Reactions = append(slices.Clone(w.confirming), w.Reactions...)
	w.log.Info("continuing as new", "history_length", workflow.GetInfo(ctx).GetCurrentHistoryLength())
	return workflow.NewContinueAsNewError(ctx, IncidentWorkflow, DeclareRequest{
		ID: w.ID, Declaration: declarationOf(w.Summary), DeclaredAt: w.DeclaredAt,
		Settings: w.settings,
		Carried:  &carried,
	})
}

// openRoom creates the channel, then sets it up and announces the incident in
// parallel: one activity on the way to the channel, one more to a ready room.
func (w *firstLoop) openRoom(ctx workflow.Context) error {
	// Who is on call is found while the channel is made: no extra step on the
	// way to a ready room. Incidents declared before this replay without it.
	var responders workflow.Future
	if workflow.GetVersion(ctx, "responders-on-declare", workflow.DefaultVersion, 1) == 1 {
		responders = workflow.ExecuteActivity(slackCall(ctx), a.FindResponders,
			activities.ResponderInput{Services: w.Services, Severity: w.Severity, At: w.DeclaredAt})
	}
	if err := workflow.ExecuteActivity(slackCall(ctx), a.OpenChannel, w.Summary).Get(ctx, &w.Channel); err != nil {
		return err
	}
	if responders != nil {
		var found activities.Responders
		w.settle(ctx, "find who is on call", responders, &found)
		w.Responders = found.Responders
		for _, s := range found.Unknown {
			w.Note(workflow.Now(ctx), ib.EventNote, "The service catalog has no service "+s+"; nobody was paged for it.")
		}
	}
	// Incidents started before the channel was indexed replay without it.
	if workflow.GetVersion(ctx, "index-channel", workflow.DefaultVersion, 1) == 1 {
		if err := workflow.UpsertTypedSearchAttributes(ctx, ChannelKey.ValueSet(w.Channel.ID)); err != nil {
			w.log.Error("could not index the channel", "error", err)
		}
	}
	var problem workflow.Future
	if w.wantsProblemTicket() && workflow.GetVersion(ctx, "problem-ticket", workflow.DefaultVersion, 1) == 1 {
		problem = w.openProblem(ctx)
	}
	topic := workflow.ExecuteActivity(slackCall(ctx), a.SetTopic, w.Summary)
	invite := workflow.ExecuteActivity(slackCall(ctx), a.Invite, activities.InviteInput{ChannelID: w.Channel.ID, UserIDs: w.people()})
	header := workflow.ExecuteActivity(slackCall(ctx), a.Post, activities.PostInput{Channel: w.Channel.ID, Message: ib.NewMessage(ib.MsgHeader, w.Summary, "")})
	announce := workflow.ExecuteActivity(slackCall(ctx), a.Announce, ib.NewMessage(ib.MsgAnnouncement, w.Summary, ""))
	w.settle(ctx, "set the topic", topic, nil)
	w.settle(ctx, "invite the commander and declarer", invite, nil)
	w.settle(ctx, "post the header", header, &w.Channel.HeaderTS)
	w.settle(ctx, "announce the incident", announce, nil)
	if problem != nil {
		w.keepProblem(ctx, problem)
	}
	return nil
}

// flush posts the queued timeline events in order, then brings the topic and
// header up to date once for the whole batch. Events that queued up while a
// post was under way share the next post: Slack allows about one message a
// second per channel, so a burst of changes (F5) goes out in a few messages,
// none dropped and in order, instead of waiting on 429s one by one.
func (w *firstLoop) flush(ctx workflow.Context) {
	batch := workflow.GetVersion(ctx, "batch-timeline-posts", workflow.DefaultVersion, 1) == 1
	for len(w.Outbox) > 0 {
		n := 1
		if batch {
			n = min(len(w.Outbox), maxEventsPerPost)
		}
		msg := w.Outbox[0]
		for _, more := range w.Outbox[1:n] {
			msg.Events = append(slices.Clip(msg.Events), more.Events...)
		}
		w.settle(ctx, "post the timeline", workflow.ExecuteActivity(slackCall(ctx), a.Post, activities.PostInput{Channel: w.Channel.ID, Message: msg}), nil)
		w.Outbox = w.Outbox[n:]
	}
	if !w.Stale {
		return
	}
	w.Stale = false
	topic := workflow.ExecuteActivity(slackCall(ctx), a.SetTopic, w.Summary)
	var header workflow.Future
	if w.Channel.HeaderTS != "" {
		header = workflow.ExecuteActivity(slackCall(ctx), a.UpdatePost, activities.UpdateInput{
			Channel: w.Channel.ID, TS: w.Channel.HeaderTS, Message: ib.NewMessage(ib.MsgHeader, w.Summary, ""),
		})
	}
	w.settle(ctx, "refresh the topic", topic, nil)
	if header != nil {
		w.settle(ctx, "refresh the header", header, nil)
	}
}

// close ended an incident at its resolution, before the postmortem stage
// existed; incidents of that time replay through it.
func (w *firstLoop) close(ctx workflow.Context) {
	w.resolvePages(ctx)
	w.Stage = ib.StageClosed
	w.upsertSearchAttributes(ctx)
	w.announceResolved(ctx)
}

// settle waits for an activity whose failure must not stop the incident. Slack
// calls retry until they succeed; only a non-retryable error (bad input, such as
// an unknown user to invite) ends up here, and it is logged and kept on the
// timeline.
func (w *firstLoop) settle(ctx workflow.Context, what string, f workflow.Future, result any) {
	if err := f.Get(ctx, result); err != nil {
		w.log.Warn("could not "+what, "error", err)
		w.Note(workflow.Now(ctx), ib.EventNote, failureText(what, err))
	}
}

// people are the Slack users to invite on declaration: commander, declarer
// and whoever is on call for the incident, each once.
func (w *firstLoop) people() []string { return slackIDs(w.Commander, w.Declarer, w.Responders) }
