// Package catalogfile is the service catalog on disk: loaded and checked when
// a process starts, reloaded on SIGHUP, the last good catalog kept when a
// reload is refused.
package catalogfile

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

// Load reads and checks the catalog at path ("" for none) and, until ctx ends,
// reloads it whenever the process gets SIGHUP. A catalog refused at start is
// an error; one refused on reload is logged, and the last good one stays.
func Load(ctx context.Context, path string, log *zap.Logger) (*oncall.LiveCatalog, error) {
	c, err := oncall.LoadCatalog(path, os.ReadFile, time.Now())
	if err != nil {
		return nil, errors.New(ib.ErrorMessage(err))
	}
	live := oncall.NewLiveCatalog(c)
	if path == "" {
		return live, nil
	}
	hangups := make(chan os.Signal, 1)
	signal.Notify(hangups, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hangups)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hangups:
				if err := live.Reload(path, os.ReadFile, time.Now()); err != nil {
					log.Error("catalog reload refused; keeping the last good catalog", zap.String("file", path), zap.String("reason", ib.ErrorMessage(err)))
					continue
				}
				log.Info("catalog reloaded", zap.String("file", path))
			}
		}
	}()
	return live, nil
}
