// Package tests holds Incident Buddy's integration, end-to-end and replay tests.
// They run against a real Temporal dev server (bin/temporal, started here on a
// free loopback port), the real worker code, and the stateful fake Slack over
// real HTTP.
package tests

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/integrations/documents"
	"github.com/incident-buddy/ib/integrations/pagerduty"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/integrations/statuspage"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/integrations/zendesk"
	"github.com/incident-buddy/ib/oncall"
	"github.com/incident-buddy/ib/tests/fakepagerduty"
	"github.com/incident-buddy/ib/tests/fakeslack"
	"github.com/incident-buddy/ib/tests/fakestatuspage"
	"github.com/incident-buddy/ib/tests/fakezendesk"
	"github.com/incident-buddy/ib/tests/pgtemporal"
	"github.com/incident-buddy/ib/workflows"
)

// isolatedNamespace is for tests that run their own worker processes, so that
// the package's in-process worker does not take their tasks.
const isolatedNamespace = "ib-isolated"

// Shared by the package's tests, which run one at a time.
var (
	// devServer is the Temporal the tests run on: the CLI's dev server, or
	// with IB_TEST_TEMPORAL=postgres a real server on PostgreSQL.
	devServer interface{ FrontendHostPort() string }
	pgServer  *pgtemporal.Server // the real server, when the tests run on one
	fake      *fakeslack.Server
	fakeBase  string // the fake's base URL
	fakeURL   string // the fake's SLACK_API_URL

	pagerDuty       *fakepagerduty.Server
	pagerDutyURL    string
	statusPage      *fakestatuspage.Server
	statusPageURL   string
	testCatalog     *oncall.Catalog
	testCatalogYAML string
	tclient         client.Client
	incidents       *ibtemporal.Incidents
	documentsDir    string // where the worker writes postmortem drafts
	zendeskFake     *fakezendesk.Server
	zendeskURL      string
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	temporalCLI, err := filepath.Abs("../bin/temporal")
	if err == nil {
		_, err = os.Stat(temporalCLI)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tests need the Temporal CLI at bin/temporal: run `make test` (it builds it): %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*patience)
	defer cancel()
	stop, err := startTemporal(ctx, temporalCLI)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start Temporal:", err)
		return 1
	}
	defer stop()

	if documentsDir, err = os.MkdirTemp("", "ib-documents-"); err != nil {
		fmt.Fprintln(os.Stderr, "documents directory:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(documentsDir) }()

	fake = fakeslack.New(fakeslack.Options{Scale: fakeSlackSpeed})
	var err2 error
	if testCatalog, err2 = newTestCatalog(); err2 != nil {
		fmt.Fprintln(os.Stderr, "test catalog:", err2)
		return 1
	}
	slackServer := httptest.NewServer(fake)
	defer slackServer.Close()
	fakeBase = slackServer.URL
	fakeURL = fakeBase + "/api/"
	pagerDuty = fakepagerduty.New()
	pagerDutyServer := httptest.NewServer(pagerDuty)
	defer pagerDutyServer.Close()
	pagerDutyURL = pagerDutyServer.URL + "/v2/enqueue"
	zendeskFake = fakezendesk.New("bot@example.com", "zd-token", 60)
	zendeskServer := httptest.NewServer(zendeskFake)
	defer zendeskServer.Close()
	zendeskURL = zendeskServer.URL
	statusPage = fakestatuspage.New("page1", "sp-key", 60)
	statusPageServer := httptest.NewServer(statusPage)
	defer statusPageServer.Close()
	statusPageURL = statusPageServer.URL + "/v1"

	w := worker.New(tclient, workflows.TaskQueue, inProcessWorker())
	workflows.Register(w, newActivities(fakeURL))
	if err := w.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start the worker:", err)
		return 1
	}
	defer w.Stop()

	incidents = &ibtemporal.Incidents{Client: tclient}

	// Everything people do in the fake reaches a gateway as Slack's events.
	events := eventsGateway()
	defer events.Close()
	fake.DeliverEventsTo(events.URL+"/slack/events", signingSecret)
	code := m.Run()
	if code != 0 && pgServer != nil {
		fmt.Fprintf(os.Stderr, "the Temporal server's last complaints:\n%s\n", pgServer.Complaints(40))
	}
	return code
}

// startTemporal starts the Temporal the tests run on, and dials tclient.
func startTemporal(ctx context.Context, temporalCLI string) (stop func(), err error) {
	if os.Getenv("IB_TEST_TEMPORAL") == "postgres" {
		return startPostgresTemporal(ctx)
	}
	// `make bench` also measures with the dev server's SQLite persistence.
	dbFile, dbDir := "", ""
	if os.Getenv("IB_BENCH_DB") == "sqlite" {
		if dbDir, err = os.MkdirTemp("", "ib-bench-db-"); err != nil {
			return nil, err
		}
		dbFile = filepath.Join(dbDir, "temporal.db")
	}
	dev, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		DBFilename:       dbFile,
		ExistingPath:     temporalCLI,
		ClientOptions:    &client.Options{Logger: quietLogger()},
		LogLevel:         "error",
		SearchAttributes: allSearchAttributes(),
		ExtraArgs: []string{
			"--namespace", isolatedNamespace,
			"--dynamic-config-value", "system.enableActivityEagerExecution=true",
		},
		Stdout: os.Stderr,
		Stderr: os.Stderr,
	})
	if err != nil {
		_ = os.RemoveAll(dbDir)
		return nil, fmt.Errorf("the dev server: %w", err)
	}
	devServer, tclient = dev, dev.Client()
	return func() { _ = dev.Stop(); _ = os.RemoveAll(dbDir) }, nil
}

// startPostgresTemporal starts a real Temporal server on PostgreSQL
// (IB_TEST_TEMPORAL=postgres), its namespaces with the incidents' search
// attributes.
func startPostgresTemporal(ctx context.Context) (func(), error) {
	dir, err := os.MkdirTemp("", "ib-pg-temporal-")
	if err != nil {
		return nil, err
	}
	bin, _ := filepath.Abs("../bin")
	server, err := pgtemporal.Start(ctx, pgtemporal.Options{Dir: dir, Bin: bin, Schemas: os.Getenv("IB_TEMPORAL_SCHEMAS"),
		Namespaces: []string{"default", isolatedNamespace}, Fast: true, Logger: quietLogger(),
		DynamicConfig: map[string]any{"system.enableActivityEagerExecution": true}})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	stop := func() { _ = server.Stop(); _ = os.RemoveAll(dir) }
	for _, ns := range []string{"default", isolatedNamespace} {
		c, err := client.Dial(client.Options{HostPort: server.FrontendHostPort(), Namespace: ns, Logger: quietLogger()})
		if err == nil {
			if _, err = ibtemporal.EnsureSearchAttributes(ctx, c, ns); err == nil {
				err = ibtemporal.AwaitSearchAttributes(ctx, c, ns, patience)
			}
			c.Close()
		}
		if err != nil {
			stop()
			return nil, err
		}
	}
	if tclient, err = client.Dial(client.Options{HostPort: server.FrontendHostPort(), Logger: quietLogger()}); err != nil {
		stop()
		return nil, err
	}
	devServer, pgServer = server, server
	return func() { tclient.Close(); stop() }, nil
}

// fakeSlackSpeed is how much faster than Slack's the fake's clock runs (its
// rate limits per second instead of per minute); workers pace their calls to
// match (IB_SLACK_PACE).
const fakeSlackSpeed = 60

func newActivities(slackURL string) *activities.Activities {
	zendeskClient, err := zendesk.New(zendeskURL, "bot@example.com", "zd-token", nil)
	if err != nil {
		panic(err)
	}
	return &activities.Activities{
		Slack:      slack.NewClient("xoxb-fake", slackURL, &http.Client{Timeout: 30 * time.Second, Transport: slack.Paced(nil, slack.Pacing{Speed: fakeSlackSpeed, Caller: activities.Caller})}),
		StatusPage: &statuspage.Client{BaseURL: statusPageURL, PageID: "page1", APIKey: "sp-key", Components: []string{"cmp-api"}},
		Catalog:    oncall.NewLiveCatalog(testCatalog),
		Pager:      &pagerduty.Client{URL: pagerDutyURL},
		Settings:   activities.Settings{ChannelPrefix: "inc", IncidentsChannel: "incidents", FollowUpRotation: "cre"},
		Documents:  documents.Files{Dir: documentsDir},
		Zendesk:    zendeskClient,
		Log:        zap.NewNop(),
	}
}

// newTestCatalog is a catalog of the fake's people: two rotations of five,
// one named by e-mail (looked up in Slack), one by Slack ID, and customer
// reliability paged on S1. Its dates are chosen from now, so that the tests
// mean the same on any day at any hour: every rotation handed over a day ago
// (nobody's turn ends while the tests run), and the night rotation's zone
// puts its people at about 03:00.
func newTestCatalog() (*oncall.Catalog, error) {
	var ids []string
	for _, name := range []string{"dan", "eve", "fay", "gus", "hal", "ivy", "joe", "kim", "lea", "max", "nia", "oli", "pia"} {
		ids = append(ids, fake.AddUser(fakeslack.User{Name: name, Email: name + "@example.com"}))
	}
	carol := fake.UserByName("carol")
	now := time.Now()
	night := zoneAtThreeAM(now)
	// Payments and customer reliability (paged on every S1) work around the
	// clock, so that the tests' pages never fall off-hours, whatever the hour
	// or the weekday; the night rotation's pages always do.
	testCatalogYAML = fmt.Sprintf(`
teams: [{name: payments}, {name: cre}, {name: data, manager: %s}]
services:
  - {name: checkout, team: payments, rotation: payments, aliases: [checkout-api], dashboards: ["https://grafana.example/d/checkout"], runbooks: ["https://wiki.example/runbooks/checkout"]}
  - {name: batch-jobs, team: data, rotation: night}
  - {name: core-api, team: payments, rotation: payments, aliases: [core api], runbooks: ["https://wiki.example/runbooks/core-api"], alerts: {match: [{job: core-api}]}}
rotations:
  - {name: payments, members: [alice@example.com, bob@example.com, dan@example.com, eve@example.com, fay@example.com], %s, time_zone: Europe/Berlin, pagerduty_routing_key: R0UT1NGKEY0000000000000000PAYMNT,
     working_hours: "00:00-24:00", working_days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]}
  - {name: cre, members: [%s, %s, %s, %s, %s], %s, time_zone: UTC,
     working_hours: "00:00-24:00", working_days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]}
  - {name: night, members: [%s, %s, %s, %s, %s], %s, time_zone: %s}
always_paged: {S1: [cre]}
off_hours: {recovery: half a day off, notify_manager: true}
`, ids[12], handedOverADayAgo(now, "Europe/Berlin"), carol, ids[3], ids[4], ids[5], ids[6], handedOverADayAgo(now, "UTC"),
		ids[7], ids[8], ids[9], ids[10], ids[11], handedOverADayAgo(now, night), night)
	c, err := oncall.ParseCatalog([]byte(testCatalogYAML))
	if err != nil {
		return nil, err
	}
	if errs := c.Check(now, 3); len(errs) > 0 {
		return nil, errs[0]
	}
	return c, nil
}

// handedOverADayAgo is a rotation's weekly hand-off and start, in its zone,
// such that the last hand-off was a day before now and the next is six days
// after it.
func handedOverADayAgo(now time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	last := now.In(loc).Add(-24 * time.Hour)
	return fmt.Sprintf("handoff: {weekday: %s, hour: %d}, start: %s", strings.ToLower(last.Weekday().String()), last.Hour(),
		last.AddDate(0, -2, 0).Format(time.DateOnly))
}

// zoneAtThreeAM is a fixed-offset zone (Etc/GMT±N) where it is 03:00–03:59 at now.
func zoneAtThreeAM(now time.Time) string {
	offset := 3 - now.UTC().Hour() // hours ahead of UTC
	if offset < -12 {
		offset += 24
	}
	switch {
	case offset > 0:
		return fmt.Sprintf("Etc/GMT-%d", offset) // POSIX names count the other way
	case offset < 0:
		return fmt.Sprintf("Etc/GMT+%d", -offset)
	}
	return "Etc/GMT"
}

// allSearchAttributes are every search attribute incidents use, for the dev
// servers the tests start.
func allSearchAttributes() temporal.SearchAttributes {
	var all []temporal.SearchAttributeUpdate
	for _, key := range workflows.SearchAttributeKeys {
		switch k := key.(type) {
		case temporal.SearchAttributeKeyKeyword:
			all = append(all, k.ValueSet(""))
		case temporal.SearchAttributeKeyKeywordList:
			all = append(all, k.ValueSet(nil))
		case temporal.SearchAttributeKeyInt64:
			all = append(all, k.ValueSet(0))
		case temporal.SearchAttributeKeyString:
			all = append(all, k.ValueSet(""))
		default:
			panic(fmt.Sprintf("search attribute %s of an unexpected type", key.GetName()))
		}
	}
	return temporal.NewSearchAttributes(all...)
}

func quietLogger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
}

// Deadlines of the tests' waits and calls, sized for a slow, shared machine
// (a second build and test run beside this one, the race detector): a wait
// ends as soon as its condition holds, so a generous deadline costs nothing
// when all is well.
const (
	patience    = time.Minute      // how long a condition may take to hold
	callTimeout = 30 * time.Second // one call to Temporal
)

// inProcessWorker is the options of the workers the tests run inside their
// own process, built with the race detector. The SDK fails a workflow task
// whose code runs a second without yielding, as a guard against workflow code
// that blocks; the race detector makes workflow code several times slower,
// and on a shared machine a replay after a restart (the whole history at
// once, while the server and the other tests start) crossed that second. A
// task failed again after its first attempt is tried only after its timeout
// (10 s, and then the server's growing backoff), which outlasted the test's
// patience. The guard stays, at the same margin over the code's real cost.
func inProcessWorker() worker.Options {
	return worker.Options{DeadlockDetectionTimeout: 10 * time.Second, Interceptors: []interceptor.WorkerInterceptor{&activities.Heartbeats{}}}
}

// incidentOf is the incident whose channel ch is, as its purpose names it
// (activities.ChannelPurpose); "" for a channel of none.
func incidentOf(ch fakeslack.Channel) string {
	before, after, _ := strings.Cut(activities.ChannelPurpose("\x00"), "\x00")
	if !strings.HasPrefix(ch.Purpose, before) || !strings.HasSuffix(ch.Purpose, after) {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(ch.Purpose, before), after)
}

// waitFor polls until cond holds, for at most patience.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, patience, 20*time.Millisecond, "waited for: %s", what)
}

// settled waits until an incident's workflow has taken in everything sent to
// it so far and has no activity under way: its next step waits on a timer or
// on new input. A test that asserts something happened exactly once asserts
// after this, when a duplicate would already have happened.
func settled(t testing.TB, c client.Client, id string) {
	t.Helper()
	waitFor(t, id+" settles", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return false
		}
		return d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING ||
			d.GetPendingWorkflowTask() == nil && len(d.GetPendingActivities()) == 0
	})
}

// whereItWaits logs what an incident's workflow is waiting on, for a test
// that failed waiting for it: its pending work and its last events.
func whereItWaits(t testing.TB, c client.Client, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Logf("%s: %v", id, err)
		return
	}
	t.Logf("%s: %s, pending workflow task %v", id, d.GetWorkflowExecutionInfo().GetStatus(), d.GetPendingWorkflowTask())
	for _, a := range d.GetPendingActivities() {
		t.Logf("pending %s: %s, attempt %d, last failure %v", a.GetActivityType().GetName(), a.GetState(), a.GetAttempt(), a.GetLastFailure().GetMessage())
	}
	var events []string
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			break
		}
		what := e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() + e.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration().String()
		if f := e.GetActivityTaskFailedEventAttributes().GetFailure(); f != nil {
			what += f.GetMessage()
		}
		if f := e.GetWorkflowTaskFailedEventAttributes(); f != nil {
			what += f.GetCause().String() + " " + f.GetFailure().GetMessage()
		}
		events = append(events, fmt.Sprintf("%d %s %s %s", e.GetEventId(), e.GetEventTime().AsTime().Format("15:04:05.000"), e.GetEventType(), what))
	}
	t.Logf("last events:\n%s", strings.Join(events[max(0, len(events)-60):], "\n"))
}

// declare declares an incident and returns its ID.
func declare(t *testing.T, d ib.Declaration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := incidents.Declare(ctx, d)
	require.NoError(t, err)
	return res.ID
}

// change applies a change through the workflow's Update.
func change(t *testing.T, id string, c ib.Change) (ib.Changed, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return incidents.Change(ctx, id, c)
}

// state queries an incident.
func state(t *testing.T, id string) ib.Incident {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	inc, err := incidents.Get(ctx, id)
	require.NoError(t, err)
	return inc
}

// roomReady waits until the incident's channel has its header and returns the
// incident's state.
func roomReady(t *testing.T, id string) ib.Incident {
	t.Helper()
	var inc ib.Incident
	waitFor(t, id+" has its channel and header", func() bool {
		inc = state(t, id)
		return inc.Channel.HeaderTS != ""
	})
	return inc
}

// closeResolved records a resolved incident's review, closes it, and returns
// its workflow's result.
func closeResolved(t *testing.T, id string) ib.Incident {
	t.Helper()
	waitFor(t, id+" resolved", func() bool { return state(t, id).Status == ib.Resolved })
	for _, c := range []ib.Change{&ib.RecordReview{By: ib.Person{Name: "test"}}, &ib.Close{By: ib.Person{Name: "test"}}} {
		_, err := change(t, id, c)
		require.NoError(t, err, "%s", ib.VerbOf(c).Name)
	}
	return waitClosed(t, id)
}

// waitClosed waits for the incident's workflow to finish and returns its result.
func waitClosed(t *testing.T, id string) ib.Incident {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	var inc ib.Incident
	if err := tclient.GetWorkflow(ctx, id, "").Get(ctx, &inc); err != nil {
		whereItWaits(t, tclient, id)
		require.NoError(t, err, "the incident's workflow ends")
	}
	return inc
}

// channelsNamed lists the fake's channels whose name starts with prefix.
func channelsNamed(prefix string) []fakeslack.Channel {
	var out []fakeslack.Channel
	for _, ch := range fake.Channels() {
		if strings.HasPrefix(ch.Name, prefix) {
			out = append(out, ch)
		}
	}
	return out
}

// messagesAbout lists the messages in a channel whose text mentions s.
func messagesAbout(channel, s string) []fakeslack.Message {
	ch, _ := fake.ChannelByName(channel)
	var out []fakeslack.Message
	for _, m := range ch.Messages {
		if strings.Contains(m.Text, s) {
			out = append(out, m)
		}
	}
	return out
}

// today is now, for a test that names what a declaration made in a moment
// will be called: incident IDs and channel names carry the UTC date, so near
// the end of a UTC day it waits for the next one.
func today(t testing.TB) time.Time {
	t.Helper()
	waitFor(t, "a UTC day with half a minute left", func() bool {
		now := time.Now().UTC()
		return now.Add(30*time.Second).Day() == now.Day()
	})
	return time.Now()
}

// channelPrefix is the start of the channel name for a title declared today.
func channelPrefix(t testing.TB, title string) string {
	return channelOf(title, today(t))
}

// channelOf is the channel name of a title declared at a time.
func channelOf(title string, at time.Time) string {
	return ib.ChannelName("inc", at, title, "INC-00000000-0000", 1)
}
