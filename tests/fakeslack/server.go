// Package fakeslack is a FAKE of Slack's Web API, for tests and local runs
// without a workspace. It is not Slack.
//
// It speaks Slack's wire format (form or JSON bodies, {"ok":false,"error":…}
// answers, HTTP 429 with Retry-After), keeps state (users, channels, members,
// topics, messages with metadata), enforces Slack's per-method rate tiers and the
// per-channel message limit on a clock that tests can speed up, returns Slack's
// real error codes, and can inject latency and faults. Tests inspect what
// happened through its Go methods; people through GET /_fake/state.
package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/incident-buddy/ib/tests/fakekit"
)

// Options shape a fake.
type Options struct {
	// Token is the bot token requests must carry (default "xoxb-fake").
	Token string
	// AppToken is the app-level token apps.connections.open takes (default
	// "xapp-fake").
	AppToken string
	// Scale speeds up the fake's clock: with 60, a per-minute limit applies
	// per second, and an event Slack would deliver again after a minute comes
	// after a second. Retry-After stays in whole seconds, as Slack sends it.
	Scale float64
	// NoLimits turns rate limiting off.
	NoLimits bool
	// Latency delays every answer.
	Latency time.Duration
}

// Server is a fake Slack Web API.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu       sync.Mutex
	seq      int
	users    map[string]*User
	channels map[string]*Channel
	order    []string // channel IDs in creation order, for conversations.list
	limiter  *fakekit.Limiter
	faults   map[string][]Fault
	calls    map[string]int

	files   []File
	uploads map[string]*upload // file ID → an upload not yet completed

	views []View
	// The workspace (workspace.go): the app people's actions go to, the
	// answers only one person sees, whom each response_url answers, and who
	// was handed each trigger_id.
	app       *app
	ephemeral []Ephemeral
	answerTo  map[string]Ephemeral
	triggers  map[string]string
	responses map[string][]response // response_url key → messages posted
	socket    socketMode
	events    *events // where events go, when the fake delivers them
	started   time.Time
}

// Clock is Slack's time on the fake's clock: it starts with the fake and runs
// Scale times as fast, so that what waits on Slack's schedule (an event's
// next delivery) can be measured against it.
func (s *Server) Clock() time.Time {
	return s.started.Add(time.Duration(float64(time.Since(s.started)) * s.opts.Scale))
}

// scaled is a span of Slack's time on the fake's clock.
func (s *Server) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.opts.Scale)
}

// BotUserID is the fake bot's user, and BotID its bot.
const (
	BotUserID = "UBOT00001"
	BotID     = "B00000001"
)

// TeamID is the fake workspace.
const TeamID = "T00000001"

// New makes a fake with a few users and the channels #general and #incidents.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "xoxb-fake"
	}
	if opts.AppToken == "" {
		opts.AppToken = "xapp-fake"
	}
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	s := &Server{
		opts:     opts,
		users:    map[string]*User{},
		channels: map[string]*Channel{},
		limiter:  fakekit.New(opts.Scale),
		faults:   map[string][]Fault{},
		calls:    map[string]int{},

		responses: map[string][]response{},
		answerTo:  map[string]Ephemeral{},
		triggers:  map[string]string{},
		uploads:   map[string]*upload{},
		started:   time.Now(),
	}
	s.users[BotUserID] = &User{ID: BotUserID, Name: "incident-buddy", IsBot: true}
	for _, u := range []User{
		{Name: "alice", RealName: "Alice Adams", Email: "alice@example.com", TZ: "Europe/Berlin"},
		{Name: "bob", RealName: "Bob Brown", Email: "bob@example.com", TZ: "America/New_York"},
		{Name: "carol", RealName: "Carol Chen", Email: "carol@example.com", TZ: "Asia/Tokyo"},
	} {
		s.AddUser(u)
	}
	for _, name := range []string{"general", "incidents"} {
		ch := s.newChannel(name, "U00000001")
		ch.Members[BotUserID] = true
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/api/", s.serveAPI)
	s.mux.HandleFunc("/_fake/state", s.serveState)
	s.mux.HandleFunc("GET /{$}", s.servePage)
	s.mux.HandleFunc("/_fake/ui/state", s.serveUIState)
	s.mux.HandleFunc("/_fake/do/", s.serveDo)
	s.mux.HandleFunc("/_fake/respond/", s.serveResponse)
	s.mux.HandleFunc("/_fake/socket", s.serveSocket)
	s.mux.HandleFunc("/_fake/upload/", s.serveUpload)
	return s
}

// ServeHTTP serves the Web API under /api/ (so SLACK_API_URL is <base>/api/).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Fault is a failure to inject into the next calls of a method.
type Fault struct {
	// Status answers with this HTTP status (429 adds Retry-After) instead of
	// serving the call.
	Status     int
	RetryAfter int // seconds, with Status 429
	// Error answers {"ok":false,"error":Error} instead of serving the call.
	Error string
	// DropReply serves the call (its effect happens) and then closes the
	// connection without an answer: a reply lost on the way back.
	DropReply bool
	// Delay holds the answer back, after the effect.
	Delay time.Duration
	// Match, when set, limits the fault to calls with an argument containing it
	// (a channel name, a message text), so tests that share a fake do not take
	// each other's faults.
	Match string
}

func (f Fault) matches(a args) bool {
	if f.Match == "" {
		return true
	}
	for k := range a {
		if strings.Contains(a.str(k), f.Match) {
			return true
		}
	}
	return false
}

// Inject queues faults for the next calls of method, one per call.
func (s *Server) Inject(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// Calls is how many times method was called, refused calls included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

type answer map[string]any

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if s.opts.Latency > 0 {
		time.Sleep(s.opts.Latency)
	}
	args, err := readArgs(r)
	if err != nil {
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": "invalid_form_data"})
		return
	}
	s.mu.Lock()
	s.calls[method]++
	fault, faulty := s.nextFault(method, args)
	if faulty && !fault.DropReply && fault.Delay == 0 {
		s.mu.Unlock()
		s.writeFault(w, fault)
		return
	}
	resp, status, retryAfter := s.call(method, args, r)
	s.mu.Unlock()

	if faulty && fault.Delay > 0 {
		time.Sleep(fault.Delay)
	}
	if faulty && fault.DropReply {
		fakekit.DropConnection(w)
		return
	}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(retryAfter))
	}
	writeJSON(w, status, resp)
}

// nextFault takes the first queued fault of method that matches the call.
func (s *Server) nextFault(method string, a args) (Fault, bool) {
	q := s.faults[method]
	for i, f := range q {
		if f.matches(a) {
			s.faults[method] = append(q[:i:i], q[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

func (s *Server) writeFault(w http.ResponseWriter, f Fault) {
	switch {
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", fmt.Sprint(max(f.RetryAfter, 1)))
		writeJSON(w, f.Status, answer{"ok": false, "error": "ratelimited"})
	case f.Status != 0:
		writeJSON(w, f.Status, answer{"ok": false, "error": "fatal_error"})
	default:
		writeJSON(w, http.StatusOK, answer{"ok": false, "error": f.Error})
	}
}

// call serves one authenticated, rate-limited call. It runs under s.mu.
func (s *Server) call(method string, args args, r *http.Request) (answer, int, int) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = args.str("token")
	}
	want := s.opts.Token
	if method == "apps.connections.open" {
		want = s.opts.AppToken
	}
	switch {
	case token == "":
		return answer{"ok": false, "error": "not_authed"}, http.StatusOK, 0
	case token != want:
		return answer{"ok": false, "error": "invalid_auth"}, http.StatusOK, 0
	}
	args["_host"] = r.Host
	h, ok := handlers[method]
	if !ok {
		return answer{"ok": false, "error": "unknown_method"}, http.StatusOK, 0
	}
	if !s.opts.NoLimits {
		if wait := s.limiter.Take("method:"+method, tiers[method], time.Minute, time.Now()); wait > 0 {
			return answer{"ok": false, "error": "ratelimited"}, http.StatusTooManyRequests, wait
		}
	}
	resp, wait := h(s, args)
	if wait > 0 {
		return resp, http.StatusTooManyRequests, wait
	}
	if _, failed := resp["error"]; !failed {
		resp["ok"] = true
	}
	return resp, http.StatusOK, 0
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
