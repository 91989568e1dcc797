package temporal

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib/workflows"
)

// Replayed is what became of one run of an incident replayed against this
// binary's workflow code: Err is nil when it replays.
type Replayed struct {
	ID, RunID string
	Running   bool
	Events    int
	Err       error
}

// Replay fetches the histories of the last runs of incidents (and of the
// services' alert watches), as visibility
// lists them, newest first (limit of them; the running ones and those closed
// within the namespace's retention), and replays each against wf, the workflow code of this binary
// (workflows.IncidentWorkflow in production; another in tests). A run that
// fails to replay is one the new code would break: deploying it would stop
// that incident. each is told of every run as it is replayed.
func Replay(ctx context.Context, c client.Client, wf any, limit int, logger log.Logger, each func(Replayed)) error {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: workflows.WorkflowType})
	// The services' alert watches run on the same workers: a build that
	// breaks them must not deploy either.
	replayer.RegisterWorkflowWithOptions(workflows.WatchWorkflow, workflow.RegisterOptions{Name: workflows.WatchWorkflowType})
	var token []byte
	for seen := 0; seen < limit; {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query:         fmt.Sprintf("WorkflowType IN ('%s', '%s')", workflows.WorkflowType, workflows.WatchWorkflowType),
			PageSize:      int32(min(limit-seen, 100)),
			NextPageToken: token,
		})
		if err != nil {
			return fmt.Errorf("list the incidents: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			if seen == limit {
				break
			}
			seen++
			r := Replayed{ID: e.GetExecution().GetWorkflowId(), RunID: e.GetExecution().GetRunId(),
				Running: e.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}
			history, err := fetchHistory(ctx, c, r.ID, r.RunID)
			if err != nil {
				return fmt.Errorf("fetch the history of %s: %w", r.ID, err)
			}
			r.Events = len(history.Events)
			r.Err = replayer.ReplayWorkflowHistory(logger, history)
			each(r)
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return nil
		}
	}
	return nil
}

func fetchHistory(ctx context.Context, c client.Client, id, runID string) (*historypb.History, error) {
	history := &historypb.History{}
	iter := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return nil, err
		}
		history.Events = append(history.Events, e)
	}
	return history, nil
}
