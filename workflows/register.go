package workflows

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib/activities"
)

// NewWorkers makes a worker for each of TaskQueues, each with the workflows
// and activities registered. The worker binary and the tests make them
// through it, so they run the same thing.
func NewWorkers(c client.Client, acts *activities.Activities, opts worker.Options) []worker.Worker {
	var ws []worker.Worker
	for _, q := range TaskQueues {
		w := worker.New(c, q, opts)
		Register(w, acts)
		ws = append(ws, w)
	}
	return ws
}

// Register puts the incident workflow and its activities on a worker.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflowWithOptions(IncidentWorkflow, workflow.RegisterOptions{Name: WorkflowType})
	w.RegisterWorkflowWithOptions(WatchWorkflow, workflow.RegisterOptions{Name: WatchWorkflowType})
	w.RegisterActivity(acts)
}
