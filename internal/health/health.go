// Package health answers the probes of an orchestrator: /healthz (the
// process lives) and /readyz (it can do its work: Temporal answers, and for
// the worker, it polls).
package health

import (
	"context"
	"io"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Routes adds /healthz and /readyz to mux; ready says whether the process
// can do its work (nil: always).
func Routes(mux *http.ServeMux, ready func(context.Context) error) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			if err := ready(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = io.WriteString(w, "ready\n")
	})
}

// Serve serves the probes on addr in the background; "" does nothing.
func Serve(addr string, ready func(context.Context) error, log *zap.Logger) {
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	Routes(mux, ready)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		log.Info("health probes", zap.String("addr", addr))
		if err := srv.ListenAndServe(); err != nil {
			log.Warn("health probes stopped", zap.Error(err))
		}
	}()
}
