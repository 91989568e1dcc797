package workflows

import (
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// a is the nil receiver through which the workflow names its activities.
var a *activities.Activities

// historyLimit is the history length at which an incident continues as new.
// It keeps every run well under the 4,096 events past which a history slows
// down to replay, with room for the run's last burst.
const historyLimit = 3000

// Slack delivers an event again up to about 5 minutes after the first time.
// The gateway drops redeliveries it has seen; the incident drops those that
// reach it through another gateway, remembering 6 minutes of events, at most
// 1,000 of them, which keeps its carried state small. The first loop
// remembered more, and still does while its histories replay.
const (
	rememberEventsFor    = 6 * time.Minute
	rememberedEvents     = 1000
	firstLoopRememberFor = 10 * time.Minute
	firstLoopRemembered  = 5000
)

// maxEventsPerPost is how many queued timeline events one post may carry.
const maxEventsPerPost = 10

// slackCall sets the timeouts and retries of a Slack call: a few seconds per try;
// retries without end (backing off to a minute) because every Slack call is
// idempotent and an incident must not lose a step while Slack is down or a
// token is being fixed. A 429 overrides the backoff with Slack's Retry-After.
func slackCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    500 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// pagerCall bounds PagerDuty calls to 5 minutes of retries: PagerDuty is a
// second channel beside Slack, and an outage of it must not hold the incident
// (its continuing as new, its end) for long.
func pagerCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// documentCall gives the draft, which reads the channel's whole history, more
// time per try than a single Slack call.
func documentCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
			NonRetryableErrorTypes: []string{ib.EINVALID},
		},
	})
}

// zendeskCall bounds a Zendesk call: up to 2 minutes a try (a paced batch),
// retried with backoff while Zendesk is down, its 429s waited out as it asks.
func zendeskCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute},
	})
}
