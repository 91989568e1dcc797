package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
)

// keepAlive heartbeats while an activity whose try may run long works (a
// channel's history read page by page, a paced Zendesk batch), so that a try
// whose worker died is taken up again after the call's heartbeat timeout of a
// few seconds rather than after the whole try's minutes. It does nothing
// outside an activity or when the call sets no heartbeat timeout; the
// function it returns stops it.
func keepAlive(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	every := activity.GetInfo(ctx).HeartbeatTimeout / 3
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			activity.RecordHeartbeat(ctx)
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done) }
}
