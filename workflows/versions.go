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
	// versionCheaperCalls (1): calls that are the same however often they
	// are made (lookups, the topic and header, reactions, invitations,
	// PagerDuty) are tried once as local activities before falling back to
	// activities (quick, in options.go); the topic and header are refreshed
	// by the post before them, and only when the summary changed; the
	// on-call of a new incident is found once its channel is asked for.
	// IncidentWorkflow asks for it first: a run that has it records no other
	// marker, as it implies owed-ledger, lived-in, upsert-changes and
	// alerts-on-timeline. Version 2: a collected message is fetched and
	// confirmed with the bot's reaction in one call (Collect), not two.
	versionCheaperCalls = "cheaper-calls"
)

// The first loop's own change IDs, kept in its files, guard what changed
// within it; they retire with it:
//   - "responders-on-declare", "index-channel", "problem-ticket" (openRoom),
//   - "batch-timeline-posts" (flush), "status-page-reminder" (waitForWork),
//   - "postmortem-stage" (run), "ticket-suggestions" (newFirstLoop),
//   - "off-hours-care" (follow).
