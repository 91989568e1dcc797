package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/workflows"
)

// replay replays the last incidents' histories against this binary's
// workflow code: the step before every deploy. It exits non-zero naming each
// incident the new code would break, with the first mismatch.
func replay(ctx context.Context, c client.Client, logger *zap.Logger, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	last := fs.Int("last", 200, "how many of the newest incident runs (running, and closed within the retention) to replay")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	var replayed, broken int
	err := ibtemporal.Replay(ctx, c, workflows.IncidentWorkflow, *last, ibtemporal.Logger(logger), func(r ibtemporal.Replayed) {
		replayed++
		state := "closed"
		if r.Running {
			state = "running"
		}
		if r.Err != nil {
			broken++
			fmt.Fprintf(stdout, "✗ %s (%s, run %s, %d events) would break: %v\n", r.ID, state, r.RunID, r.Events, r.Err)
			return
		}
		fmt.Fprintf(stdout, "✓ %s (%s, %d events)\n", r.ID, state, r.Events)
	})
	if err != nil {
		fmt.Fprintln(stderr, "starter replay:", err)
		return exitError
	}
	if broken > 0 {
		fmt.Fprintf(stderr, "starter replay: %d of %d incident runs would break with this build; do not deploy it: guard the change with workflow.GetVersion (docs/versioning.md).\n", broken, replayed)
		return exitError
	}
	fmt.Fprintf(stdout, "All %d incident runs replay with this build: safe to deploy.\n", replayed)
	return exitOK
}
