package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/internal/health"
	goslack "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"go.uber.org/zap"
)

// maxBody bounds a request from Slack. Its payloads are a few kilobytes; a
// large view submission stays well under this.
const maxBody = 1 << 20

// Handler serves Slack's HTTP requests:
//
//	POST /slack/commands       slash commands
//	POST /slack/interactivity  buttons, menus, modal submissions
//	POST /slack/events         Events API
//	GET  /healthz              liveness
//	GET  /readyz               readiness: 503 while Temporal does not answer
//
// Every Slack request is checked against the signing secret over its raw body
// before anything else reads it (failure mode F7).
func (g *Gateway) Handler(signingSecret string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+slack.Routes["commands"], g.verified(signingSecret, g.once(g.serveCommand)))
	mux.Handle("POST "+slack.Routes["interactivity"], g.verified(signingSecret, g.once(g.serveInteraction)))
	mux.Handle("POST "+slack.Routes["events"], g.verified(signingSecret, g.serveEvent))
	health.Routes(mux, g.Ready)
	return mux
}

// verified refuses requests not signed with the signing secret, signed more
// than 5 minutes ago, or altered on the way, with 401 and nothing done. The log
// line says why, never with the secret or the signature.
func (g *Gateway) verified(secret string, next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := goslack.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			g.Log.Warn("refused an unverified request", zap.String("path", r.URL.Path), zap.String("reason", err.Error()),
				zap.String("remote", r.RemoteAddr))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r, body)
	})
}

// once answers a signed request sent again within the five minutes its
// signature allows, and does nothing twice (failure mode F20). Events need no
// such guard: each carries an event_id the gateway remembers once taken, and
// Slack's own retries of one not taken, signed in the same second, must get
// through.
func (g *Gateway) once(next func(http.ResponseWriter, *http.Request, []byte)) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		if g.replays.seen(r.Header.Get("X-Slack-Signature"), time.Now()) {
			g.Log.Warn("refused a replayed request", zap.String("path", r.URL.Path), zap.String("remote", r.RemoteAddr))
			w.WriteHeader(http.StatusOK)
			return
		}
		next(w, r, body)
	}
}

func (g *Gateway) serveCommand(w http.ResponseWriter, r *http.Request, _ []byte) {
	sc, err := goslack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad slash command", http.StatusBadRequest)
		return
	}
	writeJSONOrEmpty(w, g.Command(r.Context(), sc))
}

func (g *Gateway) serveInteraction(w http.ResponseWriter, r *http.Request, _ []byte) {
	var cb goslack.InteractionCallback
	if err := json.Unmarshal([]byte(r.FormValue("payload")), &cb); err != nil {
		http.Error(w, "bad interaction payload", http.StatusBadRequest)
		return
	}
	if cb.Type == goslack.InteractionTypeBlockSuggestion {
		writeJSONOrEmpty(w, g.Suggest(cb))
		return
	}
	writeJSONOrEmpty(w, g.Interaction(r.Context(), cb))
}

func (g *Gateway) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	e, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if e.Type == slackevents.URLVerification {
		var challenge slackevents.ChallengeResponse
		_ = json.Unmarshal(body, &challenge)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, challenge.Challenge)
		return
	}
	if err := g.Event(r.Context(), e); err != nil {
		// Slack delivers it again later (+1 min, +5 min); the retry is deduplicated.
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if n := retryNum(r.Header.Get("X-Slack-Retry-Num")); n > 0 {
		g.Log.Debug("event retry handled", zap.Int("retry", n), zap.String("reason", r.Header.Get("X-Slack-Retry-Reason")))
	}
	w.WriteHeader(http.StatusOK)
}

// writeJSONOrEmpty answers with v as JSON, or an empty 200 when v is nil (Slack
// then shows nothing).
func writeJSONOrEmpty[T any](w http.ResponseWriter, v *T) {
	if v == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
