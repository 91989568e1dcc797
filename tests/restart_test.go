package tests

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/workflows"
)

// persistentServer is a dev server keeping its state in a SQLite file, bound
// to a fixed port so that it can be stopped and started again as the same
// server, with a worker of its own.
type persistentServer struct {
	t      *testing.T
	db     string
	port   string
	server *testsuite.DevServer
	worker worker.Worker
	log    *syncBuffer // the dev server's output, shown when it fails to start
}

func (p *persistentServer) start() client.Client {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*patience)
	defer cancel()
	temporalCLI, err := filepath.Abs("../bin/temporal")
	require.NoError(p.t, err)
	p.server, err = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:     temporalCLI,
		ClientOptions:    &client.Options{HostPort: p.port, Logger: quietLogger()},
		DBFilename:       p.db,
		LogLevel:         "error",
		SearchAttributes: allSearchAttributes(),
		Stdout:           p.log,
		Stderr:           p.log,
	})
	require.NoError(p.t, err, "dev server output:\n%s", p.log)
	p.worker = worker.New(p.server.Client(), workflows.TaskQueue, inProcessWorker())
	workflows.Register(p.worker, newActivities(fakeURL))
	require.NoError(p.t, p.worker.Start())
	return p.server.Client()
}

// stop stops the worker and the server, and waits until the server's port
// is free for the next start.
func (p *persistentServer) stop() {
	p.worker.Stop()
	_ = p.server.Stop()
	waitFor(p.t, "the server's port is free", func() bool {
		l, err := net.Listen("tcp", p.port)
		if err == nil {
			_ = l.Close()
		}
		return err == nil
	})
}

// F8: a reminder is pending on its timer when both the worker and the
// Temporal server (with its SQLite file) stop; after both start again the
// reminder fires, exactly once.
func TestReminderSurvivesServerAndWorkerRestart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().String()
	require.NoError(t, l.Close())
	p := &persistentServer{t: t, db: filepath.Join(t.TempDir(), "temporal.db"), port: port, log: &syncBuffer{}}
	c := p.start()
	defer func() { p.stop() }()

	// The postmortem stage begins 12 s after resolution: the reminder that
	// begins it is a timer the restart has to keep.
	const startAfter = 12 * time.Second
	incidents := func(c client.Client) *ibtemporal.Incidents {
		return &ibtemporal.Incidents{Client: c, Settings: ib.Settings{Postmortem: ib.PostmortemPolicy{Start: startAfter.String()}}}
	}
	call := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		t.Cleanup(cancel)
		return ctx
	}
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	res, err := incidents(c).Declare(call(), ib.Declaration{Title: "Reminder across a restart", Severity: ib.S3, Declarer: alice})
	require.NoError(t, err)
	id := res.ID
	get := func() ib.Incident {
		inc, err := incidents(p.server.Client()).Get(call(), id)
		require.NoError(t, err)
		return inc
	}
	waitFor(t, "the room", func() bool { return get().Channel.HeaderTS != "" })
	_, err = incidents(c).Change(call(), id, &ib.Resolve{Summary: "fixed", By: alice})
	require.NoError(t, err)
	waitFor(t, "the postmortem planned", func() bool { return !get().Postmortem.StartAt.IsZero() })
	resolved := get()
	require.Equal(t, resolved.ResolvedAt.Add(startAfter), resolved.Postmortem.StartAt)

	p.stop()
	c = p.start()

	ownerTold := func() int { return len(messagesAbout("dm-alice", "You own the postmortem of "+id)) }
	var inc ib.Incident
	require.Eventually(t, func() bool { inc = get(); return inc.Stage == ib.StagePostmortem && ownerTold() == 1 },
		patience, 100*time.Millisecond, "the stage begins after the restart and its owner is told")
	settled(t, c, id) // a repeat would come within a workflow task or two
	inc = get()
	began := 0
	for _, e := range inc.Timeline {
		if e.Text == "postmortem stage began" {
			began++
			assert.False(t, e.At.Before(resolved.Postmortem.StartAt), "not before its time")
		}
	}
	assert.Equal(t, 1, began, "the reminder fired exactly once")
	assert.Equal(t, 1, ownerTold(), "the owner was told exactly once")
	assert.Equal(t, alice, inc.Postmortem.Owner, "no service: the commander owns it")
	assert.True(t, strings.HasSuffix(inc.Postmortem.Document, id+"-postmortem-v1.md"))
}
