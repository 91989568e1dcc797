// Command fakeslack serves a FAKE Slack Web API for local runs without a
// workspace (`make dev` starts it when SLACK_BOT_TOKEN is unset). It is not
// Slack: nothing reaches real people.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/incident-buddy/ib/tests/fakeslack"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4390", "listen address (loopback)")
	token := flag.String("token", "xoxb-fake", "bot token the fake accepts")
	scale := flag.Float64("scale", 1, "speed-up of the rate-limit clock")
	flag.Parse()

	srv := &http.Server{Addr: *addr, Handler: fakeslack.New(fakeslack.Options{Token: *token, Scale: *scale}), ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("FAKE Slack (not Slack: a stateful fake for local runs) on http://%s/api/ — state at http://%s/_fake/state\n", *addr, *addr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "fakeslack:", err)
		os.Exit(1)
	}
}
