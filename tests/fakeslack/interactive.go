package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Slack's limits on views.
const (
	triggerLifetime    = 3 * time.Second // how long a trigger_id can open a view
	maxViewTitle       = 24
	maxPrivateMetadata = 3000
)

// TriggerID makes a trigger_id as Slack would hand one out with an interaction
// now: views.open accepts it for 3 seconds.
func TriggerID() string { return fmt.Sprintf("trig.%d", time.Now().UnixNano()) }

// View is a view the bot opened.
type View struct {
	ID              string          `json:"id"`
	User            string          `json:"user,omitempty"` // whom it was opened for
	Trigger         string          `json:"-"`
	Closed          bool            `json:"closed,omitempty"` // submitted, or closed by the app
	CallbackID      string          `json:"callback_id"`
	PrivateMetadata string          `json:"private_metadata"`
	Raw             json.RawMessage `json:"view"`
}

// Views returns the views opened so far, oldest first.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]View(nil), s.views...)
}

func (s *Server) viewsOpen(a args) (answer, int) {
	trigger := a.str("trigger_id")
	nanos, err := strconv.ParseInt(strings.TrimPrefix(trigger, "trig."), 10, 64)
	switch {
	case trigger == "" || err != nil:
		return fail("invalid_trigger_id")
	case time.Since(time.Unix(0, nanos)) > triggerLifetime:
		return fail("expired_trigger_id")
	}
	raw := a.str("view")
	var v struct {
		Type            string                `json:"type"`
		CallbackID      string                `json:"callback_id"`
		PrivateMetadata string                `json:"private_metadata"`
		Title           struct{ Text string } `json:"title"`
		Blocks          []json.RawMessage     `json:"blocks"`
	}
	switch {
	case json.Unmarshal([]byte(raw), &v) != nil || v.Type != "modal":
		return fail("invalid_arguments")
	case utf8.RuneCountInString(v.Title.Text) > maxViewTitle, len(v.Blocks) > maxBlocks, len(v.PrivateMetadata) > maxPrivateMetadata:
		return fail("invalid_arguments")
	}
	view := View{ID: s.newID("V"), User: s.triggers[trigger], Trigger: trigger, CallbackID: v.CallbackID, PrivateMetadata: v.PrivateMetadata, Raw: json.RawMessage(raw)}
	s.views = append(s.views, view)
	return answer{"view": map[string]any{"id": view.ID, "type": "modal", "callback_id": v.CallbackID}}, 0
}

// ResponseURL is a response_url for an interaction, served by this fake under
// base (the fake's URL): what is posted there is kept under key.
func ResponseURL(base, key string) string { return base + "/_fake/respond/" + key }

// Responses returns the texts posted to the response_url of key, oldest first.
func (s *Server) Responses(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var texts []string
	for _, r := range s.responses[key] {
		texts = append(texts, r.text)
	}
	return texts
}

// FirstResponseAt is when the first message reached the response_url of key.
func (s *Server) FirstResponseAt(key string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.responses[key]) == 0 {
		return time.Time{}, false
	}
	return s.responses[key][0].at, true
}

type response struct {
	text string
	at   time.Time
}

// serveResponse takes messages posted to a response_url, which Slack allows
// 5 times within 30 minutes.
// A GET lists them, for people driving the fake by hand.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/_fake/respond/")
	if r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, s.Responses(key))
		return
	}
	var msg struct {
		Text string `json:"text"`
	}
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &msg) != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.responses[key]) >= 5 {
		http.Error(w, "used_url", http.StatusNotFound)
		return
	}
	s.keepResponse(key, msg.Text)
	_, _ = io.WriteString(w, "ok")
}
