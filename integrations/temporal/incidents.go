// Package temporal is the front doors' way to incidents: declare, change, read and
// list them as Temporal workflows, with Temporal's errors turned into the
// domain's. The Slack gateway and the CLI both use it, so they behave alike.
package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
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

// Incidents declares, changes and reads incidents.
type Incidents struct {
	Client client.Client
	// Now is the clock; time.Now unless a test sets another.
	Now func() time.Time
}

// Declared is the outcome of a declaration.
type Declared struct {
	ID string
	// Existing is true when the same incident was already open: a repeated or
	// simultaneous declare, which joins the first instead of starting another.
	Existing bool
}

// Declare starts an incident, or finds the open one the same declaration
// already started (failure mode F2).
func (s *Incidents) Declare(ctx context.Context, d ib.Declaration) (Declared, error) {
	d, err := d.Validate()
	if err != nil {
		return Declared{}, err
	}
	now := s.now()
	for attempt := 1; attempt <= maxIDAttempts; attempt++ {
		id := workflows.IncidentWorkflowID(d.Title, now, attempt)
		_, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        id,
			TaskQueue: workflows.TaskQueue,
			// A running incident of this ID is the same declaration; a closed one
			// is an earlier incident, and this declaration takes the next ID.
			WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
			WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			WorkflowExecutionErrorWhenAlreadyStarted: true,
			TypedSearchAttributes:                    temporal.NewSearchAttributes(workflows.SearchAttributes(ib.NewIncident(id, d, now).Summary)...),
			StaticSummary:                            d.Title,
			Memo:                                     map[string]any{memoTitle: d.Title},
		}, workflows.IncidentWorkflow, workflows.DeclareRequest{ID: id, Declaration: d, DeclaredAt: now})
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		switch {
		case err == nil:
			return Declared{ID: id}, nil
		case !errors.As(err, &started):
			return Declared{}, unavailable(err)
		}
		desc, err := s.Client.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return Declared{}, unavailable(err)
		}
		if desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return Declared{ID: id, Existing: true}, nil
		}
	}
	return Declared{}, ib.Errorf(ib.ECONFLICT, "%d incidents titled %q were already declared today; choose a more specific title.", maxIDAttempts, d.Title)
}

// Change asks the incident to make a change and returns its summary after it.
// A refusal comes back as the *ib.Error the workflow's validator gave.
func (s *Incidents) Change(ctx context.Context, id string, c ib.Change) (ib.Summary, error) {
	handle, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   id,
		UpdateName:   workflows.UpdateName(c.Kind),
		Args:         []any{c},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return ib.Summary{}, s.explain(id, err)
	}
	var summary ib.Summary
	if err := handle.Get(ctx, &summary); err != nil {
		return ib.Summary{}, s.explain(id, err)
	}
	return summary, nil
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

// Listed is one row of List.
type Listed struct {
	ID, Title, Severity, Status, Stage, Commander string
	Open                                          bool
	StartedAt                                     time.Time
}

// List returns incidents, newest first: the open ones, or all with all=true.
// extra is an optional visibility filter ANDed to it, e.g. "IncidentSeverity='S1'".
func (s *Incidents) List(ctx context.Context, all bool, extra string) ([]Listed, error) {
	query := fmt.Sprintf("WorkflowType = '%s'", workflows.WorkflowType)
	if !all {
		query += " AND ExecutionStatus = 'Running'"
	}
	if extra != "" {
		query += " AND (" + extra + ")"
	}
	var rows []Listed
	var token []byte
	for {
		resp, err := s.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return nil, s.explain("", err)
		}
		for _, e := range resp.GetExecutions() {
			rows = append(rows, listed(e))
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return rows, nil
		}
	}
}

func (s *Incidents) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
