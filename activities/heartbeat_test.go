package activities_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/integrations/documents"
)

// slowHistorySlack reads a channel's history slowly, as a large channel is
// read page by page at Tier 3, and keeps what is uploaded.
type slowHistorySlack struct {
	ib.Slack
	read     time.Duration
	uploaded []string
}

func (s *slowHistorySlack) History(ctx context.Context, _ string) ([]ib.ChannelMessage, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(s.read):
	}
	return []ib.ChannelMessage{{TS: "1795405560.000100", User: "U1", Text: "rolled back"}}, nil
}

func (s *slowHistorySlack) Upload(_ context.Context, _, name, _ string, _ []byte) error {
	s.uploaded = append(s.uploaded, name)
	return nil
}

// A postmortem draft whose try outlasts its call's heartbeat timeout
// (a long channel to read) heartbeats as it goes, through the worker's
// interceptor, and completes in one try:
// the heartbeat timeout is what lets a try whose worker died be taken up
// again within seconds, and a working try must not be taken for a dead one.
func TestLongDraftHeartbeats(t *testing.T) {
	slack := &slowHistorySlack{read: 1500 * time.Millisecond}
	a := &activities.Activities{Slack: slack, Documents: documents.Files{Dir: t.TempDir()}, Log: zap.NewNop()}
	draft := func(ctx workflow.Context, in activities.DraftInput) (activities.Draft, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			HeartbeatTimeout:    300 * time.Millisecond,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		})
		var d activities.Draft
		err := workflow.ExecuteActivity(ctx, a.DraftPostmortem, in).Get(ctx, &d)
		return d, err
	}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&activities.Heartbeats{}}})
	env.RegisterActivity(a)
	env.RegisterWorkflow(draft)
	beats := 0
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { beats++ })
	in := activities.DraftInput{Version: 1, Incident: ib.Incident{Summary: ib.Summary{ID: "INC-1", Title: "Login down",
		Channel: ib.Channel{ID: "C1", Name: "inc-login-down"}}}}
	env.ExecuteWorkflow(draft, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError(), "the try must not time out while it works")
	var d activities.Draft
	require.NoError(t, env.GetWorkflowResult(&d))
	assert.Equal(t, []string{"INC-1-postmortem-v1.md"}, slack.uploaded)
	assert.GreaterOrEqual(t, beats, 3, "a heartbeat every third of the timeout")
	export, err := os.ReadFile(d.Export)
	require.NoError(t, err)
	assert.Contains(t, string(export), "rolled back")
	assert.Equal(t, "INC-1-channel.md", filepath.Base(d.Export))
}
