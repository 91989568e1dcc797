package ib

// Rules are what an incident does that changed while incidents ran. The
// workflow sets them at the start of each run from workflow.GetVersion, so
// that a run recorded before a change replays as it ran, and the incident's
// next run takes them up; they are not part of its state
// (docs/versioning.md).
type Rules struct {
	// LivedIn: resolution stops the pages still escalating and resolves the
	// status page's incident; a page waits for an acknowledgement from when
	// its message is sent; the postmortem stage waits for a night's rest
	// and for the recovery of those paged off-hours, and its owner is nobody
	// still recovering; the rotations a severity always pages are paged.
	LivedIn bool
}
