// Package fakezendesk is a FAKE of Zendesk Support's API (v2), for tests and
// local runs. It is not Zendesk.
//
// It keeps tickets (with their type, status, problem_id links and comments,
// public or internal), answers search queries, checks API-token basic
// authentication, honours Idempotency-Key on ticket creation with Zendesk's
// semantics (the same key and body within 2 hours returns the first ticket
// with x-idempotency-lookup: hit; the same key with another body is refused),
// refuses updates to closed tickets, enforces the account's rate limit and
// the limit of updates per ticket with 429 and Retry-After (on a clock tests
// can speed up), and can lose a reply after doing the work.
package fakezendesk

import (
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/incident-buddy/ib/tests/fakekit"
)

// Ticket is a ticket of the fake account.
type Ticket struct {
	ID          int64     `json:"id"`
	Type        string    `json:"type,omitempty"` // problem, incident, question, task
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
	Status      string    `json:"status"` // new, open, pending, hold, solved, closed
	ProblemID   int64     `json:"problem_id,omitempty"`
	ExternalID  string    `json:"external_id,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Comments    []Comment `json:"-"`
}

// Comment is a public reply or an internal note.
type Comment struct {
	Body   string `json:"body"`
	Public bool   `json:"public"`
}

// Limits of a Zendesk account, as documented (Team plan).
const (
	RequestsPerMinute      = 200 // every request
	UpdatesPerMinute       = 100 // Update Ticket, per account
	UpdatesPerTicket       = 30  // per ticket per user …
	UpdatesPerTicketWindow = 10 * time.Minute
	IdempotencyKeyLifetime = 2 * time.Hour
)

// Server is a fake Zendesk account.
type Server struct {
	Email, Token string

	mu       sync.Mutex
	tickets  []*Ticket
	seq      int64
	keys     map[string]idempotent
	limits   *fakekit.Limiter
	dropNext map[string]int // method+path prefix → replies to lose after the work
	fail429  int            // next requests to refuse with 429
	calls    map[string]int
}

type idempotent struct {
	body     [32]byte
	response []byte
	at       time.Time
}

// New makes a fake account accepting email/token:token, its rate limit clock
// sped up by scale.
func New(email, token string, scale float64) *Server {
	return &Server{Email: email, Token: token, keys: map[string]idempotent{}, limits: fakekit.New(scale),
		dropNext: map[string]int{}, calls: map[string]int{}}
}

// AddTicket adds a customer's ticket and returns its ID.
func (s *Server) AddTicket(t Ticket) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(t).ID
}

func (s *Server) add(t Ticket) *Ticket {
	s.seq++
	t.ID = s.seq
	if t.Status == "" {
		t.Status = "new"
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now().UTC()
	}
	t.UpdatedAt = time.Now().UTC()
	if t.Description != "" {
		// A ticket's description is its first comment.
		t.Comments = append(t.Comments, Comment{Body: t.Description, Public: true})
	}
	s.tickets = append(s.tickets, &t)
	return &t
}

// Ticket returns a copy of a ticket with its comments.
func (s *Server) Ticket(id int64) (Ticket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.find(id); t != nil {
		c := *t
		c.Comments = slices.Clone(t.Comments)
		return c, true
	}
	return Ticket{}, false
}

// Tickets returns copies of the tickets whose subject contains text.
func (s *Server) Tickets(text string) []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ticket
	for _, t := range s.tickets {
		if strings.Contains(t.Subject, text) {
			c := *t
			c.Comments = slices.Clone(t.Comments)
			out = append(out, c)
		}
	}
	return out
}

// Link makes a ticket an incident of a problem ticket, as an agent would.
func (s *Server) Link(id, problemID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.find(id); t != nil {
		t.Type, t.ProblemID = "incident", problemID
	}
}

// SetStatus changes a ticket's status, as an agent would.
func (s *Server) SetStatus(id int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.find(id); t != nil {
		t.Status, t.UpdatedAt = status, time.Now().UTC()
	}
}

// DropNextReply makes the next n requests whose "METHOD path" starts with
// prefix do their work and then lose their reply.
func (s *Server) DropNextReply(prefix string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropNext[prefix] += n
}

// RefuseNext answers the next n requests with 429 and Retry-After: 1.
func (s *Server) RefuseNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail429 += n
}

// Calls is how many requests started with "METHOD path-prefix".
func (s *Server) Calls(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.calls {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

func (s *Server) find(id int64) *Ticket {
	for _, t := range s.tickets {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	email, token, ok := r.BasicAuth()
	if !ok || email != s.Email+"/token" || token != s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Couldn't authenticate you"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unreadable body"})
		return
	}
	route := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/api/v2")
	s.mu.Lock()
	s.calls[route]++
	if wait := s.limit(r, route); wait > 0 {
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "APIRateLimitExceeded", "description": "Number of allowed API requests per minute exceeded"})
		return
	}
	status, out, header := s.serve(r, route, body)
	drop := false
	for prefix, n := range s.dropNext {
		if n > 0 && strings.HasPrefix(route, prefix) {
			s.dropNext[prefix]--
			drop = true
			break
		}
	}
	s.mu.Unlock()
	if drop {
		fakekit.DropConnection(w)
		return
	}
	for k, v := range header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// limit applies the account's limits and injected refusals; it returns the
// Retry-After in seconds, or 0.
func (s *Server) limit(r *http.Request, route string) int {
	if s.fail429 > 0 {
		s.fail429--
		return 1
	}
	now := time.Now()
	if wait := s.limits.Take("account", RequestsPerMinute, time.Minute, now); wait > 0 {
		return wait
	}
	if r.Method == http.MethodPut && strings.HasPrefix(route, "PUT /tickets/") {
		if wait := s.limits.Take("updates", UpdatesPerMinute, time.Minute, now); wait > 0 {
			return wait
		}
		return s.limits.Take(route, UpdatesPerTicket, UpdatesPerTicketWindow, now)
	}
	return 0
}

func (s *Server) serve(r *http.Request, route string, body []byte) (int, []byte, map[string]string) {
	switch {
	case route == "POST /tickets.json":
		return s.create(r.Header.Get("Idempotency-Key"), body)
	case r.Method == http.MethodGet && strings.HasPrefix(route, "GET /tickets/"):
		t := s.find(ticketID(route))
		if t == nil {
			return notFound()
		}
		return jsonOK(map[string]any{"ticket": t})
	case r.Method == http.MethodPut && strings.HasPrefix(route, "PUT /tickets/"):
		return s.update(ticketID(route), body)
	case route == "GET /search.json":
		return jsonOK(map[string]any{"results": s.search(r.URL.Query().Get("query")), "next_page": nil, "count": 0})
	}
	return notFound()
}

func ticketID(route string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSuffix(route[strings.LastIndex(route, "/")+1:], ".json"), 10, 64)
	return id
}

type ticketBody struct {
	Ticket struct {
		Type        string   `json:"type"`
		Subject     string   `json:"subject"`
		Description string   `json:"description"`
		Status      string   `json:"status"`
		ProblemID   int64    `json:"problem_id"`
		ExternalID  string   `json:"external_id"`
		Tags        []string `json:"tags"`
		Comment     *struct {
			Body   string `json:"body"`
			Public *bool  `json:"public"`
		} `json:"comment"`
	} `json:"ticket"`
}

func (s *Server) create(key string, body []byte) (int, []byte, map[string]string) {
	sum := sha256.Sum256(body)
	if k, ok := s.keys[key]; key != "" && ok && time.Since(k.at) < IdempotencyKeyLifetime {
		if k.body != sum {
			return unprocessable(http.StatusBadRequest, "IdempotentRequestError", "Request parameters do not match the original request for this idempotency key")
		}
		return http.StatusCreated, k.response, map[string]string{"x-idempotency-lookup": "hit"}
	}
	var in ticketBody
	if err := json.Unmarshal(body, &in); err != nil {
		return unprocessable(http.StatusBadRequest, "InvalidJSON", err.Error())
	}
	t := in.Ticket
	desc := t.Description
	if desc == "" && t.Comment != nil {
		desc = t.Comment.Body
	}
	if t.Subject == "" && desc == "" {
		return unprocessable(http.StatusUnprocessableEntity, "RecordInvalid", "Description: cannot be blank")
	}
	created := s.add(Ticket{Type: t.Type, Subject: t.Subject, Description: desc, Status: t.Status, ExternalID: t.ExternalID, Tags: t.Tags})
	if t.Comment != nil && t.Comment.Public != nil && len(created.Comments) > 0 {
		created.Comments[0].Public = *t.Comment.Public
	}
	out, _ := json.Marshal(map[string]any{"ticket": created})
	if key != "" {
		s.keys[key] = idempotent{body: sum, response: out, at: time.Now()}
	}
	return http.StatusCreated, out, map[string]string{"x-idempotency-lookup": "miss"}
}

func (s *Server) update(id int64, body []byte) (int, []byte, map[string]string) {
	t := s.find(id)
	if t == nil {
		return notFound()
	}
	if t.Status == "closed" {
		return unprocessable(http.StatusUnprocessableEntity, "RecordInvalid", "Status: closed prevents ticket update")
	}
	var in ticketBody
	if err := json.Unmarshal(body, &in); err != nil {
		return unprocessable(http.StatusBadRequest, "InvalidJSON", err.Error())
	}
	u := in.Ticket
	if u.ProblemID != 0 {
		p := s.find(u.ProblemID)
		if p == nil || p.Type != "problem" {
			return unprocessable(http.StatusUnprocessableEntity, "RecordInvalid", "Problem: is not a problem ticket")
		}
		if u.Type != "incident" && t.Type != "incident" {
			return unprocessable(http.StatusUnprocessableEntity, "RecordInvalid", "Problem: can only be set on incident tickets")
		}
		t.ProblemID = u.ProblemID
	}
	if u.Type != "" {
		t.Type = u.Type
	}
	if u.Status != "" {
		t.Status = u.Status
	}
	if c := u.Comment; c != nil && c.Body != "" {
		t.Comments = append(t.Comments, Comment{Body: c.Body, Public: c.Public == nil || *c.Public})
	}
	t.UpdatedAt = time.Now().UTC()
	return jsonOK(map[string]any{"ticket": t})
}

// search understands what Incident Buddy asks: type:ticket, status<solved,
// created>TIME, and words or "phrases" that must all appear in the subject
// or description, in any case.
func (s *Server) search(query string) []map[string]any {
	var words []string
	var since time.Time
	openOnly := false
	for _, term := range splitQuery(query) {
		switch {
		case term == "type:ticket":
		case term == "status<solved":
			openOnly = true
		case strings.HasPrefix(term, "created>"):
			since, _ = time.Parse(time.RFC3339, strings.TrimPrefix(term, "created>"))
		default:
			words = append(words, strings.ToLower(strings.Trim(term, `"`)))
		}
	}
	out := []map[string]any{}
	for _, t := range s.tickets {
		text := strings.ToLower(t.Subject + " " + t.Description)
		if openOnly && (t.Status == "solved" || t.Status == "closed") || !since.IsZero() && !t.CreatedAt.After(since) {
			continue
		}
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) }) {
			j, _ := json.Marshal(t)
			var m map[string]any
			_ = json.Unmarshal(j, &m)
			m["result_type"] = "ticket"
			out = append(out, m)
		}
	}
	return out
}

// splitQuery splits on spaces outside quotes.
func splitQuery(q string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func jsonOK(v any) (int, []byte, map[string]string) {
	out, _ := json.Marshal(v)
	return http.StatusOK, out, nil
}

func notFound() (int, []byte, map[string]string) {
	return unprocessable(http.StatusNotFound, "RecordNotFound", "Not found")
}

func unprocessable(status int, code, description string) (int, []byte, map[string]string) {
	out, _ := json.Marshal(map[string]string{"error": code, "description": description})
	return status, out, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
