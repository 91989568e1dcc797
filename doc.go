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
//   - Change, a request to alter an incident, checked by Incident.Check and applied
//     by Incident.Apply;
//   - Command and ParseCommand, the one grammar shared by Slack and the CLI;
//   - Error and its codes, the one way an error becomes text a user may read;
//   - Config, every setting of the product with its default.
package ib
