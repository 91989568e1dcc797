package temporal

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
)

// Server is where the incidents live: a Temporal frontend and namespace
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE).
type Server struct {
	Address, Namespace string
	// Metrics receives the SDK's own metrics (nil: none).
	Metrics client.MetricsHandler
}

// Dial connects to Temporal. It fails fast with a message that names
// TEMPORAL_ADDRESS when nothing answers there.
func Dial(ctx context.Context, s Server, logger *zap.Logger) (client.Client, error) {
	c, err := client.DialContext(ctx, s.options(logger))
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (TEMPORAL_ADDRESS), namespace %q (TEMPORAL_NAMESPACE): %w",
			s.Address, s.Namespace, err)
	}
	return c, nil
}

// DialLazy returns a client that connects on first use. The Slack gateway uses
// it so that it starts, and answers Slack with "try again", while Temporal is
// down.
func DialLazy(s Server, logger *zap.Logger) (client.Client, error) {
	return client.NewLazyClient(s.options(logger))
}

func (s Server) options(logger *zap.Logger) client.Options {
	return client.Options{HostPort: s.Address, Namespace: s.Namespace, Logger: Logger(logger), MetricsHandler: s.Metrics}
}

// Logger adapts a zap logger to the Temporal SDK's logger, through the SDK's
// own slog adapter and zap's slog handler.
func Logger(z *zap.Logger) log.Logger {
	return log.NewStructuredLogger(slog.New(raised{zapslog.NewHandler(z.Core())}))
}

// raised logs as warnings the SDK's messages that say a task failed, which
// it logs as information: an operator watching warnings must see them.
type raised struct{ slog.Handler }

// taskFailed are the SDK's messages of a task that failed.
var taskFailed = map[string]bool{
	"Task processing failed with error":             true,
	"Task processing failed with client side error": true,
}

func (h raised) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, l) || l == slog.LevelInfo && h.Handler.Enabled(ctx, slog.LevelWarn)
}

func (h raised) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo && taskFailed[r.Message] {
		r.Level = slog.LevelWarn
	}
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h raised) WithAttrs(attrs []slog.Attr) slog.Handler {
	return raised{h.Handler.WithAttrs(attrs)}
}

func (h raised) WithGroup(name string) slog.Handler { return raised{h.Handler.WithGroup(name)} }
