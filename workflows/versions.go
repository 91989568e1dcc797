package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
)

// The change IDs of workflow.GetVersion: each guards a change of the
// incident workflow's commands, so that incidents running on the code before
// it replay as they were recorded. docs/versioning.md says why each exists,
// which recorded history proves it, and when it can be retired.
const (
	// versionOwedLedger chooses the loop: incidents declared before the owed
	// ledger (DefaultVersion) keep the first loop (firstloop*.go) until they
	// end or continue as new; every run after that, and every incident
	// declared since (1), runs the ledger loop (incident.go).
	versionOwedLedger = "owed-ledger"
	// versionLivedIn sets ib.Rules.LivedIn for runs since (1): resolution
	// stops pages and resolves the status page, a page's wait starts when its
	// message is sent, the postmortem stage waits
	// for rest and recovery, always-paged rotations are paged. The first
	// loop keeps the rules it had.
	versionLivedIn = "lived-in"
	// versionAlertsOnTimeline (1): an incident declared with its services'
	// recent alerts posts them, and its detection time, on its timeline.
	versionAlertsOnTimeline = "alerts-on-timeline"
	// versionUpsertChanges (1): a refresh upserts the search attributes only
	// when one of them changed (a note or a link changes none).
	versionUpsertChanges = "upsert-changes"
)

// rulesOf are the rules of a run, from its version of versionLivedIn.
func rulesOf(livedIn workflow.Version) ib.Rules {
	return ib.Rules{LivedIn: livedIn >= 1}
}

// The first loop's own change IDs, kept in its files, guard what changed
// within it; they retire with it:
//   - "responders-on-declare", "index-channel", "problem-ticket" (openRoom),
//   - "batch-timeline-posts" (flush), "status-page-reminder" (waitForWork),
//   - "postmortem-stage" (run), "ticket-suggestions" (newFirstLoop),
//   - "off-hours-care" (follow).
