package tests

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
)

// The worker binary serves its metrics on IB_METRICS_ADDR: after an incident
// with a problem ticket, the Slack calls that opened its room, the Zendesk
// call that opened its ticket (by method, the ticket's ID not a method of its
// own) and the Temporal SDK's own metrics of the work.
func TestWorkerServesMetrics(t *testing.T) {
	c, err := client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Namespace: isolatedNamespace, Logger: quietLogger()})
	require.NoError(t, err)
	defer c.Close()
	isolated := &ibtemporal.Incidents{Client: c, Settings: ib.Settings{ProblemTickets: []ib.Severity{ib.S2}}}
	addr := freeAddr(t)
	startWorker(t, "IB_METRICS_ADDR="+addr, "ZENDESK_URL="+zendeskURL, "ZENDESK_EMAIL=bot@example.com", "ZENDESK_API_TOKEN=zd-token")

	res, err := isolated.Declare(t.Context(), ib.Declaration{Title: "Metrics of a real worker", Severity: ib.S2})
	require.NoError(t, err)
	waitFor(t, "the room and the problem ticket", func() bool {
		inc, err := isolated.Get(t.Context(), res.ID)
		return err == nil && inc.Channel.HeaderTS != "" && inc.Tickets.ProblemID != 0
	})
	_ = c.TerminateWorkflow(context.Background(), res.ID, "", "test over")

	var body string
	waitFor(t, "the metrics show the calls", func() bool {
		body = scrape(t, "http://"+addr+"/metrics")
		return counter(body, `ib_slack_calls_total{method="conversations.create",outcome="ok"}`) >= 1 &&
			counter(body, `ib_zendesk_calls_total{method="POST /api/v2/tickets.json",outcome="ok"}`) >= 1
	})
	assert.Regexp(t, `(?m)^temporal_activity_execution_latency_seconds_count\{.*activity_type="OpenChannel"`, body)
	assert.NotRegexp(t, `ib_zendesk_calls_total\{method="[^"]*/[0-9]`, body, "no method per ticket")
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// counter is a metric's value in Prometheus's text, 0 when it is not there.
func counter(body, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+]+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}
