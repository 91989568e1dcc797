package workflows

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
)

// The first loop's own change IDs, kept in its files, guard what changed
// within it; they retire with it:
//   - "responders-on-declare", "index-channel", "problem-ticket" (openRoom),
//   - "batch-timeline-posts" (flush), "status-page-reminder" (waitForWork),
//   - "postmortem-stage" (run), "ticket-suggestions" (newFirstLoop),
//   - "off-hours-care" (follow).
