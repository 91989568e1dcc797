package workflows

import (
	"errors"
	"reflect"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
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
// time per try than a single Slack call. The draft heartbeats while it works,
// so that a try whose worker died is taken up again after heartbeatTimeout.
func documentCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    heartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
			NonRetryableErrorTypes: []string{ib.EINVALID},
		},
	})
}

// zendeskCall bounds a Zendesk call: up to 2 minutes a try (a paced batch),
// heartbeating as it goes, retried with backoff while Zendesk is down, its
// 429s waited out as it asks.
func zendeskCall(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		HeartbeatTimeout:    heartbeatTimeout,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute},
	})
}

// heartbeatTimeout is how soon a long try whose worker died is tried again:
// its activity heartbeats a few times within it while it works.
const heartbeatTimeout = 15 * time.Second

// quickTry bounds the one try a quick call makes inside the workflow task.
// The task stays open while it runs, and an Update answered by that task
// waits for it: a second keeps every answer well inside Slack's three.
const quickTry = time.Second

// quick makes a cheap call that is the same however often it is made (a
// lookup, the topic and header, reactions, an invitation, a PagerDuty event
// with its dedup key). Since versionCheaperCalls it is first tried once
// inside the workflow task, as a local activity: one event in the history
// and no task of its own to dispatch, where an activity costs three events
// and the workflow task its completion wakes. Should that try fail (an
// error, Slack's rate limit, past quickTry) the call is made again as the
// activity call describes, with its retries.
//
// Posts are never quick. A local activity's effect is recorded only when its
// workflow task completes, and a task that carries an Update can be dropped
// by the server, its Updates delivered again, perhaps in another order: a
// post made in the dropped task would be made again, and one made of other
// events could not even be recognised. What is quick is harmless to repeat.
func (w *incident) quick(ctx workflow.Context, call func(workflow.Context) workflow.Context, fn, in any) workflow.Future {
	if !w.cheaperCalls {
		return workflow.ExecuteActivity(call(ctx), fn, in)
	}
	in, err := detached(in)
	if err != nil {
		failed, set := workflow.NewFuture(ctx)
		set.SetError(err)
		return failed
	}
	try := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: quickTry,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	}), fn, in)
	done, settle := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		err := try.Get(ctx, nil)
		var app *temporal.ApplicationError
		if err == nil || ctx.Err() != nil || (errors.As(err, &app) && app.NonRetryable()) {
			settle.Chain(try)
			return
		}
		settle.Chain(workflow.ExecuteActivity(call(ctx), fn, in))
	})
	return done
}

// detached is a copy of a local activity's input that shares no memory with
// the incident's state. A local activity gets its input as it is, where an
// activity gets it encoded, and it runs while workflow code goes on (another
// lane's result taken in) and may change what the input points into.
func detached(in any) (any, error) {
	dc := converter.GetDefaultDataConverter()
	payload, err := dc.ToPayload(in)
	if err != nil {
		return nil, err
	}
	out := reflect.New(reflect.TypeOf(in))
	if err := dc.FromPayload(payload, out.Interface()); err != nil {
		return nil, err
	}
	return out.Elem().Interface(), nil
}
