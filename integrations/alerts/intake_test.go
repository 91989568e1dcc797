package alerts_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/alerts"
	"github.com/incident-buddy/ib/oncall"
)

// watches records what the intake hands over.
type watches struct {
	mu     sync.Mutex
	got    map[string][]ib.Alert
	rules  map[string]ib.WatchRules
	failed bool
}

func (w *watches) Alerts(_ context.Context, service string, rules ib.WatchRules, alerts []ib.Alert) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failed {
		return ib.Errorf(ib.EUNAVAILABLE, "Temporal is down")
	}
	w.got[service] = append(w.got[service], alerts...)
	w.rules[service] = rules
	return nil
}
func (w *watches) Ticket(context.Context, string, ib.TicketEvent) error      { return nil }
func (w *watches) Dismiss(context.Context, string, ib.Person, string) error  { return nil }
func (w *watches) Recent(context.Context, string) ([]ib.AlertEpisode, error) { return nil, nil }

const catalogYAML = `
teams: [{name: core, slack: "@core"}]
rotations:
  - {name: core-oncall, members: [U1], handoff: {weekday: monday, hour: 9}, time_zone: UTC, start: "%s"}
services:
  - name: core-api
    team: core
    rotation: core-oncall
    aliases: [api]
    alerts:
      match: [{job: http_checks}]
      flap_count: 4
  - name: memory
    team: core
    rotation: core-oncall
    alerts: {match: [{team: blue, zone: us-1}]}
alerting: {flap_window: 30m}
`

func newIntake(t *testing.T) (*httptest.Server, *watches) {
	t.Helper()
	c, err := oncall.ParseCatalog(fmt.Appendf(nil, catalogYAML, time.Now().AddDate(0, -1, 0).Format(time.DateOnly)))
	require.NoError(t, err)
	w := &watches{got: map[string][]ib.Alert{}, rules: map[string]ib.WatchRules{}}
	mux := http.NewServeMux()
	(&alerts.Intake{Token: "s3cret", Catalog: oncall.NewLiveCatalog(c), Watches: w, Log: zap.NewNop()}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, w
}

func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	return resp.StatusCode, b.String()
}

func example(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(data)
}

// The examples of Alertmanager's and Grafana's documentation are taken and
// routed by the catalog's matchers; the same alert sent twice is handed over
// twice and counted once by its watch (by fingerprint and start).
func TestDocumentedPayloadsAreTaken(t *testing.T) {
	srv, w := newIntake(t)
	code, body := post(t, srv.URL+alerts.AlertmanagerPath, "s3cret", example(t, "alertmanager.json"))
	require.Equal(t, http.StatusOK, code, body)
	require.Len(t, w.got["core-api"], 1, "job=http_checks is core-api's by its matcher")
	a := w.got["core-api"][0]
	assert.Equal(t, "ProbeFailure", a.Name)
	assert.Equal(t, "1a30ba71cca2921f", a.Fingerprint)
	assert.Equal(t, "BlackBox Probe Failure: https://server.example.org", a.Summary)
	assert.Equal(t, ib.AlertFiring, a.Status)
	assert.True(t, a.EndsAt.IsZero())
	assert.Equal(t, 4, w.rules["core-api"].FlapCount, "the service's own threshold")
	assert.Equal(t, 30*time.Minute, w.rules["core-api"].FlapWindow, "the catalog's")

	code, body = post(t, srv.URL+alerts.GrafanaPath, "s3cret", example(t, "grafana.json"))
	require.Equal(t, http.StatusOK, code, body)
	require.Len(t, w.got["memory"], 1)
	assert.Equal(t, "High memory usage", w.got["memory"][0].Name)
	require.Len(t, w.got[""], 1, "an alert of no service goes to the catalog's owners")
	assert.Equal(t, "team=blue, zone=eu-1", w.got[""][0].Labels)

	watch := &ib.Watch{Service: "core-api", Rules: ib.DefaultWatchRules}
	now := a.StartsAt.Add(time.Minute)
	assert.Len(t, watch.TakeAlert(a, now), 1)
	assert.Empty(t, watch.TakeAlert(a, now), "the same alert twice counts once")
}

func TestThePlainForm(t *testing.T) {
	srv, w := newIntake(t)
	start := time.Now().Add(-10 * time.Minute).UTC().Format(time.RFC3339)
	end := time.Now().UTC().Format(time.RFC3339)
	code, body := post(t, srv.URL+alerts.JSONPath, "s3cret",
		`{"alerts": [{"name": "Errors", "service": "api", "status": "resolved", "starts_at": "`+start+`", "ends_at": "`+end+`", "summary": "5xx above 2%"}]}`)
	require.Equal(t, http.StatusOK, code, body)
	require.Len(t, w.got["core-api"], 1, "a service named by its alias")
	assert.Equal(t, "Errors|core-api", w.got["core-api"][0].Fingerprint, "without a fingerprint, the alert's name and service")
}

func TestRefusals(t *testing.T) {
	srv, w := newIntake(t)
	doc := example(t, "alertmanager.json")
	for _, c := range []struct {
		name, token, body string
		code              int
		says              string
	}{
		{"no token", "", doc, http.StatusUnauthorized, "Bearer"},
		{"wrong token", "guess", doc, http.StatusUnauthorized, "IB_ALERTS_TOKEN"},
		{"not JSON", "s3cret", "alert!", http.StatusBadRequest, "the body must be"},
		{"no alerts field", "s3cret", `{"version": "4"}`, http.StatusBadRequest, "the body must be"},
		{"another version", "s3cret", `{"version": "3", "alerts": []}`, http.StatusBadRequest, "version 4"},
		{"an alert without a name", "s3cret", `{"version": "4", "alerts": [{"status": "firing", "startsAt": "` + time.Now().UTC().Format(time.RFC3339) + `"}]}`, http.StatusBadRequest, "needs a name"},
		{"oversized", "s3cret", `{"alerts": [` + strings.Repeat(" ", 1<<20) + `]}`, http.StatusRequestEntityTooLarge, "fewer alerts"},
	} {
		code, body := post(t, srv.URL+alerts.AlertmanagerPath, c.token, c.body)
		assert.Equal(t, c.code, code, c.name)
		assert.Contains(t, body, c.says, c.name)
	}
	assert.Empty(t, w.got, "nothing refused reached a watch")

	w.failed = true
	code, _ := post(t, srv.URL+alerts.AlertmanagerPath, "s3cret", doc)
	assert.Equal(t, http.StatusServiceUnavailable, code, "Alertmanager sends again what failed")
}

func TestNoTokenConfiguredRefusesEverything(t *testing.T) {
	mux := http.NewServeMux()
	(&alerts.Intake{Catalog: oncall.NewLiveCatalog(nil), Watches: &watches{}, Log: zap.NewNop()}).Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	code, _ := post(t, srv.URL+alerts.JSONPath, "", `{"alerts": []}`)
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = post(t, srv.URL+alerts.JSONPath, " ", `{"alerts": []}`)
	assert.Equal(t, http.StatusUnauthorized, code)
}
