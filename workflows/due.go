package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
)

// dueTimer is the incident's one timer: for the next thing it does on its
// own, named for it in the Web UI.
type dueTimer struct {
	at     time.Time
	fired  workflow.Future
	cancel workflow.CancelFunc
}

// arm keeps one timer running for the next due time: the one already running
// when it is for that time; else the old one is cancelled and a new one
// started. Nothing due, or due already: no timer.
func (w *incident) arm(ctx workflow.Context, due ib.Due, ok bool) {
	if ok && w.timer != nil && w.timer.at.Equal(due.At) {
		return
	}
	if w.timer != nil && !w.timer.fired.IsReady() {
		w.timer.cancel()
	}
	w.timer = nil
	wait := due.At.Sub(workflow.Now(ctx))
	if !ok || wait <= 0 {
		return
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	w.timer = &dueTimer{at: due.At, cancel: cancel,
		fired: workflow.NewTimerWithOptions(timerCtx, wait, workflow.TimerOptions{Summary: due.Summary()})}
}

func (w *incident) timerFired() bool { return w.timer != nil && w.timer.fired.IsReady() }

// maxDuePerTurn bounds what one turn of the loop does on its own: after a
// long outage, reminders of a series come one at a time anyway (the domain
// skips those missed), and pages escalate once per step.
const maxDuePerTurn = 20

// doDue does everything due by now, in the order it fell due.
func (w *incident) doDue(ctx workflow.Context) {
	for range maxDuePerTurn {
		due, ok := w.NextDue(w.settings)
		now := workflow.Now(ctx)
		if !ok || due.At.After(now) {
			return
		}
		w.take(ctx, w.Do(due, w.settings, now))
	}
}
