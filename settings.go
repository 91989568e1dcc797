package ib

import (
	"slices"
	"time"
)

// Settings are the configuration an incident keeps for its whole life, taken
// from the declaring front door's configuration.
type Settings struct {
	// StatusPageReminder is how long an active S1 or S2 incident may leave the
	// status page without an update before the channel is reminded; 0: never.
	StatusPageReminder time.Duration `json:"status_page_reminder,omitempty"`
	// EscalateAfter, when set, is how long a page waits for an acknowledgement,
	// whatever the severity; else EscalateAfter decides by severity.
	EscalateAfter time.Duration `json:"escalate_after,omitempty"`
	// Postmortem is how the incident is carried through its postmortem stage.
	Postmortem PostmortemPolicy `json:"postmortem,omitzero"`
	// ProblemTickets are the severities that open a Zendesk problem ticket on
	// declaration (none: Zendesk is not configured, or no severity does).
	ProblemTickets []Severity `json:"problem_tickets,omitempty"`
	// SuggestTickets is how often an active incident looks in Zendesk for
	// customer tickets about its services; 0: never.
	SuggestTickets time.Duration `json:"suggest_tickets,omitempty"`
}

// PageTimeout is how long a page of an incident of sev waits for an
// acknowledgement before it escalates.
func (s Settings) PageTimeout(sev Severity) time.Duration {
	if s.EscalateAfter > 0 {
		return s.EscalateAfter
	}
	return EscalateAfter(sev)
}

// WantsProblemTicket says whether an incident of sev opens a Zendesk problem
// ticket when declared.
func (s Settings) WantsProblemTicket(sev Severity) bool {
	return slices.Contains(s.ProblemTickets, sev)
}
