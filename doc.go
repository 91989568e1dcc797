// Package ib is the domain of Incident Buddy: what an incident is, how it moves
// through its life, and the command language people use to drive it.
//
// Everything here is pure Go with no I/O and no clock of its own, so workflow code
// may use it freely: callers pass the time in. Reading this package should teach a
// newcomer the domain:
//
//   - Incident, with its Severity (S1–S4), Status (investigating → resolved) and
//     Stage (active → postmortem → review → closed);
//   - TimelineEvent, one dated fact in an incident's history;
//   - the changes people make, one type each beside its noun (SetSeverity in
//     severity.go, SendPage in page.go, AddAction in postmortem_changes.go, …):
//     each reads its command's arguments, checks itself against the incident
//     and applies itself, saying what it means (Applied) and what the outside
//     world is owed (Owed);
//   - Verbs, the command table that names every change and command, and
//     ParseCommand, the one grammar shared by Slack and the CLI;
//   - the ports (ports.go): what an incident needs of Slack, Zendesk, the
//     status page, the pager and the document store, which adapters implement;
//   - Error and its codes, the one way an error becomes text a user may read.
package ib
