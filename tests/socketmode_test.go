package tests

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack/gateway"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// F14: over Socket Mode, an envelope whose connection dropped before it was
// acknowledged comes again on the next connection, and still counts once.
// Slash commands are answered in the acknowledgement.
func TestSocketMode(t *testing.T) {
	sockets := socketModeGateway(t, &ibtemporal.Incidents{Client: tclient})
	alice, carol := fake.UserByName("alice"), fake.UserByName("carol")
	id := declare(t, ib.Declaration{Title: "Socket Mode redelivery", Severity: ib.S3, Declarer: ib.Person{SlackID: alice}})
	inc := roomReady(t, id)

	require.NoError(t, sockets.SendEnvelope(reactionEnvelope(t, "env-event-1", carol, inc.Channel.ID), true))
	waitFor(t, "a new connection after the drop", func() bool { return sockets.SocketConnections() >= 2 })
	waitFor(t, "the envelope is acknowledged", func() bool { return acked(sockets, "env-event-1") })
	waitFor(t, "the reaction reaches the incident", func() bool { return state(t, id).Activity.Reactions >= 1 })
	settled(t, tclient, id) // a second effect would show by now
	assert.Equal(t, 1, state(t, id).Activity.Reactions, "one effect, though delivered twice")

	cmd, err := json.Marshal(map[string]any{
		"command": "/ib", "text": "status", "user_id": alice, "user_name": "alice", "channel_id": inc.Channel.ID,
		"team_id": fakeslack.TeamID, "trigger_id": fakeslack.TriggerID(), "response_url": fakeslack.ResponseURL(fakeBase, "socket-cmd"),
	})
	require.NoError(t, err)
	require.NoError(t, sockets.SendEnvelope(fakeslack.Envelope{EnvelopeID: "env-cmd-1", Type: "slash_commands", Payload: cmd, AcceptsResponsePayload: true}, false))
	waitFor(t, "the command is acknowledged", func() bool { return acked(sockets, "env-cmd-1") })
	var answer string
	for _, a := range sockets.Acks() {
		if a.EnvelopeID == "env-cmd-1" && len(a.Payload) > 0 {
			var msg struct {
				Text         string `json:"text"`
				ResponseType string `json:"response_type"`
			}
			require.NoError(t, json.Unmarshal(a.Payload, &msg))
			assert.Equal(t, "ephemeral", msg.ResponseType)
			answer = msg.Text
		}
	}
	assert.Contains(t, outcome(t, answer, "socket-cmd"), id, "answered in the acknowledgement or on response_url")
}

// socketModeGateway runs a gateway over Socket Mode, with its own fake Slack
// for the connection (apps.connections.open is Tier 1, so the clock runs fast
// enough for a reconnect), until the test ends.
func socketModeGateway(t *testing.T, incidents ib.IncidentService) *fakeslack.Server {
	t.Helper()
	sockets := fakeslack.New(fakeslack.Options{Scale: 600})
	srv := httptest.NewServer(sockets)
	api := goslack.New("xoxb-fake", goslack.OptionAPIURL(srv.URL+"/api/"), goslack.OptionAppLevelToken("xapp-fake"))
	gw := &gateway.Gateway{
		Incidents: incidents, API: api, Policy: testPolicy, DefaultSeverity: ib.S3,
		APIURL: fakeURL, // where the workspace's response_urls are
		Log:    zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel)),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.RunSocketMode(ctx, socketmode.New(api)) }()
	t.Cleanup(func() {
		cancel()
		<-done
		gw.Wait()
		srv.Close()
	})
	waitFor(t, "a Socket Mode connection", func() bool { return sockets.SocketConnections() == 1 })
	return sockets
}

// reactionEnvelope is an Events API envelope of a pushpin reaction by user in
// channel.
func reactionEnvelope(t *testing.T, envelope, user, channel string) fakeslack.Envelope {
	t.Helper()
	event, err := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": fakeslack.TeamID, "api_app_id": "A00000001",
		"event_id": "Ev" + strings.ToUpper(strings.ReplaceAll(envelope, "-", "")), "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "reaction_added", "user": user, "reaction": "pushpin",
			"item": map[string]any{"type": "message", "channel": channel, "ts": "1795461105.000007"}},
	})
	require.NoError(t, err)
	return fakeslack.Envelope{EnvelopeID: envelope, Type: "events_api", Payload: event}
}

func acked(s *fakeslack.Server, envelope string) bool {
	for _, a := range s.Acks() {
		if a.EnvelopeID == envelope {
			return true
		}
	}
	return false
}
