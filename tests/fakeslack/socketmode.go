package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
)

// socketMode is the fake's Socket Mode service: apps.connections.open hands out
// a WebSocket URL; envelopes sent there stay pending until acknowledged, and a
// new connection gets the pending ones again with retry_attempt raised, as
// Slack redelivers them.
type socketMode struct {
	mu      sync.Mutex
	conns   map[*websocket.Conn]bool
	pending []*Envelope
	acks    []Ack
	opened  int // connections opened so far
}

// Envelope is one Socket Mode envelope.
type Envelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"` // events_api, slash_commands, interactive
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason,omitempty"`
}

// Ack is an acknowledgement the app sent.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload,omitempty"`
}

// upgrader takes connections from Slack's own clients, which present
// Slack's origin.
var upgrader = websocket.Upgrader{CheckOrigin: func(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == "https://api.slack.com"
}}

func (s *Server) appsConnectionsOpen(a args) (answer, int) {
	// The URL points back at this fake; the host comes from the request.
	return answer{"url": "ws://" + a.str("_host") + "/_fake/socket"}, 0
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sm := &s.socket
	sm.mu.Lock()
	if sm.conns == nil {
		sm.conns = map[*websocket.Conn]bool{}
	}
	sm.conns[conn] = true
	sm.opened++
	hello := map[string]any{"type": "hello", "num_connections": len(sm.conns),
		"connection_info": map[string]any{"app_id": "A00000001"}, "debug_info": map[string]any{"host": "fake"}}
	_ = conn.WriteJSON(hello)
	for _, env := range sm.pending {
		env.RetryAttempt++
		env.RetryReason = "timeout"
		_ = conn.WriteJSON(env)
	}
	sm.mu.Unlock()

	defer func() {
		sm.mu.Lock()
		delete(sm.conns, conn)
		sm.mu.Unlock()
		_ = conn.Close()
	}()
	for {
		var ack Ack
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		sm.mu.Lock()
		sm.acks = append(sm.acks, ack)
		for i, env := range sm.pending {
			if env.EnvelopeID == ack.EnvelopeID {
				sm.pending = append(sm.pending[:i], sm.pending[i+1:]...)
				break
			}
		}
		sm.mu.Unlock()
	}
}

// SendEnvelope sends an envelope to the connected app. With dropConnection the
// connection closes right after, before the app can acknowledge: the envelope
// stays pending and is redelivered when the app reconnects.
func (s *Server) SendEnvelope(env Envelope, dropConnection bool) error {
	sm := &s.socket
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if len(sm.conns) == 0 {
		return fmt.Errorf("no Socket Mode connection")
	}
	e := env
	sm.pending = append(sm.pending, &e)
	for conn := range sm.conns {
		if err := conn.WriteJSON(&e); err != nil {
			return err
		}
		if dropConnection {
			_ = conn.Close()
		}
	}
	return nil
}

// SocketConnections is how many Socket Mode connections were opened so far.
func (s *Server) SocketConnections() int {
	s.socket.mu.Lock()
	defer s.socket.mu.Unlock()
	return s.socket.opened
}

// Acks returns the acknowledgements received so far.
func (s *Server) Acks() []Ack {
	s.socket.mu.Lock()
	defer s.socket.mu.Unlock()
	return append([]Ack(nil), s.socket.acks...)
}
