package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/alerts"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/integrations/zendesk"
	"github.com/incident-buddy/ib/oncall"
	"github.com/incident-buddy/ib/tests/fakeslack"
	"github.com/incident-buddy/ib/tests/fakezendesk"
	"github.com/incident-buddy/ib/workflows"
)

// The night this product was built around, played now on a real server:
// Core API alerts that began 25, 18 and 9 minutes ago (as at 03:25, 03:32 and
// 03:41 before a ticket at 03:50), each resolving on its own four minutes
// later, and a customer's ticket about the Core API. One Declare? suggestion
// comes within a minute of the ticket; declaring from its button gives an
// incident detected at the first alert, with the three alerts on its timeline
// and the ticket linked.
func TestAlertsAndATicketSuggestDeclaring(t *testing.T) {
	watches := &ibtemporal.Watches{Client: tclient}
	t.Cleanup(func() {
		_ = tclient.TerminateWorkflow(context.Background(), workflows.WatchID("core-api"), "", "test over")
	})
	mux := alertRoutes(watches)
	hook := &zendesk.Webhook{Secret: "zd-secret", Incidents: incidents, Catalog: oncall.NewLiveCatalog(testCatalog), Watches: watches, Log: zap.NewNop()}
	mux.Handle("POST "+zendesk.WebhookPath, hook)
	intake := httptest.NewServer(mux)
	defer intake.Close()
	gw := startGateway(t, incidents)
	fake.ConnectApp(gw.url, signingSecret, fakeBase)

	ticketAt := time.Now().UTC().Truncate(time.Second)
	run := ticketAt.UnixNano() % 100000
	first := ticketAt.Add(-25 * time.Minute)
	for _, began := range []time.Time{first, ticketAt.Add(-18 * time.Minute), ticketAt.Add(-9 * time.Minute)} {
		for _, resolved := range []bool{false, true, true} { // Alertmanager sends a resolution again
			sendAlertmanager(t, intake.URL, fmt.Sprint("crash-", run), began, resolved)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, ch := range fake.Channels() {
				for _, m := range ch.Messages {
					if m.User == fakeslack.BotUserID && strings.Contains(m.Text+string(m.Blocks), "core-api") {
						t.Logf("%s (%s): %s", ch.Name, ch.ID, m.Text)
					}
				}
			}
		}
	})
	waitFor(t, "the owner and customer reliability are told of the flapping", func() bool {
		return len(watchMessages(t, "Auto-resolve is hiding a problem")) == 2
	})
	assert.Len(t, watchMessages(t, "firing alert for core-api"), 3, "the owner is told of each alert once")

	ticket := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "Core API errors on every deploy", Description: "Our pipelines fail against the core api."})
	body := fmt.Sprintf(`{"ticket": {"id": "%d", "subject": "Core API errors on every deploy", "description": "Our pipelines fail against the core api.", "status": "New"}}`, ticket)
	sendTicket(t, intake.URL, body)
	hook.Wait()
	var suggestion fakeslack.Message
	waitFor(t, "one Declare? suggestion", func() bool {
		found := watchMessages(t, "Declare an incident?")
		if len(found) > 0 {
			suggestion = found[0]
		}
		return len(found) == 1
	})
	assert.Less(t, time.Since(ticketAt), time.Minute+patience, "within a minute of the ticket (and the test's own patience)")

	incidentsChannel, ok := fake.ChannelByName("incidents")
	require.True(t, ok)
	_, err := fake.Click(t.Context(), fake.UserByName("carol"), incidentsChannel.ID, suggestion.TS, "ib_declare_suggested", "")
	require.NoError(t, err)
	var form fakeslack.View
	waitFor(t, "the declare form opens, filled in", func() bool {
		for _, v := range fake.Views() {
			if v.User == fake.UserByName("carol") && !v.Closed && strings.Contains(string(v.Raw), "core-api") {
				form = v
				return true
			}
		}
		return false
	})
	out, err := fake.Submit(t.Context(), fake.UserByName("carol"), form.ID, map[string]any{"customers_affected": "yes"})
	require.NoError(t, err)
	require.Empty(t, out.Errors)

	var id string
	waitFor(t, "the incident is declared", func() bool {
		list, err := incidents.List(t.Context(), ib.ListFilter{Query: "IncidentServices = 'core-api'"})
		if err == nil && len(list) > 0 {
			id = list[0].ID
		}
		return id != ""
	})
	inc := roomReady(t, id)
	t.Cleanup(func() { _ = tclient.TerminateWorkflow(context.Background(), id, "", "test over") })
	assert.Equal(t, ib.S2, inc.Severity, "suggested: customers feel it")
	assert.Equal(t, first, inc.DetectedAt, "detected at the first alert")
	var alertLines int
	for _, e := range inc.Timeline {
		if e.Kind == ib.EventAlert {
			alertLines++
		}
	}
	assert.Equal(t, 3, alertLines, "the three alerts on its timeline")
	waitFor(t, "the ticket is linked", func() bool { return len(state(t, id).Tickets.Linked) == 1 })
	waitFor(t, "the suggestion is withdrawn", func() bool {
		for _, m := range watchMessages(t, "Declare an incident?") {
			if strings.Contains(string(m.Blocks), "Withdrawn: "+id) {
				return true
			}
		}
		return false
	})

	// A worker that restarts replays the watch's history to carry on: this
	// build replays it, and a recorded one guards later builds.
	history := historyOf(t, workflows.WatchID("core-api"))
	require.NoError(t, replayer(t, workflows.IncidentWorkflow).ReplayWorkflowHistory(quietLogger(), history))
	record(t, history, "testdata/histories/watch-story.json")
}

// sendAlertmanager posts one Core API alert as Alertmanager's webhook does.
func sendAlertmanager(t *testing.T, base, fingerprint string, began time.Time, resolved bool) {
	t.Helper()
	status, ends := "firing", "0001-01-01T00:00:00Z"
	if resolved {
		status, ends = "resolved", began.Add(4*time.Minute).Format(time.RFC3339)
	}
	body := fmt.Sprintf(`{"version": "4", "status": %q, "alerts": [{"status": %q,
		"labels": {"alertname": "KubePodCrashLooping", "job": "core-api", "severity": "critical"},
		"annotations": {"summary": "Core API pods are crash-looping"},
		"startsAt": %q, "endsAt": %q, "fingerprint": %q}]}`, status, status, began.Format(time.RFC3339), ends, fingerprint)
	req, err := http.NewRequest(http.MethodPost, base+alerts.AlertmanagerPath, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer alerts-token")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", answer)
	require.Equal(t, []any{"core-api"}, answer["services"])
}

func sendTicket(t *testing.T, base, body string) {
	t.Helper()
	ts := time.Now().UTC().Format(time.RFC3339)
	req, err := http.NewRequest(http.MethodPost, base+zendesk.WebhookPath, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("X-Zendesk-Webhook-Signature", zendesk.Sign("zd-secret", ts, []byte(body)))
	req.Header.Set("X-Zendesk-Webhook-Signature-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// watchMessages are the bot's messages about the Core API that contain text,
// in any channel or direct conversation.
func watchMessages(t *testing.T, text string) []fakeslack.Message {
	t.Helper()
	return botMessages(text, "core-api")
}

// A watch carries on through its worker's crash: alerts that come while no
// worker runs wait in the watch's history, and the next worker tells each
// once and notices the flapping they make.
func TestWatchSurvivesWorkerRestart(t *testing.T) {
	c, err := client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Namespace: isolatedNamespace, Logger: quietLogger()})
	require.NoError(t, err)
	defer c.Close()
	catalogFile := filepath.Join(t.TempDir(), "catalog.yaml")
	require.NoError(t, os.WriteFile(catalogFile, []byte(testCatalogYAML), 0o644))
	t.Cleanup(func() { _ = c.TerminateWorkflow(context.Background(), workflows.WatchID("checkout"), "", "test over") })
	intake := httptest.NewServer(alertRoutes(&ibtemporal.Watches{Client: c}))
	defer intake.Close()

	worker := startWorker(t, "IB_CATALOG="+catalogFile)
	now := time.Now().UTC().Truncate(time.Second)
	fingerprint := fmt.Sprint("restart-", now.UnixNano()%100000)
	told := func() int { return len(botMessages("firing alert for checkout", fingerprint)) }
	began := []time.Time{now.Add(-20 * time.Minute), now.Add(-12 * time.Minute), now.Add(-6 * time.Minute)}
	sendJSONAlert(t, intake.URL, "checkout", fingerprint, began[0], false)
	sendJSONAlert(t, intake.URL, "checkout", fingerprint, began[0], true)
	waitFor(t, "the first alert told", func() bool { return told() == 1 })

	worker.kill()
	for _, b := range began[1:] {
		sendJSONAlert(t, intake.URL, "checkout", fingerprint, b, false)
		sendJSONAlert(t, intake.URL, "checkout", fingerprint, b, true)
	}
	startWorker(t, "IB_CATALOG="+catalogFile)
	waitFor(t, "the flapping noticed after the restart", func() bool {
		return len(botMessages("Auto-resolve is hiding a problem", fingerprint)) > 0
	})
	assert.Equal(t, 3, told(), "each alert told once, across the restart")
}

// alertRoutes are the alert endpoints over watches, with the test catalog.
func alertRoutes(watches ib.Watches) *http.ServeMux {
	mux := http.NewServeMux()
	(&alerts.Intake{Token: "alerts-token", Catalog: oncall.NewLiveCatalog(testCatalog), Watches: watches, Log: zap.NewNop()}).Routes(mux)
	return mux
}

// sendJSONAlert posts one alert in the plain JSON form, its summary naming
// its fingerprint so that the test finds its messages.
func sendJSONAlert(t *testing.T, base, service, fingerprint string, began time.Time, resolved bool) {
	t.Helper()
	alert := map[string]any{"name": "HighErrorRate", "service": service, "status": "firing",
		"fingerprint": fingerprint, "starts_at": began.Format(time.RFC3339), "summary": "errors above 5% (" + fingerprint + ")"}
	if resolved {
		alert["status"], alert["ends_at"] = "resolved", began.Add(3*time.Minute).Format(time.RFC3339)
	}
	body, err := json.Marshal(map[string]any{"alerts": []any{alert}})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+alerts.JSONPath, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer alerts-token")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// botMessages are the bot's messages, anywhere, whose text contains text and
// whose blocks contain also.
func botMessages(text, also string) []fakeslack.Message {
	var out []fakeslack.Message
	for _, ch := range fake.Channels() {
		for _, m := range ch.Messages {
			if m.User == fakeslack.BotUserID && strings.Contains(m.Text, text) && strings.Contains(string(m.Blocks), also) {
				out = append(out, m)
			}
		}
	}
	return out
}
