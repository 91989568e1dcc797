package tests

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/workflows"
)

var recordHistories = flag.Bool("record-histories", false,
	"write the canonical incident's history to testdata/histories (make record-histories)")

const canonicalHistory = "testdata/histories/incident-canonical.json"

// replayer replays incidents with wf, and the services' alert watches.
func replayer(t *testing.T, wf any) worker.WorkflowReplayer {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: workflows.WorkflowType})
	r.RegisterWorkflowWithOptions(workflows.WatchWorkflow, workflow.RegisterOptions{Name: workflows.WatchWorkflowType})
	return r
}

// historyOf fetches a workflow's history from the server.
func historyOf(t *testing.T, id string) *historypb.History {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var history historypb.History
	iter := tclient.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(t, err)
		history.Events = append(history.Events, e)
	}
	return &history
}

// record stores a history for TestReplayRecordedHistories when asked to
// (-record-histories).
func record(t *testing.T, history *historypb.History, file string) {
	if !*recordHistories {
		return
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(history)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
	require.NoError(t, os.WriteFile(file, data, 0o644))
	t.Logf("recorded %d events to %s", len(history.Events), file)
}

// F15: every recorded history of a real incident must replay with the current
// code. A change to the workflow's command sequence fails here until it is
// guarded with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories: run `make record-histories`")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			require.NoError(t, replayer(t, workflows.IncidentWorkflow).ReplayWorkflowHistoryFromJSONFile(quietLogger(), f))
		})
	}
}

// The replay test is a real guard: a workflow whose first command differs from
// the recorded one is rejected as nondeterministic.
func TestReplayRejectsChangedCommands(t *testing.T) {
	altered := func(ctx workflow.Context, req workflows.DeclareRequest) (ib.Incident, error) {
		_ = workflow.Sleep(ctx, time.Second) // a new first command: a timer before the channel
		return workflows.IncidentWorkflow(ctx, req)
	}
	err := replayer(t, altered).ReplayWorkflowHistoryFromJSONFile(quietLogger(), canonicalHistory)
	require.ErrorContains(t, err, "TMPRL1100", "Temporal's nondeterminism error")
}

// TestCanonicalIncidentHistory runs the canonical incident on the dev server
// (declare, detection, status and severity changes, a note, a link, the
// customer question, the impact window and size, a status page update, a 🧾
// and a 📌, a page and its acknowledgement, resolve, then the postmortem
// stage to close) and replays its fresh history. With -record-histories it
// also stores the history for TestReplayRecordedHistories.
func TestCanonicalIncidentHistory(t *testing.T) {
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	id := declare(t, ib.Declaration{Title: "Canonical incident for replay", Severity: ib.S2, Impact: "none, a recording", Declarer: alice})
	ch := roomReady(t, id).Channel.ID
	now := time.Now()
	for _, c := range []ib.Change{
		&ib.SetDetected{At: now.Add(-30 * time.Minute), By: alice},
		&ib.SetStatus{Status: ib.Identified, By: alice},
		&ib.SetSeverity{Severity: ib.S1, By: alice},
		&ib.AnswerCustomers{Answer: ib.Yes, By: alice},
		&ib.AddNote{Text: "rolled back deploy 1234", By: alice},
		&ib.AddLink{URL: "https://github.com/acme/api/pull/1234", Label: "the revert", By: alice},
		&ib.PostStatusPage{Status: ib.Identified, Message: "A fix is being deployed.", By: alice},
		&ib.SetImpactWindow{Start: now.Add(-30 * time.Minute), End: now.Add(-5 * time.Minute), By: alice},
		&ib.SetImpactSize{Count: 1234, Unit: "failed requests", By: alice},
		&ib.SetStatus{Status: ib.Monitoring, By: alice},
	} {
		_, err := change(t, id, c)
		require.NoError(t, err)
	}
	msg, err := fake.PostAs(alice.SlackID, ch, "error rate back to normal", "")
	require.NoError(t, err)
	require.NoError(t, fake.ReactAs(alice.SlackID, ch, msg, "receipt"))
	require.NoError(t, fake.ReactAs(alice.SlackID, ch, msg, "pushpin"))
	waitFor(t, "both collected and fetched", func() bool {
		inc := state(t, id)
		return len(inc.Evidence) == 2 && inc.Evidence[0].Fetched && inc.Evidence[1].Fetched
	})
	// alice's second message is not handed to the incident (it knows she
	// takes part); the postmortem's draft counts it from the channel.
	_, err = fake.PostAs(alice.SlackID, ch, "latency is back too", msg)
	require.NoError(t, err)
	// A page, sent and acknowledged.
	_, err = change(t, id, &ib.SendPage{Target: "checkout", Message: "please join", By: alice})
	require.NoError(t, err)
	waitFor(t, "the page sent", func() bool { p := state(t, id).Pages; return len(p) == 1 && p[0].Sent == 1 })
	_, err = change(t, id, &ib.AckPage{Page: "P1", By: alice})
	require.NoError(t, err)

	_, err = change(t, id, &ib.Resolve{Summary: "reverted the change", By: alice})
	require.NoError(t, err)

	// The postmortem stage, begun at once: an owner (the primary service's
	// on-call, else the commander), a draft uploaded to the channel with the
	// channel's history exported beside it, an action item, the review, close.
	_, err = change(t, id, &ib.StartPostmortem{By: alice})
	require.NoError(t, err)
	var inc ib.Incident
	waitFor(t, "the first draft", func() bool { inc = state(t, id); return inc.Postmortem.Drafts == 1 })
	assert.Equal(t, alice, inc.Postmortem.Owner, "no service named: the commander owns the postmortem")
	files := fake.Files(ch)
	require.Len(t, files, 1, "the draft is uploaded to the channel once")
	assert.Equal(t, id+"-postmortem-v1.md", files[0].Name)
	assert.Contains(t, files[0].Content, "# Postmortem: Canonical incident for replay")
	assert.Contains(t, files[0].Content, "error rate back to normal", "the papertrail is in the draft")
	draft, err := os.ReadFile(inc.Postmortem.Document)
	require.NoError(t, err)
	assert.Equal(t, files[0].Content, string(draft), "the document store holds the same draft")
	export, err := os.ReadFile(filepath.Join(filepath.Dir(inc.Postmortem.Document), id+"-channel.md"))
	require.NoError(t, err)
	assert.Contains(t, string(export), "error rate back to normal", "the channel's history is exported beside the draft")

	for _, c := range []ib.Change{
		&ib.AddAction{Text: "alert on the error rate", Owner: alice.SlackID, Due: now.AddDate(0, 0, 7), By: alice},
		&ib.RecordReview{Notes: "agreed on one action", By: alice},
		&ib.FinishAction{N: 1, By: alice},
		&ib.Close{By: alice},
	} {
		_, err := change(t, id, c)
		require.NoError(t, err, "%s", ib.VerbOf(c).Name)
	}
	final := waitClosed(t, id)
	assert.Equal(t, ib.StageClosed, final.Stage)
	assert.Equal(t, ib.ChannelActivity{Messages: 2, Reactions: 2}, final.Activity,
		"counted from the channel's history when the draft was made: alice's messages (a reply too) and her two reactions, none of the bot's")

	history := historyOf(t, id)
	require.NoError(t, replayer(t, workflows.IncidentWorkflow).ReplayWorkflowHistory(quietLogger(), history))
	record(t, history, canonicalHistory)
}

// Replay before deploy (starter replay): the incidents on the cluster replay
// with this build's workflow code, and a build that changed a command
// without guarding it is caught, naming the incident and the mismatch.
func TestReplayBeforeDeploy(t *testing.T) {
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	id := declare(t, ib.Declaration{Title: "Replay before deploy", Severity: ib.S3, Declarer: alice})
	roomReady(t, id)
	_, err := change(t, id, &ib.SetStatus{Status: ib.Identified, By: alice})
	require.NoError(t, err)
	settled(t, tclient, id)

	var good []ibtemporal.Replayed
	require.NoError(t, ibtemporal.Replay(t.Context(), tclient, workflows.IncidentWorkflow, 20, quietLogger(),
		func(r ibtemporal.Replayed) { good = append(good, r) }))
	require.NotEmpty(t, good)
	for _, r := range good {
		assert.NoError(t, r.Err, "%s replays with this build", r.ID)
	}

	incompatible := func(ctx workflow.Context, req workflows.DeclareRequest) (ib.Incident, error) {
		_ = workflow.Sleep(ctx, time.Second) // an unguarded new first command
		return workflows.IncidentWorkflow(ctx, req)
	}
	var bad []ibtemporal.Replayed
	require.NoError(t, ibtemporal.Replay(t.Context(), tclient, incompatible, 20, quietLogger(),
		func(r ibtemporal.Replayed) { bad = append(bad, r) }))
	require.NotEmpty(t, bad)
	for _, r := range bad {
		if r.ID == id {
			require.Error(t, r.Err, "the incompatible build would break %s", id)
			assert.Contains(t, r.Err.Error(), "TMPRL1100")
			return
		}
	}
	t.Fatalf("%s was not among the replayed incidents", id)
}

// The worker keeps closed incidents as long as IB_RETENTION says, only ever
// lengthening the namespace's retention, and waits until the namespace takes
// the incidents' search attributes in queries.
func TestRetentionAndSearchAttributesReady(t *testing.T) {
	ctx := t.Context()
	ns := tclient.WorkflowService()
	desc, err := ns.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	require.NoError(t, err)
	before := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	want := before + 30*24*time.Hour

	got, err := ibtemporal.EnsureRetention(ctx, tclient, "default", want)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	desc, err = ns.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	require.NoError(t, err)
	assert.Equal(t, want, desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(), "the namespace keeps closed incidents longer")

	got, err = ibtemporal.EnsureRetention(ctx, tclient, "default", 24*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, want, got, "a shorter IB_RETENTION never shortens it")

	require.NoError(t, ibtemporal.AwaitSearchAttributes(ctx, tclient, "default", callTimeout))
}
