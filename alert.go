package ib

import (
	"fmt"
	"sort"
	"time"
)

// Alert is one alert as a monitoring system reports it (Alertmanager,
// Grafana, or anything posting the plain JSON form), mapped to a catalog
// service. The same alert firing again after it resolved is a new episode:
// the same fingerprint with a later StartsAt.
type Alert struct {
	Fingerprint string    `json:"fingerprint"`
	Name        string    `json:"name"`               // alertname
	Service     string    `json:"service,omitempty"`  // the catalog's name; "" when no service matched
	Status      string    `json:"status"`             // firing or resolved
	StartsAt    time.Time `json:"starts_at"`          // when it began firing
	EndsAt      time.Time `json:"ends_at,omitzero"`   // when it resolved
	Summary     string    `json:"summary,omitempty"`  // the summary annotation
	Severity    string    `json:"severity,omitempty"` // the severity label, as the alert's rule says it
	URL         string    `json:"url,omitempty"`      // the generator's or the panel's URL
	// Labels names the alert where no service matched (for the catalog's owners).
	Labels string `json:"labels,omitempty"`
}

// Alert statuses.
const (
	AlertFiring   = "firing"
	AlertResolved = "resolved"
)

// Bounds of an alert's texts: alerts are untrusted input.
const (
	MaxAlertNameRunes    = 100
	MaxAlertSummaryRunes = 300
	MaxFingerprintBytes  = 64
	MaxAlertsPerRequest  = 500
)

// Bounded is the alert as the product keeps it: cleaned, cut to its limits,
// its times in UTC. It says what is wrong with an alert that cannot be kept.
func (a Alert) Bounded() (Alert, error) {
	a.Name = clipRunes(CleanText(a.Name), MaxAlertNameRunes)
	a.Summary = clipRunes(CleanText(a.Summary), MaxAlertSummaryRunes)
	a.Severity = clipRunes(CleanText(a.Severity), 20)
	a.Labels = clipRunes(CleanText(a.Labels), MaxAlertSummaryRunes)
	a.Service = clipRunes(CleanText(a.Service), MaxAlertNameRunes)
	a.URL = ClipBytes(a.URL, MaxURLBytes)
	a.Fingerprint = ClipBytes(CleanText(a.Fingerprint), MaxFingerprintBytes)
	a.StartsAt, a.EndsAt = a.StartsAt.UTC(), a.EndsAt.UTC()
	switch {
	case a.Name == "":
		return a, fmt.Errorf("an alert needs a name (the alertname label)")
	case a.Status != AlertFiring && a.Status != AlertResolved:
		return a, fmt.Errorf("alert %q: status %q is neither firing nor resolved", a.Name, a.Status)
	case a.StartsAt.IsZero() || a.StartsAt.Year() < 2000:
		return a, fmt.Errorf("alert %q: startsAt is missing", a.Name)
	}
	if a.Fingerprint == "" {
		a.Fingerprint = a.Name + "|" + a.Service
	}
	if a.Status == AlertResolved && (a.EndsAt.IsZero() || a.EndsAt.Year() < 2000) {
		return a, fmt.Errorf("alert %q: a resolved alert needs endsAt", a.Name)
	}
	if a.Status == AlertFiring {
		a.EndsAt = time.Time{} // Alertmanager sends the time it would expire
	}
	return a, nil
}

// AlertEpisode is one firing of an alert, and its resolution once it came.
type AlertEpisode struct {
	Alert
	// Told: the owner was told of it.
	Told bool `json:"told,omitempty"`
	// LastSeen is when its monitoring last reported it (Alertmanager repeats
	// a firing alert): a firing alert not reported for a day is forgotten.
	LastSeen time.Time `json:"last_seen,omitzero"`
}

// ForgetFiringAfter is how long a firing alert that is not reported again
// is kept: Alertmanager repeats firing alerts every few hours (its
// repeat_interval, 4h by default), and a sender that never resolves its
// alerts must not keep a watch forever.
const ForgetFiringAfter = 24 * time.Hour

// AutoResolved says whether the episode ended without anyone acting on it:
// every resolution an alert reports is its own.
func (e AlertEpisode) AutoResolved() bool { return e.Status == AlertResolved }

// SortEpisodes puts episodes in the order they began.
func SortEpisodes(eps []AlertEpisode) {
	sort.SliceStable(eps, func(i, j int) bool { return eps[i].StartsAt.Before(eps[j].StartsAt) })
}

// Line is the episode as one timeline line: what fired, and when it
// resolved (the times as Stamp writes them, which Slack shows in each
// reader's zone).
func (e AlertEpisode) Line() string {
	what := "🔔 " + e.Name
	if e.Summary != "" {
		what += ": " + e.Summary
	}
	if e.Status == AlertResolved {
		return fmt.Sprintf("%s (fired %s, resolved on its own %s)", what, Stamp(e.StartsAt), Stamp(e.EndsAt))
	}
	return fmt.Sprintf("%s (firing since %s)", what, Stamp(e.StartsAt))
}
