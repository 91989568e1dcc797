// Package pgtemporal runs a real Temporal server (1.29, the binaries built
// into bin/ from the module proxy) on PostgreSQL 15 (Debian's server
// binaries), on loopback, for `make dev-postgres` and for the integration
// tests with IB_TEST_TEMPORAL=postgres: the production path, here.
//
// PostgreSQL refuses to run as root, so as root it runs as the postgres user.
// Its schemas are set up by Temporal's own SQL tool from the server module's
// schema files; visibility is PostgreSQL too (SQL advanced visibility), so the
// incidents' search attributes work.
package pgtemporal

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"
)

// PostgresBin is where Debian's PostgreSQL 15 server binaries are.
const PostgresBin = "/usr/lib/postgresql/15/bin"

// Options say where and how to run.
type Options struct {
	// Dir holds PostgreSQL's data, the server's configuration and both logs.
	// A Dir used before is reused: its data, incidents included, survives.
	Dir string
	// Bin holds temporal-server and temporal-sql-tool.
	Bin string
	// Schemas is the server module's schema/postgresql/v12 directory.
	Schemas string
	// Ports: 0 picks a free one.
	PostgresPort, FrontendPort int
	// Namespaces are created with Retention (default 30 days).
	Namespaces []string
	Retention  time.Duration
	// Fast trades durability for speed (fsync off): for tests only.
	Fast bool
	// DynamicConfig is the server's dynamic configuration, by key.
	DynamicConfig map[string]any
	Logger        log.Logger
}

// Server is a running Temporal server on PostgreSQL.
type Server struct {
	opts    Options
	address string
	server  *exec.Cmd
	exited  chan error
}

// FrontendHostPort is the address clients dial.
func (s *Server) FrontendHostPort() string { return s.address }

// Start starts PostgreSQL (initialising it and Temporal's schemas on first
// use), then the Temporal server, and returns once its namespaces answer.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Retention == 0 {
		o.Retention = 30 * 24 * time.Hour
	}
	if len(o.Namespaces) == 0 {
		o.Namespaces = []string{"default"}
	}
	for _, tool := range []string{filepath.Join(PostgresBin, "pg_ctl"), filepath.Join(o.Bin, "temporal-server"), filepath.Join(o.Bin, "temporal-sql-tool")} {
		if _, err := os.Stat(tool); err != nil {
			return nil, fmt.Errorf("%s is missing (make builds the Temporal server and installs Debian's postgresql): %w", tool, err)
		}
	}
	var err error
	if o.Dir, err = filepath.Abs(o.Dir); err != nil {
		return nil, err
	}
	for _, p := range []*int{&o.PostgresPort, &o.FrontendPort} {
		if *p == 0 {
			if *p, err = freePort(); err != nil {
				return nil, err
			}
		}
	}
	if err := startPostgres(ctx, o); err != nil {
		return nil, err
	}
	s := &Server{opts: o, address: fmt.Sprintf("127.0.0.1:%d", o.FrontendPort), exited: make(chan error, 1)}
	if err := s.setUpSchemas(ctx); err != nil {
		_ = stopPostgres(o)
		return nil, err
	}
	if err := s.startServer(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// Stop stops the Temporal server, then PostgreSQL.
func (s *Server) Stop() error {
	err := s.StopServer()
	return errors.Join(err, stopPostgres(s.opts))
}

// StopServer stops the Temporal server alone (SIGTERM), as a deploy does.
func (s *Server) StopServer() error {
	if s.server == nil || s.server.Process == nil {
		return nil
	}
	_ = s.server.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.server.Process.Kill()
		<-s.exited
	}
	s.server = nil
	return nil
}

// KillServer kills the Temporal server process with SIGKILL, as a crash
// does; RestartServer brings it back on the same database.
func (s *Server) KillServer() {
	if s.server != nil && s.server.Process != nil {
		_ = s.server.Process.Kill()
		<-s.exited
		s.server = nil
	}
}

// RestartServer starts the Temporal server again after StopServer or
// KillServer, and waits until it answers. As a supervisor would, it starts
// the server again should it exit on its way up: after a kill, the server's
// services can fail to join their cluster (ringpop) while the killed
// process's members, on ports nobody listens on any more, still look alive
// in the database, and the server then exits.
func (s *Server) RestartServer(ctx context.Context) error {
	var err error
	for range 3 {
		if err = s.startServer(ctx); !errors.Is(err, errExited) {
			return err
		}
	}
	return err
}

// errExited is await's error when the server exits before it is ready.
var errExited = errors.New("the Temporal server exited")

// RestartPostgres restarts PostgreSQL under the running server.
func (s *Server) RestartPostgres(ctx context.Context) error {
	if err := stopPostgres(s.opts); err != nil {
		return err
	}
	return startPostgres(ctx, s.opts)
}

func startPostgres(ctx context.Context, o Options) error {
	data := filepath.Join(o.Dir, "postgres")
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := os.MkdirAll(data, 0o700); err != nil {
			return err
		}
		if err := ownedByPostgres(data); err != nil {
			return err
		}
		if err := traversable(data); err != nil {
			return err
		}
		// Trust on loopback only: the database answers nothing beyond this
		// machine, and the server's user needs no password.
		if out, err := asPostgres(ctx, "initdb", "-D", data, "-U", "temporal", "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
			return fmt.Errorf("initdb: %v: %s", err, out)
		}
	}
	fsync := "on"
	if o.Fast {
		fsync = "off"
	}
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nmax_connections = 200\nfsync = %s\nsynchronous_commit = %s\n",
		o.PostgresPort, data, fsync, fsync)
	if err := os.WriteFile(filepath.Join(data, "postgresql.auto.conf"), []byte(conf), 0o600); err != nil {
		return err
	}
	if err := ownedByPostgres(filepath.Join(data, "postgresql.auto.conf")); err != nil {
		return err
	}
	logFile := filepath.Join(data, "postgres.log")
	if out, err := asPostgres(ctx, "pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "120", "start").CombinedOutput(); err != nil {
		tail, _ := os.ReadFile(logFile)
		return fmt.Errorf("start PostgreSQL: %v: %s\n%s", err, out, lastLines(string(tail), 10))
	}
	return nil
}

func stopPostgres(o Options) error {
	data := filepath.Join(o.Dir, "postgres")
	if out, err := asPostgres(context.Background(), "pg_ctl", "-D", data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("stop PostgreSQL: %v: %s", err, out)
	}
	return nil
}

// setUpSchemas creates Temporal's two databases and brings their schemas to
// the server's version; both steps do nothing when already done.
func (s *Server) setUpSchemas(ctx context.Context) error {
	for _, db := range []struct{ name, schema string }{{"temporal", "temporal"}, {"temporal_visibility", "visibility"}} {
		base := []string{"--plugin", "postgres12", "--ep", "127.0.0.1", "-p", strconv.Itoa(s.opts.PostgresPort), "-u", "temporal", "--db", db.name}
		steps := [][]string{{"create-database"}, {"setup-schema", "-v", "0.0"}, {"update-schema", "-d", filepath.Join(s.opts.Schemas, db.schema, "versioned")}}
		for _, step := range steps {
			out, err := exec.CommandContext(ctx, filepath.Join(s.opts.Bin, "temporal-sql-tool"), append(base, step...)...).CombinedOutput()
			if err != nil && !strings.Contains(string(out), "already exists") {
				return fmt.Errorf("temporal-sql-tool %s %s: %v: %s", db.name, step[0], err, lastLines(string(out), 10))
			}
		}
	}
	return nil
}

func (s *Server) startServer(ctx context.Context) error {
	if err := s.writeConfig(); err != nil {
		return err
	}
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(s.opts.Bin, "temporal-server"), "--root", s.opts.Dir, "--config", "config", "--env", "server",
		"--allow-no-auth", "start")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start the Temporal server: %w", err)
	}
	exited := make(chan error, 1)
	s.server, s.exited = cmd, exited
	go func() { exited <- cmd.Wait(); logFile.Close() }()
	return s.await(ctx)
}

// await waits until the server answers and its namespaces exist and list.
func (s *Server) await(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var last error
	for {
		select {
		case err := <-s.exited:
			s.exited <- err
			log, _ := os.ReadFile(s.logPath())
			return fmt.Errorf("%w (%v):\n%s", errExited, err, lastLines(string(log), 20))
		case <-ctx.Done():
			return fmt.Errorf("the Temporal server did not become ready (see %s): %w", s.logPath(), errors.Join(ctx.Err(), last))
		case <-time.After(500 * time.Millisecond):
		}
		if last = s.ready(ctx); last == nil {
			return nil
		}
	}
}

func (s *Server) ready(ctx context.Context) error {
	c, err := client.Dial(client.Options{HostPort: s.address, Logger: s.opts.Logger})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return err
	}
	for _, ns := range s.opts.Namespaces {
		_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(s.opts.Retention)})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) {
			return err
		}
		if _, err := c.WorkflowService().ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, PageSize: 1}); err != nil {
			return err
		}
		// Task queues answer only once matching has joined the cluster.
		if _, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{Namespace: ns,
			TaskQueue: &taskqueuepb.TaskQueue{Name: "ready"}, TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) writeConfig() error {
	dir := filepath.Join(s.opts.Dir, "config")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var ports []int
	for range 8 {
		p, err := freePort()
		if err != nil {
			return err
		}
		ports = append(ports, p)
	}
	var b strings.Builder
	if err := serverConfig.Execute(&b, map[string]any{
		"PG": s.opts.PostgresPort, "Frontend": s.opts.FrontendPort, "Ports": ports,
		"DynamicConfig": filepath.Join(dir, "dynamicconfig.yaml"),
	}); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "server.yaml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	var dc strings.Builder
	for k, v := range s.opts.DynamicConfig {
		fmt.Fprintf(&dc, "%s:\n  - value: %v\n", k, v)
	}
	return os.WriteFile(filepath.Join(dir, "dynamicconfig.yaml"), []byte(dc.String()), 0o644)
}

// serverConfig is the server's configuration: one process with every
// service, on loopback, persistence and visibility on PostgreSQL.
var serverConfig = template.Must(template.New("server").Parse(`log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: "127.0.0.1:{{.PG}}"
        connectProtocol: tcp
        user: temporal
        maxConns: 40
        maxIdleConns: 40
        maxConnLifetime: 1h
    visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: "127.0.0.1:{{.PG}}"
        connectProtocol: tcp
        user: temporal
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  pprof:
    port: {{index .Ports 0}}
    host: "127.0.0.1"
services:
  frontend:
    rpc: {grpcPort: {{.Frontend}}, membershipPort: {{index .Ports 1}}, bindOnIP: "127.0.0.1"}
  matching:
    rpc: {grpcPort: {{index .Ports 2}}, membershipPort: {{index .Ports 3}}, bindOnIP: "127.0.0.1"}
  history:
    rpc: {grpcPort: {{index .Ports 4}}, membershipPort: {{index .Ports 5}}, bindOnIP: "127.0.0.1"}
  worker:
    rpc: {grpcPort: {{index .Ports 6}}, membershipPort: {{index .Ports 7}}, bindOnIP: "127.0.0.1"}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:{{.Frontend}}"
dcRedirectionPolicy:
  policy: noop
publicClient:
  hostPort: "127.0.0.1:{{.Frontend}}"
dynamicConfigClient:
  filepath: "{{.DynamicConfig}}"
  pollInterval: 10s
`))

// asPostgres runs one of PostgreSQL's programs, as the postgres user when
// this process is root (PostgreSQL refuses root).
func asPostgres(ctx context.Context, program string, args ...string) *exec.Cmd {
	path := filepath.Join(PostgresBin, program)
	if os.Geteuid() == 0 {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

// ownedByPostgres gives a path to the postgres user when running as root.
func ownedByPostgres(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("no postgres user (install Debian's postgresql): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(path, uid, gid)
}

// traversable lets the postgres user through the directories above path
// (a temporary directory is root's alone).
func traversable(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	for dir := filepath.Dir(path); dir != "/"; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(dir, info.Mode().Perm()|0o011); err != nil {
				return err
			}
		}
	}
	return nil
}

// freePort is a free port below 32768: the server keeps its services'
// membership ports in a smallint column.
func freePort() (int, error) {
	for range 100 {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, errors.New("no free port between 20000 and 32000")
}

// logPath is the Temporal server's log, in the server's directory.
func (s *Server) logPath() string { return filepath.Join(s.opts.Dir, "temporal.log") }

// Complaints are the last n warnings and errors in the Temporal server's log:
// what a failed run shows of the server, whose directory goes with it.
func (s *Server) Complaints(n int) string {
	data, _ := os.ReadFile(s.logPath())
	var found []string
	for line := range strings.Lines(string(data)) {
		if strings.Contains(line, `"level":"warn"`) || strings.Contains(line, `"level":"error"`) || strings.Contains(line, `"level":"fatal"`) {
			found = append(found, strings.TrimSpace(line))
		}
	}
	return strings.Join(found[max(0, len(found)-n):], "\n")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
