package tests

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/workflows"
)

// A namespace without the incidents' search attributes (a new cluster, or an
// upgrade that adds one) gets them from the worker at start.
func TestEnsureSearchAttributes(t *testing.T) {
	ctx := context.Background()
	ns := "ib-fresh"
	_, err := tclient.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	})
	require.NoError(t, err)
	waitFor(t, "the namespace is usable", func() bool {
		_, err := tclient.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		return err == nil
	})

	added, err := ibtemporal.EnsureSearchAttributes(ctx, tclient, ns)
	require.NoError(t, err)
	assert.Len(t, added, len(workflows.SearchAttributeKeys))
	resp, err := tclient.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	require.NoError(t, err)
	for _, key := range workflows.SearchAttributeKeys {
		assert.Equal(t, key.GetValueType(), resp.GetCustomAttributes()[key.GetName()], key.GetName())
	}

	added, err = ibtemporal.EnsureSearchAttributes(ctx, tclient, ns)
	require.NoError(t, err)
	assert.Empty(t, added, "a second start adds nothing")
}
