package ib

import "time"

// Metrics are an incident's response measured from its timeline: the one place
// they are computed, for the query, the search attributes and the postmortem.
// A metric whose facts are not known yet is zero.
type Metrics struct {
	// TimeToDeclare is from the first detection to the declaration.
	TimeToDeclare time.Duration `json:"time_to_declare,omitempty"`
	// TimeToKnowCustomers is from the start (detection, else declaration) to
	// the first yes or no to the customer question.
	TimeToKnowCustomers time.Duration `json:"time_to_know_customers,omitempty"`
	// TimeToMitigate and TimeToResolve are from the start.
	TimeToMitigate time.Duration `json:"time_to_mitigate,omitempty"`
	TimeToResolve  time.Duration `json:"time_to_resolve,omitempty"`
	// CustomerImpact is how long customers were affected: the impact window,
	// ending at mitigation (else resolution) when no end was given.
	CustomerImpact time.Duration `json:"customer_impact,omitempty"`
}

// Start is when the incident began as far as anyone knows: its detection,
// else its declaration.
func (s Summary) Start() time.Time {
	if !s.DetectedAt.IsZero() && s.DetectedAt.Before(s.DeclaredAt) {
		return s.DetectedAt
	}
	return s.DeclaredAt
}

// ResponseMetrics measures the response.
func (s Summary) ResponseMetrics() Metrics {
	start := s.Start()
	since := func(from, to time.Time) time.Duration {
		if from.IsZero() || to.IsZero() || to.Before(from) {
			return 0
		}
		return to.Sub(from)
	}
	m := Metrics{
		TimeToKnowCustomers: since(start, s.CustomersAnsweredAt),
		TimeToMitigate:      since(start, s.MitigatedAt),
		TimeToResolve:       since(start, s.ResolvedAt),
	}
	if !s.DetectedAt.IsZero() {
		m.TimeToDeclare = since(s.DetectedAt, s.DeclaredAt)
	}
	if start := s.CustomerImpact.Start; !start.IsZero() {
		m.CustomerImpact = since(start, s.ImpactEnd())
	}
	return m
}

// ImpactEnd is when customers stopped being affected: the impact window's end,
// else the mitigation, else the resolution; zero while none is known.
func (s Summary) ImpactEnd() time.Time {
	for _, t := range []time.Time{s.CustomerImpact.End, s.MitigatedAt, s.ResolvedAt} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
