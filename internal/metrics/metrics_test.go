package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The product's metrics reach /metrics in Prometheus's format: Slack and
// Zendesk calls by method (a ticket's ID not making a method of its own) and
// outcome with the wait each asked for, the calls the worker's pacer held
// back, the gateway's answer times, the incidents declared; and the SDK's
// handler writes there too.
func TestPrometheusMetrics(t *testing.T) {
	m, err := New()
	require.NoError(t, err)
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/conversations.create" {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer slack.Close()
	client := &http.Client{Transport: m.SlackTransport(nil)}
	for _, method := range []string{"chat.postMessage", "conversations.create"} {
		resp, err := client.Post(slack.URL+"/api/"+method, "application/json", nil)
		require.NoError(t, err)
		resp.Body.Close()
	}
	zendesk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	defer zendesk.Close()
	zd := &http.Client{Transport: m.ZendeskTransport(nil)}
	for _, id := range []string{"41", "42"} {
		resp, err := zd.Get(zendesk.URL + "/api/v2/tickets/" + id + ".json")
		require.NoError(t, err)
		resp.Body.Close()
	}
	put, err := http.NewRequest(http.MethodPut, zendesk.URL+"/api/v2/tickets/42.json", nil)
	require.NoError(t, err)
	resp, err := zd.Do(put)
	require.NoError(t, err)
	resp.Body.Close()
	m.SlackHeld(context.Background(), "conversations.create", 1500*time.Millisecond, false)
	m.SlackHeld(context.Background(), "conversations.create", 40*time.Second, true)
	gateway := httptest.NewServer(m.Answers(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})))
	defer gateway.Close()
	resp, err = http.Post(gateway.URL+"/slack/commands", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	m.Declared(context.Background(), "S1")
	m.AlertsReceived(context.Background(), "unknown", 3)
	m.Noticed(context.Background(), "flapping")
	m.Dismissed(context.Background(), "Noisy", []string{"Noisy"})
	m.Dismissed(context.Background(), "typed by someone", []string{"Noisy"})
	m.Temporal().WithTags(map[string]string{"namespace": "default"}).Counter("temporal_request").Inc(1)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`ib_slack_calls_total{method="chat.postMessage",outcome="ok"} 1`,
		`ib_slack_calls_total{method="conversations.create",outcome="rate_limited"} 1`,
		`ib_slack_rate_limit_wait_seconds_total{method="conversations.create"} 3`,
		`ib_zendesk_calls_total{method="GET /api/v2/tickets/{id}.json",outcome="ok"} 2`,
		`ib_zendesk_calls_total{method="PUT /api/v2/tickets/{id}.json",outcome="rate_limited"} 1`,
		`ib_zendesk_rate_limit_wait_seconds_total{method="PUT /api/v2/tickets/{id}.json"} 7`,
		`ib_slack_paced_wait_seconds_total{method="conversations.create"} 1.5`,
		`ib_slack_paced_refused_total{method="conversations.create"} 1`,
		`ib_gateway_answer_seconds_count{route="/slack/commands"} 1`,
		`ib_incidents_declared_total{severity="S1"} 1`,
		`ib_alerts_received_total{routed="unknown"} 3`,
		`ib_watch_notices_total{kind="flapping"} 1`,
		`ib_suggestions_dismissed_total{reason="Noisy"} 1`,
		`ib_suggestions_dismissed_total{reason="other"} 1`,
		`temporal_request{namespace="default"} 1`, // the SDK's counters are up-down counters
	} {
		assert.Contains(t, body, want)
	}
}

// Without IB_METRICS_ADDR nothing is measured, and nothing breaks.
func TestMetricsOff(t *testing.T) {
	m, err := Open("", nil)
	require.NoError(t, err)
	require.Nil(t, m)
	assert.Nil(t, m.Temporal())
	assert.Equal(t, http.DefaultTransport, m.SlackTransport(nil))
	assert.Equal(t, http.DefaultTransport, m.ZendeskTransport(nil))
	m.SlackHeld(context.Background(), "conversations.create", time.Second, false)
	h := http.NotFoundHandler()
	assert.NotNil(t, m.Answers(h))
	m.Declared(context.Background(), "S1")
	m.AlertsReceived(context.Background(), "unknown", 3)
	m.Noticed(context.Background(), "flapping")
	m.Dismissed(context.Background(), "Noisy", []string{"Noisy"})
	m.Dismissed(context.Background(), "typed by someone", []string{"Noisy"})
}
