package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/integrations/alerts"
	"github.com/incident-buddy/ib/integrations/catalogfile"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/integrations/slack/gateway"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/integrations/zendesk"
	"github.com/incident-buddy/ib/internal/incidentworker"
	"github.com/incident-buddy/ib/internal/logging"
	"github.com/incident-buddy/ib/internal/metrics"
	"github.com/incident-buddy/ib/internal/profiling"
	"github.com/incident-buddy/ib/oncall"
	"github.com/incident-buddy/ib/workflows"
)

// serve runs the Slack gateway: HTTP endpoints, and Socket Mode when
// SLACK_APP_TOKEN is set. It stops cleanly on SIGINT/SIGTERM, after answering
// the requests in hand.
func serve(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":3000", "listen address of the HTTP endpoints")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case cfg.SlackBotToken == "":
		return errors.New("SLACK_BOT_TOKEN is not set: the gateway needs the bot token to open modals")
	case cfg.SlackSigningSecret == "" && cfg.SlackAppToken == "":
		return errors.New("set SLACK_SIGNING_SECRET (to receive Slack's HTTP requests) or SLACK_APP_TOKEN (Socket Mode)")
	}
	logger, err := logging.New(cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }()
	if err := profiling.Serve(cfg.PprofAddr, cfg.PprofAnyInterface, logger); err != nil {
		return err
	}
	catalog, err := catalogfile.Load(ctx, cfg.CatalogFile, logger)
	if err != nil {
		return err
	}
	m, err := metrics.Open(cfg.MetricsAddr, logger)
	if err != nil {
		return err
	}
	c, err := ibtemporal.DialLazy(ibtemporal.Server{Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Metrics: m.Temporal()}, logger)
	if err != nil {
		return err
	}
	defer c.Close()

	if cfg.GatewayWorker {
		stop, err := runWorker(ctx, c, cfg, catalog, m, logger)
		if err != nil {
			return err
		}
		defer stop()
	}

	api := slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, &http.Client{Timeout: 30 * time.Second, Transport: m.SlackTransport(nil)},
		goslack.OptionAppLevelToken(cfg.SlackAppToken)).API()
	incidents := newIncidents(c, cfg)
	incidents.Declared = m.Declared
	watches := &ibtemporal.Watches{Client: c}
	gw := &gateway.Gateway{
		Incidents:        incidents,
		API:              api,
		Policy:           cfg.Policy,
		DefaultSeverity:  cfg.DefaultSeverity,
		CustomerQuestion: cfg.CustomerQuestion,
		CollectionEmoji:  cfg.CollectionEmoji,
		ChannelPrefix:    cfg.ChannelPrefix,
		APIURL:           cfg.SlackAPIURL,
		Catalog:          catalog,
		Watches:          watches,
		Dismissed:        m.Dismissed,
		Log:              logger,
		Ready: func(ctx context.Context) error {
			_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
	}
	mux := http.NewServeMux()
	mux.Handle("/", gw.Handler(cfg.SlackSigningSecret))
	hook := &zendesk.Webhook{Secret: cfg.ZendeskWebhookSecret, Incidents: gw.Incidents, Catalog: catalog, Watches: watches, Log: logger}
	mux.Handle("POST "+zendesk.WebhookPath, hook)
	(&alerts.Intake{Token: cfg.AlertsToken, Catalog: catalog, Watches: watches, Log: logger, Received: m.AlertsReceived}).Routes(mux)
	srv := &http.Server{Addr: *addr, Handler: m.Answers(mux),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	errs := make(chan error, 2)
	go func() { errs <- srv.ListenAndServe() }()
	if cfg.SlackAppToken != "" {
		go func() { errs <- gw.RunSocketMode(ctx, socketmode.New(api)) }()
	}
	logger.Info("gateway running", zap.String("addr", *addr), zap.Bool("socket_mode", cfg.SlackAppToken != ""),
		zap.String("temporal", cfg.TemporalAddress), zap.String("slack_api", cfg.SlackAPIURL))

	select {
	case <-ctx.Done():
	case err := <-errs:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("gateway: %w", err)
		}
	}
	logger.Info("stopping: answering the requests in hand")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	gw.Wait()
	hook.Wait()
	return nil
}

// runWorker runs the gateway's own worker of the incidents (IB_GATEWAY_WORKER)
// once Temporal answers, so that the incidents the gateway declares start in
// it at once. A configuration it cannot run on stops the gateway at start;
// stop stops the worker, after the tasks in hand.
func runWorker(ctx context.Context, c client.Client, cfg config.Config, catalog *oncall.LiveCatalog, m *metrics.Metrics, logger *zap.Logger) (stop func(), err error) {
	w, err := incidentworker.New(c, cfg, catalog, m, logger)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	started, done := false, make(chan struct{}) // started is read once done is closed
	go func() {
		defer close(done)
		for {
			if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
		}
		if err := w.Start(); err != nil {
			logger.Error("the gateway's worker does not run: the incidents it declares start in the other workers", zap.Error(err))
			return
		}
		started = true
		logger.Info("the gateway runs a worker", zap.String("task_queue", workflows.TaskQueue))
	}()
	return func() {
		cancel()
		<-done
		if started {
			w.Stop()
		}
	}, nil
}
