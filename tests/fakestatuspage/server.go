// Package fakestatuspage is a FAKE of Atlassian Statuspage's REST API (v1), for
// tests and local runs. It is not Statuspage.
//
// It keeps incidents with their updates and component statuses, checks the
// API key, enforces the API's limit of about one request a second, modelled
// as 60 a minute with bursts (429 with Retry-After, on a clock tests can speed
// up), and can lose a reply after doing the work, to test that a retried
// create opens one public incident.
package fakestatuspage

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/incident-buddy/ib/tests/fakekit"
)

// Incident is a public incident with its history.
type Incident struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Status     string            `json:"status"`
	Metadata   map[string]any    `json:"metadata,omitempty"`
	Components map[string]string `json:"components,omitempty"`
	Updates    []Update          `json:"incident_updates"`
}

// Update is one message on a public incident.
type Update struct {
	Status string `json:"status"`
	Body   string `json:"body"`
}

// Server is a fake status page.
type Server struct {
	PageID, APIKey string
	// Scale speeds up the rate limit's clock.
	Scale float64

	mu        sync.Mutex
	incidents []*Incident
	limits    *fakekit.Limiter
	dropNext  int // replies to lose after doing the work
}

// perMinute is the API's rate limit per key.
const perMinute = 60

// New makes a fake status page for one page.
func New(pageID, apiKey string, scale float64) *Server {
	if scale <= 0 {
		scale = 1
	}
	return &Server{PageID: pageID, APIKey: apiKey, Scale: scale, limits: fakekit.New(scale)}
}

// Incidents returns a copy of every incident, oldest first.
func (s *Server) Incidents() []Incident {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Incident, 0, len(s.incidents))
	for _, in := range s.incidents {
		c := *in
		c.Updates = append([]Update(nil), in.Updates...)
		out = append(out, c)
	}
	return out
}

// LoseNextReplies makes the next n requests do their work and then drop the
// connection without an answer.
func (s *Server) LoseNextReplies(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropNext = n
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "OAuth "+s.APIKey {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Could not authenticate"})
		return
	}
	prefix := "/v1/pages/" + s.PageID + "/incidents"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if wait := s.limits.Take(s.APIKey, perMinute, time.Minute, time.Now()); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(wait))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "rate limited"})
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, prefix)
	var status int
	var out any
	switch {
	case r.Method == http.MethodGet && rest == "/unresolved":
		var open []*Incident
		for _, in := range s.incidents {
			if in.Status != "resolved" {
				open = append(open, in)
			}
		}
		status, out = http.StatusOK, open
	case r.Method == http.MethodPost && rest == "":
		status, out = s.create(r)
	case r.Method == http.MethodPatch && strings.HasPrefix(rest, "/"):
		status, out = s.update(r, strings.TrimPrefix(rest, "/"))
	default:
		status, out = http.StatusNotFound, map[string]string{"error": "not found"}
	}
	if s.dropNext > 0 {
		s.dropNext--
		fakekit.DropConnection(w)
		return
	}
	writeJSON(w, status, out)
}

type body struct {
	Incident struct {
		Name       string            `json:"name"`
		Status     string            `json:"status"`
		Body       string            `json:"body"`
		Metadata   map[string]any    `json:"metadata"`
		Components map[string]string `json:"components"`
	} `json:"incident"`
}

var statuses = map[string]bool{"investigating": true, "identified": true, "monitoring": true, "resolved": true}

func (s *Server) create(r *http.Request) (int, any) {
	var b body
	if json.NewDecoder(r.Body).Decode(&b) != nil || b.Incident.Name == "" || !statuses[b.Incident.Status] {
		return http.StatusUnprocessableEntity, map[string]string{"error": "name and a valid status are required"}
	}
	in := &Incident{ID: fmt.Sprintf("sp%06d", len(s.incidents)+1), Name: b.Incident.Name, Status: b.Incident.Status,
		Metadata: b.Incident.Metadata, Components: b.Incident.Components,
		Updates: []Update{{Status: b.Incident.Status, Body: b.Incident.Body}}}
	s.incidents = append(s.incidents, in)
	return http.StatusCreated, in
}

func (s *Server) update(r *http.Request, id string) (int, any) {
	var b body
	if json.NewDecoder(r.Body).Decode(&b) != nil || !statuses[b.Incident.Status] {
		return http.StatusUnprocessableEntity, map[string]string{"error": "a valid status is required"}
	}
	for _, in := range s.incidents {
		if in.ID == id {
			in.Status = b.Incident.Status
			for k, v := range b.Incident.Components {
				if in.Components == nil {
					in.Components = map[string]string{}
				}
				in.Components[k] = v
			}
			in.Updates = append(in.Updates, Update{Status: b.Incident.Status, Body: b.Incident.Body})
			return http.StatusOK, in
		}
	}
	return http.StatusNotFound, map[string]string{"error": "incident not found"}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
