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
	// Missing are the integrations not configured where the incident was
	// declared: the changes that need them are refused, and nothing
	// reminds of them.
	Missing []Integration `json:"missing,omitempty"`
}

// Integration is an outside service some changes need.
type Integration string

const (
	StatusPageIntegration Integration = "status page"
	ZendeskIntegration    Integration = "Zendesk"
)

// notConfigured says that an integration is not configured, and how it is.
var notConfigured = map[Integration]string{
	StatusPageIntegration: "No status page is configured: set STATUSPAGE_PAGE_ID and STATUSPAGE_API_KEY for the worker and the gateway.",
	ZendeskIntegration:    "Zendesk is not configured: set ZENDESK_URL, ZENDESK_EMAIL and ZENDESK_API_TOKEN for the worker and the gateway.",
}

// Has says whether the integration is configured.
func (s Settings) Has(i Integration) bool { return !slices.Contains(s.Missing, i) }

// Available refuses a change whose integration is not configured, saying
// what to set.
func (s Settings) Available(v *Verb) error {
	if v.Needs == "" || s.Has(v.Needs) {
		return nil
	}
	return Errorf(ECONFLICT, "`%s` cannot work here. %s", v.Words, notConfigured[v.Needs])
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
