// Command worker runs incident workflows and their activities. It keeps no
// state of its own: run as many as you like against one Temporal cluster.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata" // rotations name time zones; the image may have no zoneinfo

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/integrations/catalogfile"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/internal/health"
	"github.com/incident-buddy/ib/internal/incidentworker"
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

	w, err := incidentworker.New(c, cfg, catalog, m, logger)
	if err != nil {
		return err
	}
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
