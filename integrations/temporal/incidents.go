// Package temporal is the front doors' way to incidents: declare, change, read and
// list them as Temporal workflows, with Temporal's errors turned into the
// domain's. The Slack gateway and the CLI both use it, so they behave alike.
package temporal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/workflows"
)

// maxIDAttempts bounds how many closed incidents of the same title and day a new
// declaration steps over to find its own ID.
const maxIDAttempts = 50

// memoTitle keeps the title in the workflow's memo, which visibility listings
// return, so `list` needs no query per incident.
const memoTitle = "title"

// Incidents implements ib.IncidentService over Temporal workflows.
type Incidents struct {
	Client client.Client
	// Now is the clock; time.Now unless a test sets another.
	Now func() time.Time
	// Settings go with every declared incident.
	Settings ib.Settings
	// Declared is told of each incident declared (metrics); nil: nobody.
	Declared func(ctx context.Context, severity string)

	channels channelCache
}

var _ ib.IncidentService = (*Incidents)(nil)

// Declare starts an incident, or finds the active one the same declaration
// already started (failure mode F2). An incident of the same title that is
// resolved or closed is an earlier one: the problem recurs, and this
// declaration starts a new incident, linked to it both ways. IDs are four
// characters a day, so two titles can meet on one: an incident of another
// title is stepped over.
func (s *Incidents) Declare(ctx context.Context, d ib.Declaration) (ib.Declared, error) {
	d, err := d.Validate()
	if err != nil {
		return ib.Declared{}, err
	}
	now := s.now()
	d = s.withAlerts(ctx, d)
	var earlier string // a resolved or closed incident of the same title
	for attempt := 1; attempt <= maxIDAttempts; attempt++ {
		id := ib.IncidentID(d.Title, now, attempt)
		err := s.start(ctx, client.StartWorkflowOptions{
			ID:        id,
			TaskQueue: workflows.TaskQueue,
			// A running incident of this ID is the same declaration; a closed one
			// is an earlier incident, and this declaration takes the next ID.
			WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
			WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			WorkflowExecutionErrorWhenAlreadyStarted: true,
			// A worker in this process (the gateway's, IB_GATEWAY_WORKER) takes
			// the incident's first task with the answer to its start, never
			// queued behind the work of incidents already open; without one the
			// task is queued as ever.
			EnableEagerStart:      true,
			TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SearchAttributes(ib.NewIncident(id, d, now).Summary)...),
			StaticSummary:         d.Title,
			Memo:                  map[string]any{memoTitle: d.Title},
		}, workflows.DeclareRequest{ID: id, Declaration: d, DeclaredAt: now, Settings: s.Settings, RecurrenceOf: earlier})
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		switch {
		case err == nil:
			if s.Declared != nil {
				s.Declared(ctx, string(d.Severity))
			}
			if earlier != "" {
				// The earlier incident names its recurrence; should it not
				// hear of it, the recurrence still names it.
				_ = s.Client.SignalWorkflow(ctx, earlier, "", workflows.SignalRecurrence, id)
			}
			s.tellWatches(ctx, d.Services, id)
			return ib.Declared{ID: id, RecurrenceOf: earlier}, nil
		case !errors.As(err, &started):
			return ib.Declared{}, unavailable(err)
		}
		desc, err := s.Client.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return ib.Declared{}, unavailable(err)
		}
		info := desc.GetWorkflowExecutionInfo()
		if !ib.SameTitle(payloadString(info.GetMemo().GetFields()[memoTitle]), d.Title) {
			continue // another title that happens to share the ID
		}
		running := info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		status := ib.Status(payloadString(info.GetSearchAttributes().GetIndexedFields()[workflows.StatusKey.GetName()]))
		if running && status != ib.Resolved {
			return ib.Declared{ID: id, Existing: true}, nil // the same declaration joins its incident
		}
		earlier = id
	}
	return ib.Declared{}, ib.Errorf(ib.ECONFLICT, "%d incidents titled %q were already declared today; choose a more specific title.", maxIDAttempts, d.Title)
}

// withAlerts gives a declaration its services' recent alerts, from their
// watches, for its timeline and its detection time. The watches are asked
// together, and those that have not answered within alertsWait (their
// worker down or busy) are passed over: the declaration, on Slack's
// acknowledgement path, matters more.
func (s *Incidents) withAlerts(ctx context.Context, d ib.Declaration) ib.Declaration {
	if len(d.Alerts) > 0 || len(d.Services) == 0 {
		return d
	}
	ctx, cancel := context.WithTimeout(ctx, alertsWait)
	defer cancel()
	watches := &Watches{Client: s.Client}
	found := make([][]ib.AlertEpisode, len(d.Services))
	var wg sync.WaitGroup
	for i, service := range d.Services {
		wg.Go(func() { found[i], _ = watches.Recent(ctx, service) })
	}
	wg.Wait()
	for _, recent := range found {
		d.Alerts = append(d.Alerts, recent...)
	}
	ib.SortEpisodes(d.Alerts)
	if valid, err := d.Validate(); err == nil { // bounds the alerts
		return valid
	}
	return d
}

// alertsWait bounds how long a declaration waits for its services' recent
// alerts: a query a worker answers takes milliseconds.
const alertsWait = 500 * time.Millisecond

// tellWatches tells the services' watches of the incident, so that a
// suggestion to declare one is withdrawn.
func (s *Incidents) tellWatches(ctx context.Context, services []string, id string) {
	watches := &Watches{Client: s.Client}
	for _, service := range services {
		_ = watches.Declared(ctx, service, id)
	}
}

// start starts an incident's workflow. Just after its search attributes were
// added, a real server refuses starts for a second or two ("no mapping
// defined for search attribute"): such a refusal is tried again for a few
// seconds, so that the person declaring never sees it.
func (s *Incidents) start(ctx context.Context, opts client.StartWorkflowOptions, req workflows.DeclareRequest) error {
	deadline := time.Now().Add(attributesSettle)
	for {
		_, err := s.Client.ExecuteWorkflow(ctx, opts, workflows.WorkflowType, req)
		if err == nil || !strings.Contains(err.Error(), "no mapping defined for search attribute") || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// attributesSettle is how long a server may take to accept search
// attributes just added.
const attributesSettle = 5 * time.Second

// Change asks the incident to make a change and returns its summary after it.
// A refusal comes back as the *ib.Error the workflow's validator gave.
func (s *Incidents) Change(ctx context.Context, id string, c ib.Change) (ib.Changed, error) {
	return update[ib.Changed](ctx, s, id, ib.VerbOf(c).Update, c)
}

// LinkTickets links customer tickets to the incident's problem ticket and says
// what became of each.
func (s *Incidents) LinkTickets(ctx context.Context, id string, by ib.Person, ids []int64) (ib.LinkResult, error) {
	return update[ib.LinkResult](ctx, s, id, workflows.UpdateLinkTickets, workflows.LinkRequest{IDs: ids, By: by})
}

// update runs one of an incident's Updates and waits for its answer. An
// Update that met the incident between two runs (continuing as new) or a
// workflow task that failed was not taken: it is sent again, a few times.
func update[T any](ctx context.Context, s *Incidents, id, name string, arg any) (T, error) {
	var out T
	var err error
	for wait := 50 * time.Millisecond; ; wait *= 2 {
		if out, err = updateOnce[T](ctx, s, id, name, arg); err == nil || wait > time.Second || !s.notTaken(ctx, id, err) {
			break
		}
		select {
		case <-ctx.Done():
			return out, s.explain(id, err)
		case <-time.After(wait):
		}
	}
	if err != nil {
		return out, s.explain(id, err)
	}
	return out, nil
}

func updateOnce[T any](ctx context.Context, s *Incidents, id, name string, arg any) (T, error) {
	var out T
	handle, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, &out)
	}
	return out, err
}

// notTaken says whether an Update failed without the incident taking it, so
// that sending it again is safe: its workflow task failed (the run was
// continuing as new as it came), or it reached a run that had just closed
// while the incident goes on in the next.
func (s *Incidents) notTaken(ctx context.Context, id string, err error) bool {
	var notReady *serviceerror.WorkflowNotReady
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notReady):
		return true
	case errors.As(err, &notFound):
		desc, derr := s.Client.DescribeWorkflowExecution(ctx, id, "")
		return derr == nil && desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	}
	return false
}

// NotifyTicket hands Zendesk's news of a ticket to an open incident.
func (s *Incidents) NotifyTicket(ctx context.Context, id string, e ib.TicketEvent) error {
	if err := s.Client.SignalWorkflow(ctx, id, "", workflows.SignalTicket, e); err != nil {
		return s.explain(id, err)
	}
	return nil
}

// Get returns an incident's whole state, open or closed.
func (s *Incidents) Get(ctx context.Context, id string) (ib.Incident, error) {
	resp, err := s.Client.QueryWorkflow(ctx, id, "", workflows.QueryState)
	if err != nil {
		return ib.Incident{}, s.explain(id, err)
	}
	var inc ib.Incident
	if err := resp.Get(&inc); err != nil {
		return ib.Incident{}, fmt.Errorf("decode state of %s: %w", id, err)
	}
	return inc, nil
}

// List returns incidents, newest first: the open ones, or all with f.All.
// f.Query is an optional visibility filter ANDed to it.
func (s *Incidents) List(ctx context.Context, f ib.ListFilter) ([]ib.ListEntry, error) {
	query := fmt.Sprintf("WorkflowType = '%s'", workflows.WorkflowType)
	if !f.All {
		query += " AND ExecutionStatus = 'Running'"
	}
	if f.Query != "" {
		query += " AND (" + f.Query + ")"
	}
	var rows []ib.ListEntry
	var token []byte
	for {
		resp, err := s.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return nil, s.explain("", err)
		}
		for _, e := range resp.GetExecutions() {
			rows = append(rows, listEntry(e))
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return rows, nil
		}
	}
}

// FindByChannel finds the incident of a channel by its indexed channel ID. A
// channel belongs to one incident for good, so answers are cached.
func (s *Incidents) FindByChannel(ctx context.Context, channelID string) (string, error) {
	if !channelIDPattern.MatchString(channelID) {
		return "", ib.Errorf(ib.ENOTFOUND, "%q is not a Slack channel ID.", channelID)
	}
	if id, known := s.channels.get(channelID, s.now()); known {
		return id, notFoundIfEmpty(id)
	}
	resp, err := s.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query:    fmt.Sprintf("WorkflowType = '%s' AND %s = '%s'", workflows.WorkflowType, workflows.ChannelKey.GetName(), channelID),
		PageSize: 1,
	})
	if err != nil {
		return "", s.explain("", err)
	}
	id := ""
	if e := resp.GetExecutions(); len(e) > 0 {
		id = e[0].GetExecution().GetWorkflowId()
	}
	s.channels.put(channelID, id, s.now())
	return id, notFoundIfEmpty(id)
}

// Notify signals an event of its channel to an open incident.
func (s *Incidents) Notify(ctx context.Context, id string, e ib.ChannelEvent) error {
	if err := s.Client.SignalWorkflow(ctx, id, "", workflows.SignalSlackEvent, e); err != nil {
		return s.explain(id, err)
	}
	return nil
}

func notFoundIfEmpty(id string) error {
	if id == "" {
		return ib.Errorf(ib.ENOTFOUND, "This channel is not an incident's channel.")
	}
	return nil
}

func (s *Incidents) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func listEntry(e *workflowpb.WorkflowExecutionInfo) ib.ListEntry {
	sa := e.GetSearchAttributes().GetIndexedFields()
	return ib.ListEntry{
		ID:        e.GetExecution().GetWorkflowId(),
		Title:     payloadString(e.GetMemo().GetFields()[memoTitle]),
		Severity:  ib.Severity(payloadString(sa[workflows.SeverityKey.GetName()])),
		Status:    ib.Status(payloadString(sa[workflows.StatusKey.GetName()])),
		Stage:     ib.Stage(payloadString(sa[workflows.StageKey.GetName()])),
		Commander: payloadString(sa[workflows.CommanderKey.GetName()]),
		Services:  payloadStrings(sa[workflows.ServicesKey.GetName()]),
		Open:      e.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		StartedAt: e.GetStartTime().AsTime(),
	}
}

func payloadString(p *commonpb.Payload) string {
	var s string
	if p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &s)
	}
	return s
}

func payloadStrings(p *commonpb.Payload) []string {
	var s []string
	if p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &s)
	}
	return s
}
