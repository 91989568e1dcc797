package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/incident-buddy/ib"
)

// Error types of activity failures, as they appear in the Web UI and in the
// workflow's errors.
const (
	ErrTypeRateLimited = "RateLimited"
	ErrTypeInvalid     = "Invalid"
)

// fail tells Temporal how to retry an outside system's error:
//   - asked to wait (HTTP 429, Retry-After): retry after exactly that delay, set as
//     the next retry's delay, so no worker sleeps or spins and other work goes on;
//   - bad input (ib.EINVALID, ib.EFORBIDDEN): do not retry, it cannot get better;
//   - anything else (timeouts, 5xx, a missing token): retry with backoff until it
//     works, so nothing is lost while an operator fixes it.
func (a *Activities) fail(err error) error {
	var wait *ib.RetryAfterError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &wait):
		return temporal.NewApplicationErrorWithOptions(err.Error(), ErrTypeRateLimited,
			temporal.ApplicationErrorOptions{NextRetryDelay: wait.RetryAfter, Cause: err})
	case ib.ErrorCode(err) == ib.EINVALID || ib.ErrorCode(err) == ib.EFORBIDDEN:
		return temporal.NewNonRetryableApplicationError(ib.ErrorMessage(err), ErrTypeInvalid, err)
	default:
		return err
	}
}

// Caller names the activity making a call the same way on each of its tries:
// its run's and its own IDs. The Slack pacer keeps the turn of a call it
// refused for that name. A local activity is not tried again as itself (an
// ordinary activity takes over) and has none; nor has a call made outside an
// activity.
func Caller(ctx context.Context) string {
	if !activity.IsActivity(ctx) {
		return ""
	}
	info := activity.GetInfo(ctx)
	if info.IsLocalActivity {
		return ""
	}
	return info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID + "/" + info.ActivityID
}
