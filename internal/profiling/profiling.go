// Package profiling serves Go's pprof endpoints when an operator asks for
// them (IB_PPROF_ADDR), so that CPU and heap profiles of the worker and the
// gateway are one command away under real load:
//
//	go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=30
//	go tool pprof http://127.0.0.1:6061/debug/pprof/heap
package profiling

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"go.uber.org/zap"
)

// Serve starts the pprof endpoints on addr, in the background; "" does
// nothing. Profiles show the process's memory, tokens included, so an address
// beyond loopback is refused unless the operator says so (anyInterface,
// IB_PPROF_ANY_INTERFACE).
func Serve(addr string, anyInterface bool, log *zap.Logger) error {
	if addr == "" {
		return nil
	}
	if !anyInterface && !loopback(addr) {
		return fmt.Errorf("IB_PPROF_ADDR %q listens beyond loopback, and profiles hold the process's secrets: use 127.0.0.1:PORT, or set IB_PPROF_ANY_INTERFACE=true behind a firewall", addr)
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
	return nil
}

// loopback says whether addr (host:port) listens on a loopback address only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
