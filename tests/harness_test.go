// Package tests holds Incident Buddy's integration, end-to-end and replay tests.
// They run against a real Temporal dev server (bin/temporal, started here on a
// free loopback port), the real worker code, and the stateful fake Slack over
// real HTTP.
package tests

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
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
	"github.com/incident-buddy/ib/tests/fakepagerduty"
	"github.com/incident-buddy/ib/tests/fakeslack"
	"github.com/incident-buddy/ib/tests/fakestatuspage"
	"github.com/incident-buddy/ib/tests/fakezendesk"
	"github.com/incident-buddy/ib/workflows"
)

// isolatedNamespace is for tests that run their own worker processes, so that
// the package's in-process worker does not take their tasks.
const isolatedNamespace = "ib-isolated"

// Shared by the package's tests, which run one at a time.
var (
	devServer *testsuite.DevServer
	fake      *fakeslack.Server
	fakeBase  string // the fake's base URL
	fakeURL   string // the fake's SLACK_API_URL

	pagerDuty       *fakepagerduty.Server
	pagerDutyURL    string
	statusPage      *fakestatuspage.Server
	statusPageURL   string
	testCatalog     *ib.Catalog
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// `make bench` also measures with the dev server's SQLite persistence.
	dbFile := ""
	if os.Getenv("IB_BENCH_DB") == "sqlite" {
		dir, err := os.MkdirTemp("", "ib-bench-db-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() { _ = os.RemoveAll(dir) }()
		dbFile = filepath.Join(dir, "temporal.db")
	}
	devServer, err = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		DBFilename:       dbFile,
		ExistingPath:     temporalCLI,
		ClientOptions:    &client.Options{Logger: quietLogger()},
		LogLevel:         "error",
		SearchAttributes: workflows.AllSearchAttributes(),
		ExtraArgs: []string{
			"--namespace", isolatedNamespace,
			"--dynamic-config-value", "system.enableActivityEagerExecution=true",
		},
		Stdout: os.Stderr,
		Stderr: os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the Temporal dev server:", err)
		return 1
	}
	defer func() { _ = devServer.Stop() }()
	tclient = devServer.Client()

	if documentsDir, err = os.MkdirTemp("", "ib-documents-"); err != nil {
		fmt.Fprintln(os.Stderr, "documents directory:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(documentsDir) }()

	fake = fakeslack.New(fakeslack.Options{Scale: 60})
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

	w := worker.New(tclient, workflows.TaskQueue, worker.Options{})
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
	return m.Run()
}

func newActivities(slackURL string) *activities.Activities {
	zendeskClient, err := zendesk.New(zendeskURL, "bot@example.com", "zd-token")
	if err != nil {
		panic(err)
	}
	return &activities.Activities{
		Slack:      slack.NewClient("xoxb-fake", slackURL, nil),
		StatusPage: &statuspage.Client{BaseURL: statusPageURL, PageID: "page1", APIKey: "sp-key", Components: []string{"cmp-api"}},
		Catalog:    ib.NewLiveCatalog(testCatalog),
		Pager:      &pagerduty.Client{URL: pagerDutyURL},
		Settings:   activities.Settings{ChannelPrefix: "inc", IncidentsChannel: "incidents", FollowUpRotation: "cre"},
		Documents:  documents.Files{Dir: documentsDir},
		Zendesk:    zendeskClient,
		Log:        zap.NewNop(),
	}
}

// newTestCatalog is a catalog of the fake's people: two rotations of five,
// one named by e-mail (looked up in Slack), one by Slack ID, and customer
// reliability paged on S1.
func newTestCatalog() (*ib.Catalog, error) {
	var ids []string
	for _, name := range []string{"dan", "eve", "fay", "gus", "hal", "ivy", "joe", "kim", "lea", "max", "nia", "oli", "pia"} {
		ids = append(ids, fake.AddUser(fakeslack.User{Name: name, Email: name + "@example.com"}))
	}
	carol := fake.UserByName("carol")
	// Payments works around the clock, so that the tests' pages never fall
	// off-hours; the night rotation's zone is chosen so that it is about
	// 03:00 there now, so that its pages always do.
	testCatalogYAML = fmt.Sprintf(`
teams: [{name: payments}, {name: cre}, {name: data, manager: %s}]
services:
  - {name: checkout, team: payments, rotation: payments, aliases: [checkout-api]}
  - {name: batch-jobs, team: data, rotation: night}
rotations:
  - {name: payments, members: [alice@example.com, bob@example.com, dan@example.com, eve@example.com, fay@example.com], handoff: {weekday: monday, hour: 9}, time_zone: Europe/Berlin, start: 2026-01-05, pagerduty_routing_key: R0UT1NGKEY0000000000000000PAYMNT,
     working_hours: "00:00-24:00", working_days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]}
  - {name: cre, members: [%s, %s, %s, %s, %s], handoff: {weekday: wednesday, hour: 9}, time_zone: UTC, start: 2026-01-07}
  - {name: night, members: [%s, %s, %s, %s, %s], handoff: {weekday: wednesday, hour: 9}, time_zone: %s, start: 2026-01-07}
always_paged: {S1: [cre]}
off_hours: {recovery: half a day off, notify_manager: true}
`, ids[12], carol, ids[3], ids[4], ids[5], ids[6], ids[7], ids[8], ids[9], ids[10], ids[11], zoneAtThreeAM(time.Now()))
	c, err := ib.ParseCatalog([]byte(testCatalogYAML))
	if err != nil {
		return nil, err
	}
	if errs := c.Check(time.Now(), 3); len(errs) > 0 {
		return nil, errs[0]
	}
	return c, nil
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

func quietLogger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
}

// waitFor polls until cond holds, for at most 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 20*time.Second, 20*time.Millisecond, "waited for: %s", what)
}

// declare declares an incident and returns its ID.
func declare(t *testing.T, d ib.Declaration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := incidents.Declare(ctx, d)
	require.NoError(t, err)
	return res.ID
}

// change applies a change through the workflow's Update.
func change(t *testing.T, id string, c ib.Change) (ib.Summary, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return incidents.Change(ctx, id, c)
}

// state queries an incident.
func state(t *testing.T, id string) ib.Incident {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
	for _, kind := range []ib.ChangeKind{ib.ChangeReview, ib.ChangeClose} {
		_, err := change(t, id, ib.Change{Kind: kind, By: ib.Person{Name: "test"}})
		require.NoError(t, err, "%s", kind)
	}
	return waitClosed(t, id)
}

// waitClosed waits for the incident's workflow to finish and returns its result.
func waitClosed(t *testing.T, id string) ib.Incident {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var inc ib.Incident
	require.NoError(t, tclient.GetWorkflow(ctx, id, "").Get(ctx, &inc))
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

// channelPrefix is the start of the channel name for a title declared today.
func channelPrefix(title string) string {
	return ib.ChannelName("inc", time.Now(), title, "INC-00000000-0000", 1)
}
