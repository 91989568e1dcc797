package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/integrations/slack/gateway"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/oncall"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// signingSecret is the secret the test gateway checks requests against; the
// tests sign as Slack does.
const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// testPolicy restricts severity changes and resolution to responders.
var testPolicy = mustPolicy(ib.ParsePolicy("", ib.DefaultRestrictions(), "responders"))

// gatewayServer is the real gateway on a loopback HTTP server.
type gatewayServer struct {
	url string
	gw  *gateway.Gateway
}

func startGateway(t *testing.T, incidents ib.IncidentService) *gatewayServer {
	t.Helper()
	gw := newGateway(incidents, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	srv := httptest.NewServer(labelled("gateway", gw.Handler(signingSecret)))
	t.Cleanup(func() {
		srv.Close()
		gw.Wait()
	})
	return &gatewayServer{url: srv.URL, gw: gw}
}

// labelled marks the CPU time spent serving h (and in the goroutines it
// starts) with component=name, so that a profile of the test process, which
// also runs a worker and fakes, can show the gateway alone.
func labelled(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), pprof.Labels("component", name), func(ctx context.Context) { h.ServeHTTP(w, r.WithContext(ctx)) })
	})
}

func newGateway(incidents ib.IncidentService, log *zap.Logger) *gateway.Gateway {
	return &gateway.Gateway{
		Incidents:        incidents,
		API:              slack.NewClient("xoxb-fake", fakeURL, nil).API(),
		Policy:           testPolicy,
		DefaultSeverity:  ib.S3,
		CustomerQuestion: "Does this affect customers' running workloads?",
		CollectionEmoji:  map[string]ib.Collection{"receipt": ib.Papertrail, "pushpin": ib.PostmortemItems},
		ChannelPrefix:    "inc",
		APIURL:           fakeURL,
		Catalog:          oncall.NewLiveCatalog(testCatalog),
		Watches:          &ibtemporal.Watches{Client: tclient},
		Log:              log,
	}
}

// eventsGateway is the gateway the fake delivers its events to, for the whole
// test run. Its memory of channels that are no incident's is kept on Slack's
// time, as the fake's deliveries of an event again are: a minute apart.
func eventsGateway() *httptest.Server {
	return httptest.NewServer(newGateway(&ibtemporal.Incidents{Client: tclient, Now: fake.Clock}, zap.NewNop()).Handler(signingSecret))
}

// request is one signed request; tests may spoil it.
type request struct {
	path, contentType, body string
	ts                      time.Time
	secret                  string
	headers                 map[string]string
	alter                   func(string) string // changes the body after signing
}

func (g *gatewayServer) do(t *testing.T, r request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(signed(g.url, r))
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// signed is the request as Slack signs and sends it to a gateway at base.
func signed(base string, r request) *http.Request {
	if r.ts.IsZero() {
		r.ts = time.Now()
	}
	if r.secret == "" {
		r.secret = signingSecret
	}
	sig := fakeslack.Sign(r.secret, r.ts, r.body)
	body := r.body
	if r.alter != nil {
		body = r.alter(body)
	}
	req, err := http.NewRequest(http.MethodPost, base+r.path, strings.NewReader(body))
	if err != nil {
		panic(err) // a test's own URL
	}
	req.Header.Set("Content-Type", r.contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(r.ts.Unix(), 10))
	req.Header.Set("X-Slack-Signature", sig)
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	return req
}

var responseKeys atomic.Int64

// slash is a slash command whose replies go to the fake's response_url key.
func slash(user, channel, text, key string) string {
	return fakeslack.SlashCommand{Text: text, UserID: user, UserName: userName(user), ChannelID: channel,
		ResponseURL: fakeslack.ResponseURL(fakeBase, key)}.Form()
}

// command sends a slash command and returns the ephemeral text Slack would show
// and the response_url key of its later replies.
func (g *gatewayServer) command(t *testing.T, user, channel, text string) (string, string) {
	t.Helper()
	key := fmt.Sprintf("cmd-%d", responseKeys.Add(1))
	status, body := g.do(t, request{path: "/slack/commands", contentType: "application/x-www-form-urlencoded",
		body: slash(user, channel, text, key)})
	require.Equal(t, http.StatusOK, status, body)
	if body == "" {
		return "", key
	}
	var msg struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &msg), body)
	require.Equal(t, "ephemeral", msg.ResponseType, "answers are for the caller only")
	return msg.Text, key
}

// interact posts an interaction payload and returns the status and body.
func (g *gatewayServer) interact(t *testing.T, payload any) (int, string) {
	t.Helper()
	raw, err := json.Marshal(payload)
	require.NoError(t, err)
	return g.do(t, request{path: "/slack/interactivity", contentType: "application/x-www-form-urlencoded",
		body: url.Values{"payload": {string(raw)}}.Encode()})
}

// event posts an Events API callback as Slack does, retry being
// X-Slack-Retry-Num (0 for the first delivery).
func (g *gatewayServer) event(t *testing.T, eventID string, inner map[string]any, retry int) int {
	t.Helper()
	status, _ := g.do(t, eventRequest(eventID, inner, retry))
	return status
}

// eventRequest is an Events API callback as Slack sends it, retry being
// X-Slack-Retry-Num (0 for the first delivery).
func eventRequest(eventID string, inner map[string]any, retry int) request {
	raw, err := json.Marshal(map[string]any{
		"token": "verification-token", "team_id": fakeslack.TeamID, "api_app_id": "A00000001",
		"type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(), "event": inner,
	})
	if err != nil {
		panic(err)
	}
	headers := map[string]string{}
	if retry > 0 {
		headers["X-Slack-Retry-Num"] = strconv.Itoa(retry)
		headers["X-Slack-Retry-Reason"] = "http_timeout"
	}
	return request{path: "/slack/events", contentType: "application/json", body: string(raw), headers: headers}
}

// userName is the handle of a user of the fake, as Slack sends it with a
// command; "someone" for an ID the fake does not know.
// Slack's deadline for acknowledging a request; and how long a person may wait
// for the answer on a busy machine (the gateway's own budget is 2.5 s).
const (
	slackDeadline  = 3 * time.Second
	answerDeadline = 5 * time.Second
)

// incidentIDPattern finds an incident ID in an answer.
var incidentIDPattern = regexp.MustCompile(`INC-\d{8}-[0-9A-Z]{4}`)

func userName(id string) string {
	if u, ok := fake.User(id); ok {
		return u.Name
	}
	return "someone"
}

// channelID is the ID of a channel of the fake.
func channelID(t *testing.T, name string) string {
	t.Helper()
	ch, ok := fake.ChannelByName(name)
	require.True(t, ok, "channel #%s", name)
	return ch.ID
}

// ask sends a slash command and returns its answer, whether it came in the
// acknowledgement or, for slower work, on the response_url.
func (g *gatewayServer) ask(t *testing.T, user, channel, text string) string {
	t.Helper()
	first, key := g.command(t, user, channel, text)
	return outcome(t, first, key)
}

// outcome is a command's answer: the acknowledgement's, or the first reply at
// its response_url.
func outcome(t *testing.T, first, key string) string {
	t.Helper()
	if first != "" {
		return first
	}
	return responses(t, key, 1)[0]
}

// lastView is the newest view the bot opened with the callback ID.
func lastView(t *testing.T, callbackID string) fakeslack.View {
	t.Helper()
	views := fake.Views()
	for i := len(views) - 1; i >= 0; i-- {
		if views[i].CallbackID == callbackID {
			return views[i]
		}
	}
	t.Fatalf("no view %s was opened", callbackID)
	return fakeslack.View{}
}

// responses waits for n replies at a response_url key and returns them.
func responses(t *testing.T, key string, n int) []string {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d replies at response_url %s", n, key), func() bool { return len(fake.Responses(key)) >= n })
	return fake.Responses(key)
}

func mustPolicy(p ib.Policy, err error) ib.Policy {
	if err != nil {
		panic(err)
	}
	return p
}
