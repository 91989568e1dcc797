package ib

import (
	"fmt"
	"slices"
	"time"
)

// A Watch is what Incident Buddy knows of one service's recent alerts and of
// the customers who wrote about it: it tells the owner of each alert, notices
// an alert that keeps firing and resolving on its own (flapping), and when that
// meets a customer's ticket, suggests declaring an incident, once per episode.
// Its methods take what happened and return the notices to deliver; the
// service's watch workflow delivers them.
type Watch struct {
	Service string     `json:"service"` // "" gathers alerts that match no service
	Rules   WatchRules `json:"rules"`
	// Episodes are the service's recent alert firings, oldest first.
	Episodes []AlertEpisode `json:"episodes,omitempty"`
	// Tickets are recent customer tickets that mention the service while it
	// alerted.
	Tickets []CustomerSignal `json:"tickets,omitempty"`
	// FlappingSince is when the current episode was found flapping (zero: not).
	FlappingSince time.Time `json:"flapping_since,omitzero"`
	// Suggestion is the current episode's Declare? suggestion, once made.
	Suggestion *Suggestion `json:"suggestion,omitempty"`
	// Incident is an incident declared for the service during this episode:
	// no suggestion is made beside it.
	Incident string `json:"incident,omitempty"`
	// Dismissals are the suggestions people dismissed, with their reasons,
	// kept for the metrics.
	Dismissals []Dismissal `json:"dismissals,omitempty"`
	// Listed are the alert names already listed for the catalog's owners
	// (for the watch of unknown services).
	Listed []string `json:"listed,omitempty"`
	// Searched is when Zendesk was last searched for customers writing about
	// the service while it flaps.
	Searched time.Time `json:"searched,omitzero"`
}

// SearchEvery is how often a flapping service's watch looks in Zendesk for
// customers writing about it, while nobody has (a webhook may not be set up).
const SearchEvery = 10 * time.Minute

// WantsTickets says whether the watch should look in Zendesk now: the
// service flaps, no customer signal or suggestion yet, and the last look is
// SearchEvery old. It looks when alerts come, so a quiet service costs no
// searches.
func (w *Watch) WantsTickets(now time.Time) bool {
	return w.Service != "" && !w.FlappingSince.IsZero() && len(w.Tickets) == 0 && w.Suggestion == nil && w.Incident == "" &&
		now.Sub(w.Searched) >= SearchEvery
}

// SearchedTickets takes what a search of Zendesk found: each ticket is a
// customer's signal, as if the webhook had brought it.
func (w *Watch) SearchedTickets(found []TicketEvent, now time.Time) []WatchNotice {
	w.Searched = now.UTC()
	var out []WatchNotice
	for _, t := range found {
		out = append(out, w.TakeTicket(t, now)...)
	}
	return out
}

// WatchRules are a service's thresholds, from the catalog.
type WatchRules struct {
	// FlapCount auto-resolved firings of one alert within FlapWindow are
	// flapping.
	FlapCount  int           `json:"flap_count"`
	FlapWindow time.Duration `json:"flap_window"`
	// SuggestOn is what makes a Declare? suggestion: both (flapping and a
	// customer's ticket), flapping alone, or ticket (a ticket while alerts
	// fire or flap).
	SuggestOn string `json:"suggest_on"`
}

// What makes a suggestion.
const (
	SuggestOnBoth     = "both"
	SuggestOnFlapping = "flapping"
	SuggestOnTicket   = "ticket"
)

// DefaultWatchRules: 3 auto-resolved firings in 60 minutes are flapping; a
// suggestion needs flapping and a customer's ticket.
var DefaultWatchRules = WatchRules{FlapCount: 3, FlapWindow: time.Hour, SuggestOn: SuggestOnBoth}

// WithDefaults fills the rules a catalog left out.
func (r WatchRules) WithDefaults() WatchRules {
	if r.FlapCount <= 0 {
		r.FlapCount = DefaultWatchRules.FlapCount
	}
	if r.FlapWindow <= 0 {
		r.FlapWindow = DefaultWatchRules.FlapWindow
	}
	if r.SuggestOn == "" {
		r.SuggestOn = DefaultWatchRules.SuggestOn
	}
	return r
}

// Check says what is wrong with rules a catalog gives.
func (r WatchRules) Check() error {
	switch {
	case r.FlapCount < 0 || r.FlapCount > 100:
		return fmt.Errorf("flap_count %d must be between 1 and 100", r.FlapCount)
	case r.FlapWindow < 0 || r.FlapWindow > 24*time.Hour:
		return fmt.Errorf("flap_window %s must be at most 24h", r.FlapWindow)
	case r.SuggestOn != "" && r.SuggestOn != SuggestOnBoth && r.SuggestOn != SuggestOnFlapping && r.SuggestOn != SuggestOnTicket:
		return fmt.Errorf("suggest_on %q must be both, flapping or ticket", r.SuggestOn)
	}
	return nil
}

// recent is how far back alerts count as recent: for a ticket (the last
// hour), for an incident's timeline, and for how long an episode lasts.
func (r WatchRules) recent() time.Duration { return max(r.FlapWindow, time.Hour) }

// CustomerSignal is a customer's ticket that mentions the service.
type CustomerSignal struct {
	TicketEvent
	At time.Time `json:"at"`
}

// Suggestion is a Declare? suggestion: what the declaration would say.
type Suggestion struct {
	At         time.Time      `json:"at"`
	Title      string         `json:"title"`
	Severity   Severity       `json:"severity"`
	DetectedAt time.Time      `json:"detected_at"`
	Alerts     []AlertEpisode `json:"alerts"`
	Ticket     *TicketEvent   `json:"ticket,omitempty"`
	Why        string         `json:"why"`
	// State is open, then dismissed or withdrawn (an incident was declared).
	State    string `json:"state"`
	Incident string `json:"incident,omitempty"`
	By       Person `json:"by,omitzero"`
	Reason   string `json:"reason,omitempty"`
	// Posts are where it was posted, to be updated when its state changes.
	Posts []PostRef `json:"posts,omitempty"`
}

// PostRef is a message the bot posted.
type PostRef struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// Suggestion states.
const (
	SuggestionOpen      = "open"
	SuggestionDismissed = "dismissed"
	SuggestionWithdrawn = "withdrawn"
)

// Dismissal is a suggestion someone dismissed.
type Dismissal struct {
	At     time.Time `json:"at"`
	By     Person    `json:"by"`
	Reason string    `json:"reason"`
}

// WatchNotice is something a watch must tell people.
type WatchNotice struct {
	Kind    WatchNoticeKind `json:"kind"`
	Service string          `json:"service"`
	// Alerts: the new alert (NoticeAlert, NoticeUnknownAlert), or the
	// flapping alert's history (NoticeFlapping).
	Alerts     []AlertEpisode `json:"alerts,omitempty"`
	Suggestion *Suggestion    `json:"suggestion,omitempty"`
}

// WatchNoticeKind says what a notice is and whom it goes to.
type WatchNoticeKind string

const (
	NoticeAlert        WatchNoticeKind = "alert"      // to the service's on-call: a new alert
	NoticeFlapping     WatchNoticeKind = "flapping"   // to the on-call and customer reliability: auto-resolve hides a problem
	NoticeSuggest      WatchNoticeKind = "suggest"    // to the team's and customer reliability's channels: Declare?
	NoticeSuggestion   WatchNoticeKind = "suggestion" // the suggestion changed (dismissed, withdrawn): its posts updated
	NoticeUnknownAlert WatchNoticeKind = "unknown"    // to the catalog's owners: an alert of no known service
)

// Bounds of a watch's state.
const (
	MaxWatchEpisodes   = 200
	MaxWatchTickets    = 20
	MaxWatchDismissals = 50
	MaxListedUnknown   = 100
	// MaxSuggestionAlerts is how many alerts a suggestion (and an incident's
	// timeline) carries: the first and the latest.
	MaxSuggestionAlerts = 10
	MaxDismissReason    = 200
)

// MaxAlertsPerNotice is how many new alerts one message to an owner lists:
// Alertmanager sends a group of alerts at once (fifty crash-looping pods),
// and their owner gets one message about them, not fifty.
const MaxAlertsPerNotice = 20

// TakeAlerts records a group of alerts' news, as one request brought them:
// the owner is told of the group's new alerts in one notice (or one per
// MaxAlertsPerNotice).
func (w *Watch) TakeAlerts(batch []Alert, now time.Time) []WatchNotice {
	var out []WatchNotice
	var told *WatchNotice // the batch's notice to the owner, being filled
	for _, a := range batch {
		for _, n := range w.TakeAlert(a, now) {
			if n.Kind != NoticeAlert {
				out = append(out, n)
				continue
			}
			if told == nil || len(told.Alerts) == MaxAlertsPerNotice {
				out = append(out, n)
				told = &out[len(out)-1]
				continue
			}
			told.Alerts = append(told.Alerts, n.Alerts...)
		}
	}
	return out
}

// TakeAlert records an alert's news. The same news twice (a retry, two
// Alertmanager replicas) counts once.
func (w *Watch) TakeAlert(a Alert, now time.Time) []WatchNotice {
	w.prune(now)
	i := slices.IndexFunc(w.Episodes, func(e AlertEpisode) bool {
		return e.Fingerprint == a.Fingerprint && e.StartsAt.Equal(a.StartsAt)
	})
	if i >= 0 {
		e := &w.Episodes[i]
		e.LastSeen = now.UTC()
		if e.Status == a.Status || e.Status == AlertResolved {
			return nil // already known
		}
		e.Status, e.EndsAt = AlertResolved, a.EndsAt
		return w.judge(a.Fingerprint, now)
	}
	if a.Status == AlertResolved && a.EndsAt.Before(now.Add(-w.Rules.recent())) {
		return nil // old news of an episode long gone
	}
	w.Episodes = append(w.Episodes, AlertEpisode{Alert: a, Told: true, LastSeen: now.UTC()})
	SortEpisodes(w.Episodes)
	if len(w.Episodes) > MaxWatchEpisodes {
		w.Episodes = w.Episodes[len(w.Episodes)-MaxWatchEpisodes:]
	}
	var out []WatchNotice
	if w.Service == "" {
		if !slices.Contains(w.Listed, a.Name) && len(w.Listed) < MaxListedUnknown {
			w.Listed = append(w.Listed, a.Name)
			out = append(out, WatchNotice{Kind: NoticeUnknownAlert, Alerts: []AlertEpisode{{Alert: a}}})
		}
		return out
	}
	out = append(out, WatchNotice{Kind: NoticeAlert, Service: w.Service, Alerts: []AlertEpisode{{Alert: a}}})
	return append(out, w.judge(a.Fingerprint, now)...)
}

// TakeTicket records a customer's ticket that mentions the service; it counts
// only while the service alerts (or did within the last hour).
func (w *Watch) TakeTicket(t TicketEvent, now time.Time) []WatchNotice {
	w.prune(now)
	if w.Service == "" || !w.alerting(now) || slices.ContainsFunc(w.Tickets, func(s CustomerSignal) bool { return s.ID == t.ID }) {
		return nil
	}
	w.Tickets = append(w.Tickets, CustomerSignal{TicketEvent: t.Bounded(), At: now})
	if len(w.Tickets) > MaxWatchTickets {
		w.Tickets = w.Tickets[1:]
	}
	return w.suggest(now)
}

// Declared records an incident declared for the service: an open suggestion
// is withdrawn, and no other is made this episode.
func (w *Watch) Declared(incident string, now time.Time) []WatchNotice {
	w.Incident = incident
	if w.Suggestion == nil || w.Suggestion.State != SuggestionOpen {
		return nil
	}
	w.Suggestion.State, w.Suggestion.Incident = SuggestionWithdrawn, incident
	return []WatchNotice{{Kind: NoticeSuggestion, Service: w.Service, Suggestion: w.Suggestion}}
}

// CanDismiss says why the open suggestion cannot be dismissed with reason,
// if it cannot.
func (w *Watch) CanDismiss(reason string) error {
	if w.Suggestion == nil || w.Suggestion.State != SuggestionOpen {
		return Errorf(EINVALID, "There is no open suggestion for %s to dismiss.", w.Service)
	}
	if clipRunes(CleanText(reason), MaxDismissReason) == "" {
		return FieldErrorf("reason", "Say why the suggestion is dismissed (it is kept to tune the alerts).")
	}
	return nil
}

// Dismiss records that someone dismissed the open suggestion, and why.
func (w *Watch) Dismiss(by Person, reason string, now time.Time) ([]WatchNotice, error) {
	if err := w.CanDismiss(reason); err != nil {
		return nil, err
	}
	reason = clipRunes(CleanText(reason), MaxDismissReason)
	w.Suggestion.State, w.Suggestion.By, w.Suggestion.Reason = SuggestionDismissed, by, reason
	w.Dismissals = append(w.Dismissals, Dismissal{At: now.UTC(), By: by, Reason: reason})
	if len(w.Dismissals) > MaxWatchDismissals {
		w.Dismissals = w.Dismissals[1:]
	}
	return []WatchNotice{{Kind: NoticeSuggestion, Service: w.Service, Suggestion: w.Suggestion}}, nil
}

// Recent are the service's alerts of the last hour (or flap window), for an
// incident declared now: the first and the latest, at most
// MaxSuggestionAlerts.
func (w *Watch) Recent(now time.Time) []AlertEpisode {
	from := now.Add(-w.Rules.recent())
	var out []AlertEpisode
	for _, e := range w.Episodes {
		if e.StartsAt.After(from) || e.Status == AlertFiring || e.EndsAt.After(from) {
			out = append(out, e)
		}
	}
	if len(out) > MaxSuggestionAlerts {
		out = append(out[:1], out[len(out)-MaxSuggestionAlerts+1:]...)
	}
	return out
}

// NextDue is when the watch's episode may end (nothing recent left); ok is
// false when nothing is left at all.
func (w *Watch) NextDue() (time.Time, bool) {
	var last time.Time
	for _, e := range w.Episodes {
		if e.Status == AlertFiring {
			last = later(last, e.LastSeen.Add(ForgetFiringAfter-w.Rules.recent()))
			continue
		}
		last = later(last, e.EndsAt)
	}
	for _, t := range w.Tickets {
		last = later(last, t.At)
	}
	if last.IsZero() {
		return time.Time{}, false
	}
	return last.Add(w.Rules.recent()), true
}

// Idle says whether the watch holds nothing worth keeping: its workflow may
// end, and the next alert starts a new one.
func (w *Watch) Idle(now time.Time) bool {
	w.prune(now)
	return len(w.Episodes) == 0 && len(w.Tickets) == 0
}

// prune forgets what is no longer recent; when the whole episode is over, a
// new suggestion may be made for the next one.
func (w *Watch) prune(now time.Time) {
	from := now.Add(-w.Rules.recent())
	w.Episodes = slices.DeleteFunc(w.Episodes, func(e AlertEpisode) bool {
		if e.Status == AlertFiring {
			return e.LastSeen.Before(now.Add(-ForgetFiringAfter))
		}
		return e.EndsAt.Before(from)
	})
	w.Tickets = slices.DeleteFunc(w.Tickets, func(t CustomerSignal) bool { return t.At.Before(from) })
	if len(w.Episodes) == 0 && len(w.Tickets) == 0 {
		w.FlappingSince, w.Suggestion, w.Incident = time.Time{}, nil, ""
	}
}

// alerting says whether an alert fires, or fired within the last hour.
func (w *Watch) alerting(now time.Time) bool {
	from := now.Add(-w.Rules.recent())
	return slices.ContainsFunc(w.Episodes, func(e AlertEpisode) bool { return e.Status == AlertFiring || e.EndsAt.After(from) })
}

// judge notices flapping of the alert whose news came, then whether to
// suggest.
func (w *Watch) judge(fingerprint string, now time.Time) []WatchNotice {
	var out []WatchNotice
	if w.FlappingSince.IsZero() {
		var flaps []AlertEpisode
		from := now.Add(-w.Rules.FlapWindow)
		for _, e := range w.Episodes {
			if e.Fingerprint == fingerprint && e.AutoResolved() && !e.StartsAt.Before(from) {
				flaps = append(flaps, e)
			}
		}
		if len(flaps) >= w.Rules.FlapCount {
			w.FlappingSince = now.UTC()
			out = append(out, WatchNotice{Kind: NoticeFlapping, Service: w.Service, Alerts: flaps})
		}
	}
	return append(out, w.suggest(now)...)
}

// suggest makes the episode's one suggestion when its rule is met.
func (w *Watch) suggest(now time.Time) []WatchNotice {
	if w.Suggestion != nil || w.Incident != "" || w.Service == "" {
		return nil
	}
	flapping, ticket := !w.FlappingSince.IsZero(), len(w.Tickets) > 0
	var why string
	switch {
	case flapping && ticket:
		why = "an alert keeps resolving on its own and a customer wrote about it"
	case flapping && w.Rules.SuggestOn == SuggestOnFlapping:
		why = "an alert keeps resolving on its own"
	case ticket && w.Rules.SuggestOn == SuggestOnTicket:
		why = "a customer wrote about it while it alerts"
	default:
		return nil
	}
	alerts := w.Recent(now)
	if len(alerts) == 0 {
		return nil
	}
	latest := alerts[len(alerts)-1]
	what := latest.Summary
	if what == "" {
		what = latest.Name
	}
	s := &Suggestion{At: now.UTC(), Title: clipRunes(w.Service+": "+what, MaxTitleRunes), Severity: S3,
		DetectedAt: alerts[0].StartsAt, Alerts: alerts, Why: why, State: SuggestionOpen}
	if ticket {
		t := w.Tickets[len(w.Tickets)-1].TicketEvent
		s.Ticket = &t
		s.Severity = S2 // customers feel it
	}
	w.Suggestion = s
	return []WatchNotice{{Kind: NoticeSuggest, Service: w.Service, Suggestion: s}}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
