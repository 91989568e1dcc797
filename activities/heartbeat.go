package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
)

// Heartbeats is the worker's interceptor that makes every activity called
// with a heartbeat timeout heartbeat while it works (a channel's history read
// page by page, a paced Zendesk batch), so that a try whose worker died is
// taken up again after the call's heartbeat timeout of a few seconds rather
// than after the whole try's minutes. The calls choose the timeout
// (workflows/options.go); the activities need not know.
type Heartbeats struct {
	interceptor.WorkerInterceptorBase
}

func (*Heartbeats) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &heartbeating{interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type heartbeating struct {
	interceptor.ActivityInboundInterceptorBase
}

func (h *heartbeating) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	defer keepAlive(ctx)()
	return h.Next.ExecuteActivity(ctx, in)
}

// keepAlive heartbeats, a few times within the activity's heartbeat timeout,
// until the function it returns is called. It does nothing for a call that
// sets no heartbeat timeout (a local activity has none). Its heartbeats carry
// no details: an activity that keeps its own (Post) is called without one.
func keepAlive(ctx context.Context) (stop func()) {
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
