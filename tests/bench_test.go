package tests

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// The benchmarks of `make bench`. Each runs the real worker binary against
// the dev server's isolated namespace and a fake Slack of its own, declares
// incidents through the same client the front doors use, and reports its
// figures as metrics; tests/cmd/benchreport turns repeated runs into
// docs/benchmarks.md.

// benchWorld is a worker process with a fake Slack of its own.
type benchWorld struct {
	fake      *fakeslack.Server
	fakeBase  string
	env       []string // the worker's configuration
	worker    *workerProcess
	gateway   *gatewayProcess // nil: incidents are declared through the client
	incidents *ibtemporal.Incidents
	client    client.Client
	pprof     string // the worker's pprof address

	mu       sync.Mutex
	declared []string // terminated on close, so that no later world inherits their work
}

func newBenchWorld(b *testing.B, opts fakeslack.Options, env ...string) *benchWorld {
	b.Helper()
	f := fakeslack.New(opts)
	srv := httptest.NewServer(f)
	b.Cleanup(srv.Close)
	c, err := client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Namespace: isolatedNamespace, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	pprof := freeAddr(b)
	pace := fmt.Sprint(opts.Scale) // the worker paces its calls to the fake's clock
	if opts.NoLimits {
		pace = "0"
	}
	env = append([]string{"SLACK_API_URL=" + srv.URL + "/api/", "IB_LOG_LEVEL=error", "IB_SLACK_PACE=" + pace,
		"ZENDESK_URL=" + zendeskURL, "ZENDESK_EMAIL=bot@example.com", "ZENDESK_API_TOKEN=zd-token"}, env...)
	w := startWorker(b, append(slices.Clone(env), "IB_PPROF_ADDR="+pprof)...)
	return &benchWorld{fake: f, fakeBase: srv.URL, env: env, worker: w, client: c, pprof: pprof, incidents: &ibtemporal.Incidents{Client: c}}
}

// startGateway runs the gateway binary on the world's fake Slack, with the
// worker's configuration and env.
func (w *benchWorld) startGateway(b *testing.B, env ...string) {
	w.gateway = startGatewayProcess(b, freeAddr(b), devServer.FrontendHostPort(), append(slices.Clone(w.env), env...)...)
}

// command sends alice's slash command to the world's gateway, as Slack does,
// and says when it was sent.
func (w *benchWorld) command(b *testing.B, text string) time.Time {
	asked := time.Now()
	form := fakeslack.SlashCommand{Text: text, UserID: w.fake.UserByName("alice"), UserName: "alice", ChannelID: "C0BENCH",
		ResponseURL: fakeslack.ResponseURL(w.fakeBase, fmt.Sprintf("bench-%d", asked.UnixNano()))}.Form()
	resp, err := http.DefaultClient.Do(signed(w.gateway.url, request{path: "/slack/commands", contentType: "application/x-www-form-urlencoded", body: form}))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("the gateway answered %s", resp.Status)
	}
	return asked
}

// declaredIn is the incident whose channel the title's is (its purpose names
// it), remembered to be ended with the world.
func (w *benchWorld) declaredIn(b *testing.B, title string) string {
	ch, _ := w.fake.ChannelByName(ib.ChannelName("inc", time.Now(), title, "", 1))
	id := incidentOf(ch)
	if id == "" {
		b.Fatalf("channel %s names no incident: %q", ch.Name, ch.Purpose)
	}
	w.mu.Lock()
	w.declared = append(w.declared, id)
	w.mu.Unlock()
	return id
}

// close ends the world's incidents and stops its worker, so that no later
// world's worker inherits their work (and talks to this world's fake).
func (w *benchWorld) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range w.declared {
		_ = w.client.TerminateWorkflow(context.Background(), id, "", "benchmark over")
	}
	w.worker.kill()
	if w.gateway != nil {
		w.gateway.kill()
	}
}

func freeAddr(b testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// declareAt declares an incident and returns its ID and when it was asked.
func (w *benchWorld) declare(b *testing.B, title string) (string, time.Time) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := w.incidents.Declare(ctx, ib.Declaration{Title: title, Severity: ib.S3, Declarer: ib.Person{SlackID: w.fake.UserByName("alice")}})
	if err != nil {
		b.Fatal(err)
	}
	w.mu.Lock()
	w.declared = append(w.declared, res.ID)
	w.mu.Unlock()
	return res.ID, start
}

// opened is when the fake created an incident's channel, and when its room
// was ready: header posted, people invited, and the incident announced.
func (w *benchWorld) opened(title string) (created, ready time.Time, ok bool) {
	name := ib.ChannelName("inc", time.Now(), title, "", 1)
	ch, found := w.fake.ChannelByName(name)
	if !found || len(ch.Messages) == 0 {
		return time.Time{}, time.Time{}, false
	}
	ready = ch.Messages[0].PostedAt
	if ch.InvitedAt.After(ready) {
		ready = ch.InvitedAt
	}
	incidents, _ := w.fake.ChannelByName("incidents")
	announced := false
	for _, m := range incidents.Messages {
		if strings.HasSuffix(m.Text, title) {
			announced = true
			if m.PostedAt.After(ready) {
				ready = m.PostedAt
			}
		}
	}
	return ch.CreatedAt, ready, announced && !ch.InvitedAt.IsZero()
}

// BenchmarkDeclare drives an open-loop load of canonical incidents, 5 a second
// (IB_BENCH_RATE), against a zero-latency fake Slack: each is declared by a
// slash command to the gateway binary (with its worker: IB_GATEWAY_WORKER), gets
// its channel, invites, announcement and problem ticket, then a linked
// customer ticket, 20 reactions, and 3 status changes to its resolution.
// It measures how long a declaration takes to its channel, and to a ready
// room (header, invites, announcement), under that load; and, side by side,
// a bare workflow with one no-op activity: the floor Temporal itself sets on
// this machine. The overhead ratio is declare→channel over bare.
//
//	go test ./tests -run XXX -bench Declare$ -benchtime 40x
func BenchmarkDeclare(b *testing.B) {
	w := newBenchWorld(b, fakeslack.Options{NoLimits: true})
	defer w.close()
	// Declared as people do, by a slash command to the gateway, which runs a
	// worker of its own unless IB_BENCH_GATEWAY_WORKER=false. The canonical
	// incident has a problem ticket.
	w.startGateway(b, "IB_GATEWAY_WORKER="+cmp.Or(os.Getenv("IB_BENCH_GATEWAY_WORKER"), "true"), "IB_PROBLEM_TICKETS=S3")
	bare := startBareWorker(b, w.client)
	run := time.Now().UnixNano() % 1e6
	var channel, ready, floor []time.Duration
	var mu sync.Mutex
	var wg sync.WaitGroup
	rate := 5.0
	if r, err := strconv.ParseFloat(os.Getenv("IB_BENCH_RATE"), 64); err == nil && r > 0 {
		rate = r
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	components := []string{"worker", "starter", "temporal", "temporal-server", "postgres"}
	cpu0 := cpuByCommand(components...)
	i := 0
	for b.Loop() {
		<-tick.C
		i++
		title := fmt.Sprintf("Bench declare %d number %d", run, i)
		wg.Add(2)
		go func() {
			defer wg.Done()
			asked := w.command(b, "create S3 "+title)
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				if created, r, ok := w.opened(title); ok {
					id := w.declaredIn(b, title)
					mu.Lock()
					channel, ready = append(channel, created.Sub(asked)), append(ready, r.Sub(asked))
					mu.Unlock()
					w.liveOut(b, id, title)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			b.Errorf("%s: no ready room in 30 s", title)
		}()
		go func() {
			defer wg.Done()
			d := bare.run(b)
			mu.Lock()
			floor = append(floor, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	// The backend's and the worker's CPU per canonical incident (the bare
	// workflows beside them cost a little of the backend's).
	cpu1 := cpuByCommand(components...)
	for _, c := range components {
		if used := cpu1[c] - cpu0[c]; used > 0 {
			b.ReportMetric(used/float64(i), c+"-cpu-s/incident")
		}
	}
	report(b, "channel", channel)
	report(b, "ready", ready)
	report(b, "bare", floor)
	w.reportTheWay(b)
	b.ReportMetric(float64(median(channel))/float64(median(floor)), "overhead-ratio")
}

// reportTheWay splits the way to a channel by the declared incidents'
// histories: how long each first workflow task waited to be taken up and
// then ran, and the same of the channel's activity it scheduled. scheduled is
// when the step being timed was scheduled.
func (w *benchWorld) reportTheWay(b *testing.B) {
	w.mu.Lock()
	ids := slices.Clone(w.declared)
	w.mu.Unlock()
	var firstTask, firstRun, openChannel, openRun []time.Duration
	for _, id := range ids {
		var scheduled, taskStarted, openStarted time.Time
		var openID int64
		iter := w.client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for done := false; !done && iter.HasNext(); {
			e, err := iter.Next()
			if err != nil {
				b.Fatal(err)
			}
			at := e.GetEventTime().AsTime()
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
				scheduled = at
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
				if e.GetEventId() == 3 { // the run's first task
					taskStarted = at
					firstTask = append(firstTask, at.Sub(scheduled))
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "OpenChannel" {
					openID, scheduled = e.GetEventId(), at
					firstRun = append(firstRun, at.Sub(taskStarted))
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
				if openID != 0 && e.GetActivityTaskStartedEventAttributes().GetScheduledEventId() == openID {
					openStarted = at
					openChannel = append(openChannel, at.Sub(scheduled))
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
				if openID != 0 && e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId() == openID {
					openRun = append(openRun, at.Sub(openStarted))
					done = true
				}
			}
		}
	}
	report(b, "first-task-wait", firstTask)
	report(b, "first-task-run", firstRun)
	report(b, "open-channel-wait", openChannel)
	report(b, "open-channel-run", openRun)
}

// liveOut carries a declared incident through the rest of the canonical
// life: a linked customer ticket, 20 reactions on a message, and three status
// changes to its resolution.
func (w *benchWorld) liveOut(b *testing.B, id, title string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	alice := ib.Person{SlackID: w.fake.UserByName("alice"), Name: "alice"}
	ticket := zendeskFake.AddTicket(fakezendeskTicket("Customer sees: " + title))
	if _, err := w.incidents.LinkTickets(ctx, id, alice, []int64{ticket}); err != nil {
		b.Errorf("%s: link a ticket: %v", id, err)
	}
	ch, _ := w.fake.ChannelByName(ib.ChannelName("inc", time.Now(), title, "", 1))
	ts, err := w.fake.PostAs(alice.SlackID, ch.ID, "what we know so far", "")
	if err != nil {
		b.Errorf("%s: post: %v", id, err)
		return
	}
	for i := range 20 {
		e := ib.ChannelEvent{ID: fmt.Sprintf("Ev%s-%d", ts, i), Kind: ib.ReactionAdded, User: fmt.Sprintf("U%07d", i), TS: ts,
			Reaction: "eyes", At: time.Now()}
		if i%4 == 0 {
			e.Reaction, e.Collection = "receipt", ib.Papertrail
		}
		if err := w.incidents.Notify(ctx, id, e); err != nil {
			b.Errorf("%s: reaction: %v", id, err)
		}
	}
	for _, s := range []ib.Status{ib.Identified, ib.Monitoring, ib.Resolved} {
		if _, err := w.incidents.Change(ctx, id, &ib.SetStatus{Status: s, By: alice}); err != nil {
			b.Errorf("%s: %s: %v", id, s, err)
		}
	}
}

// bareWorker runs a workflow that only runs one no-op activity, on a task
// queue of its own, to measure what Temporal alone costs: from the start
// request to the activity running.
type bareWorker struct {
	client client.Client
	seq    int
	mu     sync.Mutex
	ran    map[string]chan time.Time
}

const bareQueue = "bench-bare"

func startBareWorker(b *testing.B, c client.Client) *bareWorker {
	bw := &bareWorker{client: c, ran: map[string]chan time.Time{}}
	w := worker.New(c, bareQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
		return workflow.ExecuteActivity(ctx, "BareActivity").Get(ctx, nil)
	}, workflow.RegisterOptions{Name: "BareWorkflow"})
	w.RegisterActivityWithOptions(func(ctx context.Context) error {
		bw.mu.Lock()
		ch := bw.ran[activity.GetInfo(ctx).WorkflowExecution.ID]
		bw.mu.Unlock()
		if ch != nil {
			ch <- time.Now()
		}
		return nil
	}, activity.RegisterOptions{Name: "BareActivity"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	return bw
}

func (bw *bareWorker) run(b *testing.B) time.Duration {
	bw.mu.Lock()
	bw.seq++
	id := fmt.Sprintf("bench-bare-%d-%d", time.Now().UnixNano(), bw.seq)
	ch := make(chan time.Time, 1)
	bw.ran[id] = ch
	bw.mu.Unlock()
	start := time.Now()
	if _, err := bw.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: id, TaskQueue: bareQueue}, "BareWorkflow"); err != nil {
		b.Fatal(err)
	}
	select {
	case at := <-ch:
		return at.Sub(start)
	case <-time.After(30 * time.Second):
		b.Fatal("the bare workflow's activity did not run")
		return 0
	}
}

// BenchmarkDeclareBurst200 declares 200 incidents at once against the fake's
// real Tier 2 limit on conversations.create (20 a minute). Every incident must
// get its room, exactly 200 channels, no workflow failed, and the time is
// compared with the floor the tier imposes: the first 20 at once, then 20 per
// window. Slack's window is a minute, and the floor of 9 windows 9 minutes;
// the fake's clock runs faster so that a run takes less: 10 times (a window of
// 6 s), and 60 times (1 s), where the backend's second or two to start the
// first incidents weighs six times more against the floor than at 10 and
// sixty times more than against Slack's own. IB_BENCH_BURST_CLOCKS chooses
// others ("1" is Slack's own clock: a run of nine minutes).
//
//	go test ./tests -run XXX -bench DeclareBurst200 -benchtime 1x
func BenchmarkDeclareBurst200(b *testing.B) {
	speeds := []int{10, 60}
	if env := os.Getenv("IB_BENCH_BURST_CLOCKS"); env != "" {
		speeds = nil
		for _, f := range strings.Split(env, ",") {
			speed, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || speed < 1 {
				b.Fatalf("IB_BENCH_BURST_CLOCKS=%q: give how many times faster than Slack's the fake's clock runs, e.g. 1,10,60", env)
			}
			speeds = append(speeds, speed)
		}
	}
	for _, speed := range speeds {
		b.Run(fmt.Sprintf("clock-x%d", speed), func(b *testing.B) { declareBurst(b, speed) })
	}
}

func declareBurst(b *testing.B, speed int) {
	const n, perWindow = 200, 20
	window := time.Minute / time.Duration(speed)
	floor := time.Duration(n/perWindow-1) * window
	for b.Loop() {
		w := newBenchWorld(b, fakeslack.Options{Scale: float64(speed)})
		defer w.close()
		run := time.Now().UnixNano() % 1e6
		titles := make([]string, n)
		ids := make([]string, n)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range n {
			titles[i] = fmt.Sprintf("Burst %d incident %d", run, i)
			wg.Go(func() { ids[i], _ = w.declare(b, titles[i]) })
		}
		wg.Wait()
		var last time.Time
		var createdAt []time.Duration
		for i, title := range titles {
			deadline := start.Add(floor + 2*time.Minute)
			for {
				created, ready, ok := w.opened(title)
				if ok {
					if created.After(last) {
						last = created
					}
					createdAt = append(createdAt, created.Sub(start))
					_ = ready
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("incident %d (%s) has no room 2 minutes after the floor", i, ids[i])
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		took := last.Sub(start)
		channels := 0
		for _, ch := range w.fake.Channels() {
			if strings.Contains(ch.Name, fmt.Sprintf("burst-%d-incident", run)) {
				channels++
			}
		}
		if channels != n {
			b.Errorf("%d channels for %d incidents", channels, n)
		}
		for _, id := range ids {
			desc, err := w.client.DescribeWorkflowExecution(context.Background(), id, "")
			if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				b.Errorf("%s is not running: %v", id, err)
			}
		}
		b.ReportMetric(took.Seconds(), "all-channels-s")
		b.ReportMetric(floor.Seconds(), "tier-floor-s")
		b.ReportMetric(took.Seconds()/floor.Seconds(), "floor-ratio")
		b.ReportMetric(float64(channels), "channels")
		// Calls Slack refused (429) or that failed: each costs its incident a window.
		b.ReportMetric(float64(w.fake.Calls("conversations.create")-channels), "refused-creates")
		// Reads of a channel's history: a retried post reads it only when its
		// earlier try may have posted.
		b.ReportMetric(float64(w.fake.Calls("conversations.history")), "history-reads")
		// The tier's floor counts from the first 20 calls reaching Slack at
		// once; when the backend takes longer to start 20 incidents, a sliding
		// window carries that spread into every later window. Measured from the
		// 20th channel, the floor is what pacing alone can be held to.
		slices.Sort(createdAt)
		first20 := createdAt[perWindow-1]
		b.ReportMetric(first20.Seconds(), "first-20-s")
		b.ReportMetric(took.Seconds()/(first20+floor).Seconds(), "paced-floor-ratio")
	}
}

// BenchmarkOpenIncidents measures the worker's memory with 1,000 open
// incidents: the live heap (after a GC, read through the worker's pprof
// endpoint) and the process's resident set, before and after.
//
//	go test ./tests -run XXX -bench OpenIncidents -benchtime 1x
func BenchmarkOpenIncidents(b *testing.B) {
	const n = 1000
	for b.Loop() {
		w := newBenchWorld(b, fakeslack.Options{NoLimits: true})
		defer w.close()
		run := time.Now().UnixNano() % 1e6
		warm := fmt.Sprintf("Open %d warm-up", run)
		id, _ := w.declare(b, warm)
		w.waitOpened(b, id, warm)
		heap0, rss0 := w.memory(b)
		profiled := w.profile(b, 8*time.Second, "../.data/bench-worker-cpu.pprof")
		sem := make(chan struct{}, 20)
		var wg sync.WaitGroup
		titles := make([]string, n)
		for i := range n {
			titles[i] = fmt.Sprintf("Open %d incident %d", run, i)
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				id, _ := w.declare(b, titles[i])
				w.waitOpened(b, id, titles[i])
			})
		}
		wg.Wait()
		<-profiled
		time.Sleep(2 * time.Second) // let the last workflow tasks settle
		heap1, rss1 := w.memory(b)
		b.ReportMetric(float64(heap1-heap0)/n, "heap-bytes/incident")
		b.ReportMetric(float64(rss1)/(1<<20), "rss-MiB")
		b.ReportMetric(float64(rss1-rss0)/n, "rss-bytes/incident")
	}
}

func (w *benchWorld) waitOpened(b *testing.B, id, title string) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if _, _, ok := w.opened(title); ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	created, ready, announced := w.opened(title)
	var pending []string
	if desc, err := w.client.DescribeWorkflowExecution(context.Background(), id, ""); err == nil {
		for _, a := range desc.GetPendingActivities() {
			pending = append(pending, fmt.Sprintf("%s attempt %d: %s", a.GetActivityType().GetName(), a.GetAttempt(), a.GetLastFailure().GetMessage()))
		}
		pending = append(pending, "status "+desc.GetWorkflowExecutionInfo().GetStatus().String())
	}
	b.Fatalf("%s (%s): no room after a minute (channel %s, ready %s, announced %v; %v)", title, id, created, ready, announced, pending)
}

// profile takes a CPU profile of the worker for d, in the background, into
// file (make bench summarises it in docs/benchmarks.md).
func (w *benchWorld) profile(b *testing.B, d time.Duration, file string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", w.pprof, int(d.Seconds())))
		if err != nil {
			b.Log("no CPU profile:", err)
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil {
			_ = os.MkdirAll(filepath.Dir(file), 0o755)
			err = os.WriteFile(file, data, 0o644)
		}
		if err != nil {
			b.Log("no CPU profile:", err)
		}
	}()
	return done
}

// memory reads the worker's live heap after a GC (pprof's heap profile with
// its MemStats) and its resident set size.
func (w *benchWorld) memory(b *testing.B) (heap, rss int64) {
	resp, err := http.Get("http://" + w.pprof + "/debug/pprof/heap?debug=1&gc=1")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "# HeapAlloc = "); ok {
			heap, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.worker.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			rss = kb << 10
		}
	}
	return heap, rss
}

// BenchmarkCanonicalHistory runs the canonical incident — declare, channel,
// invites, announcement, a linked ticket, 20 messages marked 🧾, 3 status
// changes, resolve — and reports its workflow history: events, and the
// largest payload an event carries; and the Temporal backend's CPU per
// incident (the dev server, or the server and PostgreSQL), less what it
// spends idle over the same time.
//
//	go test ./tests -run XXX -bench CanonicalHistory -benchtime 1x
func BenchmarkCanonicalHistory(b *testing.B) {
	backend := []string{"temporal", "temporal-server", "postgres"}
	cpu := func() (sum float64) {
		for _, s := range cpuByCommand(backend...) {
			sum += s
		}
		return sum
	}
	var busy, took float64
	events, largest, kinds := 0, 0, map[enumspb.EventType]int{}
	for b.Loop() {
		from, cpu0 := time.Now(), cpu()
		ctx := context.Background()
		alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
		res, err := withZendesk(0).Declare(ctx, ib.Declaration{Title: fmt.Sprintf("Canonical %d", time.Now().UnixNano()), Severity: ib.S2, Declarer: alice})
		if err != nil {
			b.Fatal(err)
		}
		id := res.ID
		var inc ib.Incident
		for inc.Channel.HeaderTS == "" || inc.Tickets.ProblemID == 0 {
			time.Sleep(20 * time.Millisecond)
			inc, _ = incidents.Get(ctx, id)
		}
		ticket := zendeskFake.AddTicket(fakezendeskTicket("Cannot create clusters"))
		if _, err := incidents.LinkTickets(ctx, id, alice, []int64{ticket}); err != nil {
			b.Fatal(err)
		}
		for i := range 20 {
			ts, _ := fake.PostAs(alice.SlackID, inc.Channel.ID, fmt.Sprintf("finding %d", i), "")
			_ = fake.ReactAs(alice.SlackID, inc.Channel.ID, ts, "receipt")
		}
		for inc.Evidence == nil || len(inc.Evidence) < 20 || slices.ContainsFunc(inc.Evidence, func(e ib.Evidence) bool { return !e.Fetched }) {
			time.Sleep(50 * time.Millisecond)
			inc, _ = incidents.Get(ctx, id)
		}
		for _, s := range []ib.Status{ib.Identified, ib.Monitoring, ib.Resolved} {
			if _, err := incidents.Change(ctx, id, &ib.SetStatus{Status: s, By: alice}); err != nil {
				b.Fatal(err)
			}
		}
		time.Sleep(2 * time.Second) // the resolution's notes and announcement
		busy, took = busy+cpu()-cpu0, took+time.Since(from).Seconds()
		// Every run counts: its first steps and the rest of its life. What
		// the events are: people's channel events (signals), the workflow
		// tasks that take them and everything else in, quick calls (markers)
		// and activities.
		iter := tclient.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			e, err := iter.Next()
			if err != nil {
				b.Fatal(err)
			}
			largest = max(largest, proto.Size(e))
			kinds[e.EventType]++
			events++
		}
	}
	per := func(n int) float64 { return float64(n) / float64(b.N) }
	b.ReportMetric(per(events), "history-events")
	b.ReportMetric(per(kinds[enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]), "signals")
	b.ReportMetric(per(kinds[enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]), "workflow-tasks")
	b.ReportMetric(per(kinds[enumspb.EVENT_TYPE_MARKER_RECORDED]), "markers")
	b.ReportMetric(per(kinds[enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]), "activities")
	b.ReportMetric(float64(largest)/1024, "largest-event-KiB")
	// Less what the backend spends over the same time with nothing to do
	// (its own timers and queues, the incidents' long polls).
	idleFrom, idle0 := time.Now(), cpu()
	time.Sleep(5 * time.Second)
	idle := (cpu() - idle0) / time.Since(idleFrom).Seconds()
	b.ReportMetric((busy-idle*took)/float64(b.N), "backend-cpu-s/incident")
}

func report(b *testing.B, name string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(ms(percentile(ds, 0.50)), name+"-p50-ms")
	b.ReportMetric(ms(percentile(ds, 0.99)), name+"-p99-ms")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return percentile(s, 0.5)
}

// BenchmarkQuietIncident measures what an active S1 costs while nobody
// touches it: the history events each of its own steps adds (the status
// page nudge; the look for customer tickets), with their intervals shortened,
// and from those the events an hour at the defaults (a nudge every 30
// minutes, a look every 10). It also counts the timers left running: one at a
// time, cancelled when no longer needed.
//
//	go test ./tests -run XXX -bench QuietIncident -benchtime 1x
func BenchmarkQuietIncident(b *testing.B) {
	for b.Loop() {
		perNudge, leftA := quietCost(b, ib.Settings{StatusPageReminder: 2 * time.Second}, "status page")
		perLook, leftB := quietCost(b, ib.Settings{ProblemTickets: []ib.Severity{ib.S1}, SuggestTickets: 2 * time.Second}, "ticket search")
		b.ReportMetric(perNudge, "events/status-page-nudge")
		b.ReportMetric(perLook, "events/ticket-search")
		b.ReportMetric(2*perNudge+6*perLook, "events/quiet-hour")
		b.ReportMetric(float64(max(leftA, leftB)), "timers-running")
	}
}

// quietCost declares an S1 with settings, lets it sit quiet for 10 of its
// intervals, and returns the history events each interval added, and how
// many timers were left running at the end.
func quietCost(b *testing.B, s ib.Settings, what string) (float64, int) {
	ctx := context.Background()
	svc := &ibtemporal.Incidents{Client: tclient, Settings: s}
	res, err := svc.Declare(ctx, ib.Declaration{Title: fmt.Sprintf("Quiet %s %d", what, time.Now().UnixNano()), Severity: ib.S1})
	if err != nil {
		b.Fatal(err)
	}
	settled(b, tclient, res.ID)
	every := max(s.StatusPageReminder, s.SuggestTickets)
	start := historyEvents(b, res.ID)
	time.Sleep(10 * every) // the quiet time itself is what is measured
	settled(b, tclient, res.ID)
	added := historyEvents(b, res.ID) - start
	timers := 0
	iter := tclient.GetWorkflowHistory(ctx, res.ID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			b.Fatal(err)
		}
		switch e.EventType {
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			timers++
		case enumspb.EVENT_TYPE_TIMER_FIRED, enumspb.EVENT_TYPE_TIMER_CANCELED:
			timers--
		}
	}
	_, _ = svc.Change(ctx, res.ID, &ib.Resolve{By: ib.Person{Name: "bench"}})
	return float64(added) / 10, timers
}
