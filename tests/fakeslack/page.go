package fakeslack

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
)

// The page at the fake's address: its channels and messages as a person
// reads them, with the bot's Block Kit rendered plainly and its buttons,
// menus, forms and reactions working, through the workspace's actions.

//go:embed page.html
var page []byte

func (s *Server) servePage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	_, _ = w.Write(page)
}

// serveUIState is everything the page shows: people, channels and their
// messages, the answers only one person sees, and the forms open for people.
func (s *Server) serveUIState(w http.ResponseWriter, _ *http.Request) {
	channels := s.Channels()
	s.mu.Lock()
	ephemeral := append([]Ephemeral(nil), s.ephemeral...)
	var views []View
	for _, v := range s.views {
		if !v.Closed && v.User != "" {
			views = append(views, v)
		}
	}
	connected := s.app != nil
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"users": s.Users(), "channels": channels, "ephemeral": ephemeral, "views": views, "app": connected,
	})
}

// serveDo takes what a person does on the page or through the fakeslack
// command: POST /_fake/do/{post,react,click,submit} with a JSON body.
func (s *Server) serveDo(w http.ResponseWriter, r *http.Request) {
	var in struct {
		User     string         `json:"user"`
		Channel  string         `json:"channel"`
		Text     string         `json:"text"`
		ThreadTS string         `json:"thread_ts"`
		TS       string         `json:"ts"`
		Emoji    string         `json:"emoji"`
		Remove   bool           `json:"remove"`
		ActionID string         `json:"action_id"`
		Value    string         `json:"value"`
		View     string         `json:"view"`
		Values   map[string]any `json:"values"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&in) != nil {
		http.Error(w, "POST a JSON body", http.StatusBadRequest)
		return
	}
	in.User = s.userRef(in.User)
	s.mu.Lock()
	if ch := s.lookup(in.Channel); ch != nil && in.Channel != "" {
		in.Channel = ch.ID
		in.TS = s.defaultTS(ch, in.TS, in.ActionID)
	}
	if in.View == "" { // the person's newest open form
		for _, v := range s.views {
			if v.User == in.User && !v.Closed {
				in.View = v.ID
			}
		}
	}
	s.mu.Unlock()
	var out any
	var err error
	switch strings.TrimPrefix(r.URL.Path, "/_fake/do/") {
	case "post":
		if strings.HasPrefix(strings.TrimSpace(in.Text), "/") {
			out, err = s.Command(r.Context(), in.User, in.Channel, in.Text)
			break
		}
		var ts string
		ts, err = s.PostAs(in.User, in.Channel, in.Text, in.ThreadTS)
		out = map[string]string{"ts": ts}
	case "react":
		if in.Remove {
			err = s.UnreactAs(in.User, in.Channel, in.TS, in.Emoji)
		} else {
			err = s.ReactAs(in.User, in.Channel, in.TS, in.Emoji)
		}
		out = map[string]bool{"ok": err == nil}
	case "click":
		out, err = s.Click(r.Context(), in.User, in.Channel, in.TS, in.ActionID, in.Value)
	case "submit":
		out, err = s.Submit(r.Context(), in.User, in.View, in.Values)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// defaultTS is the message a reaction or a click without a timestamp is
// about, so that a terminal session can be pasted: the newest message with
// the action clicked, or the newest a person posted. It runs under s.mu.
func (s *Server) defaultTS(ch *Channel, ts, actionID string) string {
	if ts != "" {
		return ts
	}
	for i := len(ch.Messages) - 1; i >= 0; i-- {
		m := ch.Messages[i]
		if actionID != "" && strings.Contains(string(m.Blocks), `"action_id":"`+actionID+`"`) || actionID == "" && m.User != BotUserID {
			return m.TS
		}
	}
	return ""
}

// userRef is a user's ID from their ID or name.
func (s *Server) userRef(ref string) string {
	if id := s.UserByName(strings.TrimPrefix(ref, "@")); id != "" {
		return id
	}
	return ref
}
