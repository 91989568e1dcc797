package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/workflows"
)

// story is the night this product was built around, on a pinned date: Core
// API alerts at 03:25, 03:32 and 03:41, each resolving on its own four
// minutes later, and a customer's ticket at 03:50.
var storyNight = time.Date(2026, 11, 23, 3, 20, 0, 0, time.UTC)

func storyAt(hh, mm int) time.Time {
	return time.Date(storyNight.Year(), storyNight.Month(), storyNight.Day(), hh, mm, 0, 0, time.UTC)
}

type told struct {
	At     time.Time
	Notice ib.WatchNotice
}

func watchEnv(t *testing.T, inZendesk ...ib.ZendeskTicket) (*testsuite.TestWorkflowEnvironment, func() []told) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(a)
	env.RegisterWorkflowWithOptions(workflows.WatchWorkflow, workflow.RegisterOptions{Name: workflows.WatchWorkflowType})
	env.SetStartTime(storyNight)
	var mu sync.Mutex
	var got []told
	env.OnActivity(a.TellWatch, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.WatchInput) ([]ib.PostRef, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, told{At: env.Now(), Notice: in.Notice})
		return []ib.PostRef{{Channel: "C0TEAM", TS: fmt.Sprint(len(got))}}, nil
	})
	env.OnActivity(a.SuggestTickets, mock.Anything, mock.Anything).Return(inZendesk, nil)
	return env, func() []told {
		mu.Lock()
		defer mu.Unlock()
		return append([]told(nil), got...)
	}
}

func crashLoop(starts time.Time, resolved bool) workflows.AlertBatch {
	a := ib.Alert{Fingerprint: "f00d", Name: "KubePodCrashLooping", Service: "core-api", Status: ib.AlertFiring,
		StartsAt: starts, Summary: "Core API pods are crash-looping"}
	if resolved {
		a.Status, a.EndsAt = ib.AlertResolved, starts.Add(4*time.Minute)
	}
	return workflows.AlertBatch{Rules: ib.DefaultWatchRules, Alerts: []ib.Alert{a}}
}

// at runs f at a time of the story's night.
func at(env *testsuite.TestWorkflowEnvironment, when time.Time, f func()) {
	env.RegisterDelayedCallback(f, when.Sub(storyNight))
}

func TestWatchTheNightOfTheStory(t *testing.T) {
	env, got := watchEnv(t)
	for _, m := range []int{25, 32, 41} {
		start := storyAt(3, m)
		at(env, start, func() { env.SignalWorkflow(workflows.SignalAlerts, crashLoop(start, false)) })
		at(env, start.Add(4*time.Minute), func() { env.SignalWorkflow(workflows.SignalAlerts, crashLoop(start, true)) })
		at(env, start.Add(5*time.Minute), func() { env.SignalWorkflow(workflows.SignalAlerts, crashLoop(start, true)) }) // sent again
	}
	at(env, storyAt(3, 50), func() {
		env.SignalWorkflow(workflows.SignalWatchTicket, ib.TicketEvent{ID: 4242, Subject: "Core API errors", Status: "new"})
	})
	var recent []ib.AlertEpisode
	at(env, storyAt(3, 53), func() {
		v, err := env.QueryWorkflow(workflows.QueryRecent)
		require.NoError(t, err)
		require.NoError(t, v.Get(&recent))
	})
	at(env, storyAt(3, 55), func() { env.SignalWorkflow(workflows.SignalIncidentDeclared, "INC-20261123-ABCD") })
	env.ExecuteWorkflow(workflows.WatchWorkflowType, workflows.WatchInput{Service: "core-api"})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError(), "the watch ends once nothing recent is left")
	var kinds []ib.WatchNoticeKind
	var suggested told
	for _, n := range got() {
		kinds = append(kinds, n.Notice.Kind)
		if n.Notice.Kind == ib.NoticeSuggest {
			suggested = n
		}
	}
	assert.Equal(t, []ib.WatchNoticeKind{ib.NoticeAlert, ib.NoticeAlert, ib.NoticeAlert, ib.NoticeFlapping, ib.NoticeSuggest, ib.NoticeSuggestion}, kinds,
		"each alert told its owner once, flapping once, one suggestion, withdrawn when declared")
	require.NotNil(t, suggested.Notice.Suggestion)
	assert.Less(t, suggested.At.Sub(storyAt(3, 50)), time.Minute, "the suggestion within a minute of the ticket")
	assert.Equal(t, storyAt(3, 25), suggested.Notice.Suggestion.DetectedAt)
	assert.Len(t, recent, 3, "a declaration gets the three alerts")
	last := got()[len(got())-1].Notice.Suggestion
	assert.Equal(t, ib.SuggestionWithdrawn, last.State)
	assert.Equal(t, []ib.PostRef{{Channel: "C0TEAM", TS: "5"}}, last.Posts, "the withdrawal updates the suggestion's posts")
}

// A watch whose history grows long continues as new with its alerts.
func TestWatchContinuesAsNewWithItsHistory(t *testing.T) {
	env, _ := watchEnv(t)
	const n = 300
	for i := range n + 1 {
		start := storyNight.Add(time.Duration(i) * 5 * time.Second)
		at(env, start.Add(time.Second), func() {
			if i == n {
				env.SetCurrentHistoryLength(5000) // as a server would count it by now
			}
			b := crashLoop(start, false)
			b.Alerts[0].Fingerprint = fmt.Sprint("pod-", i)
			env.SignalWorkflow(workflows.SignalAlerts, b)
		})
	}
	env.ExecuteWorkflow(workflows.WatchWorkflowType, workflows.WatchInput{Service: "core-api"})
	var next *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &next), "continued as new: %v", env.GetWorkflowError())
	var in workflows.WatchInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(next.Input, &in))
	assert.Equal(t, "core-api", in.Service)
	require.NotNil(t, in.Watch)
	assert.NotEmpty(t, in.Watch.Episodes, "the alert history goes on")
	assert.LessOrEqual(t, len(in.Watch.Episodes), ib.MaxWatchEpisodes, "bounded")
}

// Without the webhook, a flapping service's watch finds the customer's
// ticket by searching Zendesk, and suggests declaring.
func TestWatchSearchesZendeskWhileFlapping(t *testing.T) {
	env, got := watchEnv(t, ib.ZendeskTicket{ID: 77, Subject: "Core API keeps failing", Status: "new"})
	for _, m := range []int{25, 32, 41} {
		start := storyAt(3, m)
		at(env, start, func() { env.SignalWorkflow(workflows.SignalAlerts, crashLoop(start, true)) })
	}
	env.ExecuteWorkflow(workflows.WatchWorkflowType, workflows.WatchInput{Service: "core-api"})
	require.NoError(t, env.GetWorkflowError())
	var suggested *ib.Suggestion
	for _, n := range got() {
		if n.Notice.Kind == ib.NoticeSuggest {
			suggested = n.Notice.Suggestion
		}
	}
	require.NotNil(t, suggested, "a suggestion from the ticket found")
	assert.Equal(t, int64(77), suggested.Ticket.ID)
	env.AssertActivityNumberOfCalls(t, "SuggestTickets", 1)
}
