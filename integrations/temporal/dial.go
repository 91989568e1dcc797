package temporal

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/logging"
)

// Dial connects to Temporal as the configuration says. It fails fast with a
// message that names TEMPORAL_ADDRESS when nothing answers there.
func Dial(ctx context.Context, cfg ib.Config, logger *zap.Logger) (client.Client, error) {
	c, err := client.DialContext(ctx, options(cfg, logger))
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (TEMPORAL_ADDRESS), namespace %q (TEMPORAL_NAMESPACE): %w",
			cfg.TemporalAddress, cfg.TemporalNamespace, err)
	}
	return c, nil
}

// DialLazy returns a client that connects on first use. The Slack gateway uses
// it so that it starts, and answers Slack with "try again", while Temporal is
// down.
func DialLazy(cfg ib.Config, logger *zap.Logger) (client.Client, error) {
	return client.NewLazyClient(options(cfg, logger))
}

func options(cfg ib.Config, logger *zap.Logger) client.Options {
	return client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    logging.Temporal(logger),
	}
}
