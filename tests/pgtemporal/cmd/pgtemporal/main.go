// Command pgtemporal runs a Temporal server on PostgreSQL on loopback until
// interrupted, for `make dev-postgres`: the production path, locally. Its data
// (PostgreSQL's, incidents included) stays in --dir across runs.
//
//	pgtemporal [--dir .data/pg] [--port 7233] [--pg-port 5433] [--bin bin] --schemas DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/incident-buddy/ib/tests/pgtemporal"
)

func main() {
	dir := flag.String("dir", ".data/pg", "where PostgreSQL's data, the server's configuration and logs are kept")
	bin := flag.String("bin", "bin", "where temporal-server and temporal-sql-tool are")
	schemas := flag.String("schemas", "", "the Temporal server module's schema/postgresql/v12 directory")
	port := flag.Int("port", 7233, "the Temporal frontend's port")
	pgPort := flag.Int("pg-port", 5433, "PostgreSQL's port")
	retention := flag.Duration("retention", 30*24*time.Hour, "how long the default namespace keeps closed workflows")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := pgtemporal.Start(ctx, pgtemporal.Options{Dir: *dir, Bin: *bin, Schemas: *schemas, FrontendPort: *port, PostgresPort: *pgPort,
		Retention: *retention, DynamicConfig: map[string]any{"system.enableActivityEagerExecution": true}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtemporal:", err)
		os.Exit(1)
	}
	fmt.Printf("Temporal 1.29 on PostgreSQL 15 at %s (data in %s)\n", s.FrontendHostPort(), *dir)
	<-ctx.Done()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtemporal:", err)
		os.Exit(1)
	}
}
