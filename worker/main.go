// Command worker runs incident workflows and their activities. It keeps no
// state of its own: run as many as you like against one Temporal cluster.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata" // rotations name time zones; the image may have no zoneinfo

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/integrations/catalogfile"
	"github.com/incident-buddy/ib/integrations/documents"
	"github.com/incident-buddy/ib/integrations/pagerduty"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/integrations/statuspage"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/integrations/zendesk"
	"github.com/incident-buddy/ib/internal/health"
	"github.com/incident-buddy/ib/internal/logging"
	"github.com/incident-buddy/ib/internal/metrics"
	"github.com/incident-buddy/ib/internal/profiling"
	"github.com/incident-buddy/ib/workflows"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfig(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	logger, err := logging.New(cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }()
	if err := profiling.Serve(cfg.PprofAddr, cfg.PprofAnyInterface, logger); err != nil {
		return err
	}
	if cfg.SlackBotToken == "" {
		return errors.New("SLACK_BOT_TOKEN is not set: the worker acts in Slack as the bot (for a local run without Slack, `make dev` starts a fake Slack and sets it)")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	catalog, err := catalogfile.Load(ctx, cfg.CatalogFile, logger)
	if err != nil {
		return err
	}
	m, err := metrics.Open(cfg.MetricsAddr, logger)
	if err != nil {
		return err
	}
	c, err := ibtemporal.Dial(ctx, ibtemporal.Server{Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Metrics: m.Temporal()}, logger)
	if err != nil {
		return err
	}
	defer c.Close()
	added, err := ibtemporal.EnsureSearchAttributes(ctx, c, cfg.TemporalNamespace)
	if err != nil {
		return err
	}
	if len(added) > 0 {
		logger.Info("registered search attributes", zap.Strings("added", added), zap.String("namespace", cfg.TemporalNamespace))
		// Poll only once incidents can be declared with them.
		if err := ibtemporal.AwaitSearchAttributes(ctx, c, cfg.TemporalNamespace, 30*time.Second); err != nil {
			return err
		}
	}
	retention, err := ibtemporal.EnsureRetention(ctx, c, cfg.TemporalNamespace, cfg.Retention)
	if err != nil {
		logger.Warn("closed incidents are kept less than IB_RETENTION", zap.Error(err))
	} else {
		logger.Info("closed incidents are kept", zap.Duration("retention", retention), zap.String("namespace", cfg.TemporalNamespace))
	}

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
		Slack:    slackClient,
		Settings: activities.Settings{ChannelPrefix: cfg.ChannelPrefix, IncidentsChannel: cfg.IncidentsChannel},
		Log:      logger,
		Noticed:  m.Noticed,
	}
	if acts.PostmortemTemplate, err = loadTemplate(cfg.PostmortemTemplate); err != nil {
		return err
	}
	acts.Documents = documents.Files{Dir: cfg.DocumentsDir}
	acts.Settings.FollowUpRotation = cfg.FollowUpRotation
	if cfg.ZendeskEnabled() {
		if acts.Zendesk, err = zendesk.New(cfg.ZendeskURL, cfg.ZendeskEmail, cfg.ZendeskToken, m.ZendeskTransport(nil)); err != nil {
			return err
		}
		acts.ZendeskPace = zendeskPace
	}
	acts.Catalog = catalog
	acts.Pager = &pagerduty.Client{URL: cfg.PagerDutyURL}
	if cfg.StatusPageEnabled() {
		acts.StatusPage = &statuspage.Client{BaseURL: cfg.StatusPageURL, PageID: cfg.StatusPageID, APIKey: cfg.StatusPageKey,
			Components: cfg.StatusPageComponents}
	}
	workflows.Register(w, acts)
	var polling atomic.Bool
	health.Serve(cfg.HealthAddr, func(ctx context.Context) error {
		if !polling.Load() {
			return errors.New("the worker does not poll yet")
		}
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}, logger)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	polling.Store(true)
	logger.Info("worker running", zap.String("temporal", cfg.TemporalAddress), zap.String("namespace", cfg.TemporalNamespace),
		zap.String("task_queue", workflows.TaskQueue), zap.String("slack_api", cfg.SlackAPIURL))
	<-ctx.Done()
	logger.Info("stopping: finishing the tasks in hand")
	w.Stop()
	return nil
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
