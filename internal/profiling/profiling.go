// Package profiling serves Go's pprof endpoints when an operator asks for
// them (IB_PPROF_ADDR), so that CPU and heap profiles of the worker and the
// gateway are one command away under real load:
//
//	go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=30
//	go tool pprof http://127.0.0.1:6061/debug/pprof/heap
package profiling

import (
	"net/http"
	"net/http/pprof"
	"time"

	"go.uber.org/zap"
)

// Serve starts the pprof endpoints on addr, in the background; "" does
// nothing. The endpoints are not behind the gateway's router: bind them to
// loopback or a private interface.
func Serve(addr string, log *zap.Logger) {
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		log.Info("pprof endpoints", zap.String("addr", addr))
		if err := srv.ListenAndServe(); err != nil {
			log.Warn("pprof endpoints stopped", zap.Error(err))
		}
	}()
}
