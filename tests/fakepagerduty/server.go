// Package fakepagerduty is a FAKE of PagerDuty's Events API v2, for tests. It
// is not PagerDuty.
//
// It keeps alerts by dedup_key (a second trigger with the same key updates the
// alert instead of opening another, as PagerDuty does), answers 202, refuses
// bad events with 400, enforces about 120 events a minute per routing key
// (429), and lets tests inspect the alerts.
package fakepagerduty

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Alert is what PagerDuty holds for one dedup_key.
type Alert struct {
	RoutingKey string
	DedupKey   string
	Summary    string
	Severity   string
	Status     string // triggered, acknowledged, resolved
	Events     int    // events received for it
}

// Server is a fake Events API.
type Server struct {
	mu     sync.Mutex
	alerts map[string]*Alert
	order  []string
	recent map[string][]time.Time // routing key → recent events
}

// New makes a fake.
func New() *Server {
	return &Server{alerts: map[string]*Alert{}, recent: map[string][]time.Time{}}
}

// Alerts returns every alert, in the order they were opened.
func (s *Server) Alerts() []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Alert, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, *s.alerts[k])
	}
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var e struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     *struct {
			Summary, Source, Severity string
		} `json:"payload"`
	}
	if json.NewDecoder(r.Body).Decode(&e) != nil || len(e.RoutingKey) != 32 || len(e.DedupKey) > 255 ||
		(e.EventAction == "trigger" && (e.Payload == nil || e.Payload.Summary == "" || e.Payload.Source == "")) {
		http.Error(w, `{"status":"invalid event"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	recent := s.recent[e.RoutingKey]
	for len(recent) > 0 && now.Sub(recent[0]) > time.Minute {
		recent = recent[1:]
	}
	if len(recent) >= 120 {
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"status":"throttle event"}`, http.StatusTooManyRequests)
		return
	}
	s.recent[e.RoutingKey] = append(recent, now)
	a := s.alerts[e.DedupKey]
	switch e.EventAction {
	case "trigger":
		if a == nil {
			a = &Alert{RoutingKey: e.RoutingKey, DedupKey: e.DedupKey}
			s.alerts[e.DedupKey] = a
			s.order = append(s.order, e.DedupKey)
		}
		a.Summary, a.Severity, a.Status = e.Payload.Summary, e.Payload.Severity, "triggered"
	case "acknowledge", "resolve":
		if a != nil {
			a.Status = map[string]string{"acknowledge": "acknowledged", "resolve": "resolved"}[e.EventAction]
		}
	default:
		http.Error(w, `{"status":"invalid event_action"}`, http.StatusBadRequest)
		return
	}
	if a != nil {
		a.Events++
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"success","message":"Event processed","dedup_key":"` + e.DedupKey + `"}`))
}
