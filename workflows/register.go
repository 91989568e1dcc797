package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib/activities"
)

// Register puts the incident workflow and its activities on a worker. The worker
// binary and the tests register through it, so they run the same thing.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflowWithOptions(IncidentWorkflow, workflow.RegisterOptions{Name: WorkflowType})
	w.RegisterWorkflowWithOptions(WatchWorkflow, workflow.RegisterOptions{Name: WatchWorkflowType})
	w.RegisterActivity(acts)
}
