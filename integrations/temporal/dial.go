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
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    logging.Temporal(logger),
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (TEMPORAL_ADDRESS), namespace %q (TEMPORAL_NAMESPACE): %w",
			cfg.TemporalAddress, cfg.TemporalNamespace, err)
	}
	return c, nil
}
