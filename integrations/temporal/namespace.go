package temporal

import (
	"context"
	"fmt"
	"strings"
	"time"

	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/incident-buddy/ib/workflows"
)

// EnsureRetention makes the namespace keep closed incidents at least want:
// a closed incident stays in the Web UI, `starter list --all`, the on-call
// report and `starter replay` that long (the dev server and a new namespace
// keep them a day). It only ever lengthens the retention, and returns the one
// in force. Where the worker may not change the namespace (Temporal Cloud),
// the error gives the command for an operator.
func EnsureRetention(ctx context.Context, c client.Client, namespace string, want time.Duration) (time.Duration, error) {
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	if err != nil {
		return 0, fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	have := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	if have >= want {
		return have, nil
	}
	_, err = c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: namespace,
		Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(want)},
	})
	if err != nil {
		return have, fmt.Errorf("namespace %s keeps closed incidents %s, less than IB_RETENTION (%s), and could not be changed (%w); set it with: temporal operator namespace update --namespace %s --retention %s",
			namespace, have, want, err, namespace, want)
	}
	return want, nil
}

// AwaitSearchAttributes waits until the namespace accepts the incidents'
// search attributes in queries: a real server's frontend learns of attributes
// just added a moment later, and an incident declared before then fails.
func AwaitSearchAttributes(ctx context.Context, c client.Client, namespace string, within time.Duration) error {
	var terms []string
	for _, key := range workflows.SearchAttributeKeys {
		terms = append(terms, key.GetName()+" IS NULL")
	}
	query := strings.Join(terms, " AND ")
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace %s does not accept the incidents' search attributes yet: %w", namespace, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
