// Package incidentworker builds the worker of the incidents' task queue: the
// incident workflow and every activity it calls, wired to Slack, Zendesk,
// PagerDuty, the status page and the postmortem documents as the
// configuration says. The worker command runs one; so does the gateway with
// IB_GATEWAY_WORKER, so that the incidents it declares start in it at once.
package incidentworker

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/integrations/documents"
	"github.com/incident-buddy/ib/integrations/pagerduty"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/integrations/statuspage"
	"github.com/incident-buddy/ib/integrations/zendesk"
	"github.com/incident-buddy/ib/internal/metrics"
	"github.com/incident-buddy/ib/oncall"
	"github.com/incident-buddy/ib/workflows"
)

// New makes the worker; it polls once started.
func New(c client.Client, cfg config.Config, catalog *oncall.LiveCatalog, m *metrics.Metrics, logger *zap.Logger) (worker.Worker, error) {
	// The SDK's default of two pollers for each kind of task caps what one
	// worker takes: under a sustained 6 incidents a second on PostgreSQL a new
	// incident's first task waited seconds in the queue while the server had
	// room (a bare workflow beside it started in 100 ms). Pollers that scale
	// with the queue, as the server advises, take it (docs/benchmarks.md).
	pollers := worker.NewPollerBehaviorAutoscaling(worker.PollerBehaviorAutoscalingOptions{})
	w := worker.New(c, workflows.TaskQueue, worker.Options{WorkflowTaskPollerBehavior: pollers, ActivityTaskPollerBehavior: pollers,
		Interceptors: []interceptor.WorkerInterceptor{&activities.Heartbeats{}}})
	slackClient := slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, &http.Client{Timeout: 30 * time.Second,
		// The pacer holds calls back; the metrics count those that reach Slack.
		Transport: slack.Paced(m.SlackTransport(nil), slack.Pacing{Speed: cfg.SlackPace, Caller: activities.Caller, Held: m.SlackHeld})})
	slackClient.IncidentURL = cfg.IncidentURL
	acts := &activities.Activities{
		Slack:     slackClient,
		Settings:  activities.Settings{ChannelPrefix: cfg.ChannelPrefix, IncidentsChannel: cfg.IncidentsChannel, FollowUpRotation: cfg.FollowUpRotation},
		Log:       logger,
		Noticed:   m.Noticed,
		Catalog:   catalog,
		Pager:     &pagerduty.Client{URL: cfg.PagerDutyURL},
		Documents: documents.Files{Dir: cfg.DocumentsDir},
	}
	var err error
	if acts.PostmortemTemplate, err = loadTemplate(cfg.PostmortemTemplate); err != nil {
		return nil, err
	}
	if cfg.ZendeskEnabled() {
		if acts.Zendesk, err = zendesk.New(cfg.ZendeskURL, cfg.ZendeskEmail, cfg.ZendeskToken, m.ZendeskTransport(nil)); err != nil {
			return nil, err
		}
		acts.ZendeskPace = zendeskPace
	}
	if cfg.StatusPageEnabled() {
		acts.StatusPage = &statuspage.Client{BaseURL: cfg.StatusPageURL, PageID: cfg.StatusPageID, APIKey: cfg.StatusPageKey,
			Components: cfg.StatusPageComponents}
	}
	workflows.Register(w, acts)
	return w, nil
}

// loadTemplate reads the postmortem template that replaces the default, and
// tries it on a sample incident: a template that fails stops the worker at
// start, not on an incident's first draft.
func loadTemplate(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("IB_POSTMORTEM_TEMPLATE: %w", err)
	}
	sample := ib.NewIncident("INC-20260101-TEST", ib.Declaration{Title: "Template check", Severity: ib.S2}, time.Now())
	if _, err := ib.RenderPostmortem(string(data), sample); err != nil {
		return "", fmt.Errorf("IB_POSTMORTEM_TEMPLATE %s: %s", path, ib.ErrorMessage(err))
	}
	return string(data), nil
}

// zendeskPace spaces a batch's ticket updates: Zendesk allows 100 updates a
// minute per account, and the bot is not the only one updating.
const zendeskPace = 700 * time.Millisecond
