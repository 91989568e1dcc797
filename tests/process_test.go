package tests

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// workerBinary and starterBinary build the real commands once per test run.
var (
	workerBinary  = sync.OnceValues(func() (string, error) { return buildBinary("worker") })
	starterBinary = sync.OnceValues(func() (string, error) { return buildBinary("starter") })
)

func buildBinary(name string) (string, error) {
	dir, err := os.MkdirTemp("", "ib-"+name+"-*")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	out, err := exec.Command("go", "build", "-o", path, "github.com/incident-buddy/ib/"+name).CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return path, nil
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// workerProcess is a worker command the test started and will stop.
type workerProcess struct {
	cmd *exec.Cmd
	log *syncBuffer
}

// syncBuffer is the worker's output, written by the process while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startWorker runs the worker binary against the dev server's isolated
// namespace and the fake Slack.
func startWorker(t testing.TB, env ...string) *workerProcess {
	t.Helper()
	bin, err := workerBinary()
	require.NoError(t, err)
	log := &syncBuffer{}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+devServer.FrontendHostPort(),
		"TEMPORAL_NAMESPACE="+isolatedNamespace,
		"SLACK_BOT_TOKEN=xoxb-fake",
		"SLACK_API_URL="+fakeURL,
		"PAGERDUTY_EVENTS_URL="+pagerDutyURL, // every outside system is a fake on loopback
		"IB_LOG_FORMAT=json",
		fmt.Sprintf("IB_SLACK_PACE=%d", fakeSlackSpeed),
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	p := &workerProcess{cmd: cmd, log: log}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("worker log:\n%s", log.String())
		}
	})
	return p
}

// kill ends the worker at once, as a crash or an OOM kill would: SIGKILL, no
// chance to finish or report anything.
func (p *workerProcess) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// F3: the worker dies after Slack created the channel but before the activity
// completed. The activity times out, a new worker retries it, Slack says
// name_taken, and the retry adopts the channel: exactly one channel.
func TestWorkerKilledAfterChannelCreated(t *testing.T) {
	c, err := client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Namespace: isolatedNamespace, Logger: quietLogger()})
	require.NoError(t, err)
	defer c.Close()
	isolated := &ibtemporal.Incidents{Client: c}

	title := "Worker crash during channel creation"
	slug := channelPrefix(t, title)
	// Slack creates the channel, then its answer is slow: the window to crash in.
	fake.Inject("conversations.create", fakeslack.Fault{Delay: 5 * time.Second, Match: slug})

	first := startWorker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*patience)
	defer cancel()
	res, err := isolated.Declare(ctx, ib.Declaration{Title: title, Severity: ib.S1})
	require.NoError(t, err)
	waitFor(t, "Slack has created the channel", func() bool { return len(channelsNamed(slug)) == 1 })
	first.kill()

	startWorker(t)
	var inc ib.Incident
	require.Eventually(t, func() bool {
		inc, err = isolated.Get(ctx, res.ID)
		return err == nil && inc.Channel.HeaderTS != ""
	}, patience, 100*time.Millisecond, "the new worker finishes opening the room")

	assert.Equal(t, slug, inc.Channel.Name)
	assert.Equal(t, 1, len(channelsNamed(slug)), "exactly one channel")
	assert.Equal(t, 1, len(messagesAbout(slug, title)), "one header")
}

// F8 for pages: the worker dies while a page waits for its acknowledgement.
// The escalation timer is Temporal's, so a new worker escalates on time,
// exactly once, and the first page is not sent again.
func TestPageEscalationSurvivesWorkerRestart(t *testing.T) {
	catalogFile := filepath.Join(t.TempDir(), "catalog.yaml")
	require.NoError(t, os.WriteFile(catalogFile, []byte(testCatalogYAML), 0o644))
	c, err := client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Namespace: isolatedNamespace, Logger: quietLogger()})
	require.NoError(t, err)
	defer c.Close()
	isolated := &ibtemporal.Incidents{Client: c, Settings: ib.Settings{EscalateAfter: 5 * time.Second}}

	first := startWorker(t, "IB_CATALOG="+catalogFile)
	ctx, cancel := context.WithTimeout(context.Background(), 3*patience)
	defer cancel()
	res, err := isolated.Declare(ctx, ib.Declaration{Title: "Escalation across a worker restart", Severity: ib.S2})
	require.NoError(t, err)
	require.Eventually(t, func() bool { inc, err := isolated.Get(ctx, res.ID); return err == nil && inc.Channel.HeaderTS != "" },
		patience, 50*time.Millisecond)
	_, err = isolated.Change(ctx, res.ID, &ib.SendPage{Target: "checkout"})
	require.NoError(t, err)

	r, _ := testCatalog.Rotation("payments")
	now := time.Now()
	oncall, _ := strings.CutSuffix(r.OnCall(now), "@example.com")
	next, _ := r.Next(now)
	next, _ = strings.CutSuffix(next, "@example.com")
	pages := func(who string) int { return len(messagesAbout("dm-"+who, "Escalation across a worker restart")) }
	waitFor(t, "the on-call is paged, and the page is recorded as sent", func() bool {
		inc, err := isolated.Get(ctx, res.ID)
		return pages(oncall) == 1 && err == nil && len(inc.Pages) == 1 && inc.Pages[0].Sent == 1
	})
	first.kill() // while the escalation timer is pending

	startWorker(t, "IB_CATALOG="+catalogFile)
	if !assert.Eventually(t, func() bool { return pages(next) >= 1 }, patience, 100*time.Millisecond, "the new worker escalates") {
		whereItWaits(t, c, res.ID)
		t.FailNow()
	}
	settled(t, c, res.ID) // a repeated page would be sent by now
	assert.Equal(t, 1, pages(next), "escalated exactly once")
	assert.Equal(t, 1, pages(oncall), "the first page is not sent again")
}

// The worker reloads its catalog on SIGHUP, refusing one that breaks the
// policy and keeping the last good one.
func TestWorkerReloadsCatalog(t *testing.T) {
	catalogFile := filepath.Join(t.TempDir(), "catalog.yaml")
	require.NoError(t, os.WriteFile(catalogFile, []byte(testCatalogYAML), 0o644))
	w := startWorker(t, "IB_CATALOG="+catalogFile)
	waitFor(t, "the worker runs", func() bool { return strings.Contains(w.log.String(), "worker running") })

	broken := strings.Replace(testCatalogYAML, "eve@example.com, fay@example.com", "", 1) // three members: over a week a month
	require.NoError(t, os.WriteFile(catalogFile, []byte(broken), 0o644))
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGHUP))
	waitFor(t, "the broken catalog is refused", func() bool { return strings.Contains(w.log.String(), "catalog reload refused") })
	assert.Contains(t, w.log.String(), "nobody may be on call more than 7 days")

	require.NoError(t, os.WriteFile(catalogFile, []byte(testCatalogYAML), 0o644))
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGHUP))
	waitFor(t, "a good catalog is taken", func() bool { return strings.Contains(w.log.String(), "catalog reloaded") })
}

// gatewayProcess is the gateway binary (starter serve) on a loopback address
// that outlives it, so that it can be killed and started again as the same
// replica behind a load balancer.
type gatewayProcess struct {
	workerProcess
	url string
}

// startGatewayProcess runs the gateway binary at addr against Temporal at
// temporalAddr and the fake Slack, with env added, and waits until it is
// ready.
func startGatewayProcess(t testing.TB, addr, temporalAddr string, env ...string) *gatewayProcess {
	t.Helper()
	bin, err := starterBinary()
	require.NoError(t, err)
	log := &syncBuffer{}
	cmd := exec.Command(bin, "serve", "--addr", addr)
	cmd.Env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+temporalAddr,
		"TEMPORAL_NAMESPACE="+isolatedNamespace,
		"SLACK_BOT_TOKEN=xoxb-fake",
		"SLACK_API_URL="+fakeURL,
		"SLACK_SIGNING_SECRET="+signingSecret,
		"IB_LOG_FORMAT=json",
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	g := &gatewayProcess{workerProcess: workerProcess{cmd: cmd, log: log}, url: "http://" + addr}
	t.Cleanup(func() {
		g.kill()
		if t.Failed() {
			t.Logf("gateway %s log:\n%s", addr, log.String())
		}
	})
	waitFor(t, "the gateway at "+addr+" answers", func() bool {
		resp, err := http.Get(g.url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	return g
}
