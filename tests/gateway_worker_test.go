package tests

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/incident-buddy/ib"
)

// With IB_GATEWAY_WORKER the gateway runs a worker of its own, and an
// incident declared through it starts in that worker with the answer to its
// start (eager workflow start): its first task never waits in the task
// queue behind other incidents' work (docs/benchmarks.md, "Declarations
// first"). No other worker runs here for the gateway's namespace but such a
// gateway's, so the room is its worker's doing.
func TestGatewayWorkerStartsItsDeclarations(t *testing.T) {
	gw := startGatewayProcess(t, freeAddr(t), devServer.FrontendHostPort(), "IB_GATEWAY_WORKER=true")
	waitFor(t, "the gateway's worker runs", func() bool { return strings.Contains(gw.log.String(), "the gateway runs a worker") })

	title := fmt.Sprintf("Declared where it starts %d", time.Now().UnixNano())
	(&gatewayServer{url: gw.url}).command(t, fake.UserByName("alice"), "C0GENERAL", "create S2 "+title)
	name := ib.ChannelName("inc", time.Now(), title, "", 1)
	waitFor(t, "the room's header", func() bool {
		ch, ok := fake.ChannelByName(name)
		return ok && len(ch.Messages) > 0
	})
	ch, _ := fake.ChannelByName(name)
	id := incidentOf(ch)
	require.NotEmpty(t, id, "the channel names its incident: %q", ch.Purpose)
	c, err := client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Namespace: isolatedNamespace, Logger: quietLogger()})
	require.NoError(t, err)
	defer c.Close()
	defer func() { _ = c.TerminateWorkflow(context.Background(), id, "", "test over") }()

	iter := c.GetWorkflowHistory(t.Context(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	started, err := iter.Next()
	require.NoError(t, err)
	assert.True(t, started.GetWorkflowExecutionStartedEventAttributes().GetEagerExecutionAccepted(), "the first task came with the start")
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(t, err)
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
			assert.True(t, strings.HasPrefix(e.GetWorkflowTaskStartedEventAttributes().GetIdentity(), fmt.Sprintf("%d@", gw.cmd.Process.Pid)),
				"the gateway's worker took it: %s", e.GetWorkflowTaskStartedEventAttributes().GetIdentity())
			break
		}
	}
}
