package tests

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// chaosIncidents is how many incidents the chaos run carries through their
// whole life: a short run in the test command, IB_CHAOS_INCIDENTS more with
// `make chaos`.
func chaosIncidents() int {
	if n, err := strconv.Atoi(os.Getenv("IB_CHAOS_INCIDENTS")); err == nil && n > 0 {
		return n
	}
	return 6
}

// TestChaos carries a steady stream of incidents through their whole life
// (declare, channel, invites, announcement, problem ticket, a collected
// message with three reactions delivered twice each, status changes, resolve,
// a timed postmortem stage, review, close) while the real worker process is
// killed with SIGKILL and restarted, Temporal is paused and then cut off, the
// fake Slack answers 429s, 5xx bursts and drops replies, and the fake Zendesk
// loses a create's reply and answers 429s. Afterwards every incident is
// complete, with exactly one channel, header, announcement and problem
// ticket, every reaction collected once and confirmed once, and its
// postmortem stage begun once by its timer. On a real server
// (IB_TEST_TEMPORAL=postgres), two workers and two gateway processes run, and
// people declare and react through the gateways (each event delivered to
// both, as Slack's retries may be), which run workers of their own
// (IB_GATEWAY_WORKER); one worker and one gateway are killed with
// SIGKILL and started again, the Temporal server process is killed and
// restarted, and PostgreSQL is restarted, mid-load.
func TestChaos(t *testing.T) {
	n := chaosIncidents()
	temporal := startProxy(t, devServer.FrontendHostPort())
	c, err := client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Namespace: isolatedNamespace, Logger: quietLogger()})
	require.NoError(t, err)
	defer c.Close()
	svc := &ibtemporal.Incidents{Client: c, Settings: ib.Settings{
		ProblemTickets: []ib.Severity{ib.S2},
		Postmortem:     ib.PostmortemPolicy{Start: "3s"},
	}}
	workerEnv := []string{"TEMPORAL_ADDRESS=" + temporal.addr(), "ZENDESK_URL=" + zendeskURL,
		"ZENDESK_EMAIL=bot@example.com", "ZENDESK_API_TOKEN=zd-token"}
	// The gateways declare with the same settings as svc.
	gatewayEnv := slices.Concat(workerEnv[1:], []string{"IB_PROBLEM_TICKETS=S2", "IB_POSTMORTEM_START=3s", "IB_TICKET_SUGGESTIONS=0"})
	worker := startWorker(t, workerEnv...)
	front := &chaosFront{svc: svc}
	if pgServer != nil {
		// On a real deployment two workers and two gateways run side by side:
		// the ones killed below leave the others working. People reach the
		// incidents through the gateways, taking turns as a load balancer
		// would, and Slack delivers each event to both. The gateways run
		// workers of their own, as the compose file has them, so the incidents
		// they declare start in them and die with the one killed.
		gatewayEnv = append(gatewayEnv, "IB_GATEWAY_WORKER=true")
		startWorker(t, workerEnv...)
		for range 2 {
			front.gateways = append(front.gateways, startGatewayProcess(t, freeAddr(t), temporal.addr(), gatewayEnv...))
		}
	}

	run := fmt.Sprintf("%d", time.Now().UnixNano()%100000)
	people := []string{fake.UserByName("alice"), fake.UserByName("bob"), fake.UserByName("carol")}
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = chaosLife(t, front, fmt.Sprintf("Chaos %s incident %d", run, i), people)
		}()
		time.Sleep(700 * time.Millisecond) // a steady stream, not a burst
		switch i {
		case n / 3: // the worker crashes while Slack and Zendesk misbehave
			worker.kill()
			fake.Inject("chat.postMessage", fakeslack.Fault{Status: 429, RetryAfter: 1}, fakeslack.Fault{Status: 503}, fakeslack.Fault{DropReply: true})
			fake.Inject("conversations.create", fakeslack.Fault{DropReply: true}, fakeslack.Fault{Status: 500})
			fake.Inject("conversations.invite", fakeslack.Fault{Status: 429, RetryAfter: 1})
			fake.Inject("reactions.add", fakeslack.Fault{Status: 502}, fakeslack.Fault{DropReply: true})
			zendeskFake.DropNextReply("POST /tickets.json", 1)
			zendeskFake.RefuseNext(2)
			if len(front.gateways) > 0 { // a gateway crashes too
				front.gateways[0].kill()
			}
			time.Sleep(time.Second)
			worker = startWorker(t, workerEnv...) // as its supervisor would
			if len(front.gateways) > 0 {
				front.gateways[0] = startGatewayProcess(t, strings.TrimPrefix(front.gateways[0].url, "http://"), temporal.addr(), gatewayEnv...)
			}
		case n / 2: // Temporal stops answering the worker, then comes back
			temporal.set("paused")
			time.Sleep(3 * time.Second)
			temporal.set("up")
		case 2 * n / 3: // the worker crashes again; Temporal cuts it off
			worker.kill()
			worker = startWorker(t, workerEnv...)
			time.Sleep(time.Second)
			temporal.set("down")
			time.Sleep(2 * time.Second)
			temporal.set("up")
		}
		if pgServer != nil { // faults of a real deployment: the server crashes, the database restarts
			switch i {
			case 1:
				pgServer.KillServer()
				require.NoError(t, pgServer.RestartServer(t.Context()), "the Temporal server comes back on its database")
			case n - 2:
				require.NoError(t, pgServer.RestartPostgres(t.Context()), "PostgreSQL restarts under the server")
			}
		}
	}
	wg.Wait()

	for i, id := range ids {
		require.NotEmpty(t, id, "incident %d was declared", i)
		ctx, cancel := context.WithTimeout(context.Background(), 2*patience)
		var inc ib.Incident
		err := c.GetWorkflow(ctx, id, "").Get(ctx, &inc)
		cancel()
		if err != nil {
			whereItWaits(t, c, id)
		}
		require.NoError(t, err, "%s completes", id)
		assert.Equal(t, ib.StageClosed, inc.Stage, id)
		assert.Equal(t, 1, channelsOf(inc.Channel.Name), "%s: one channel", id)
		assert.Equal(t, 1, len(messagesAbout(inc.Channel.Name, inc.Title)), "%s: one header", id)
		announcements := 0
		for _, m := range messagesAbout("incidents", inc.Title) {
			if strings.Contains(m.Text, "incident declared") && strings.HasSuffix(m.Text, inc.Title) {
				announcements++
			}
		}
		assert.Equal(t, 1, announcements, "%s: one announcement", id)
		assert.Len(t, zendeskFake.Tickets("["+id+"]"), 1, "%s: one problem ticket", id)
		require.Len(t, inc.Evidence, 1, "%s: the message collected once", id)
		assert.ElementsMatch(t, people, inc.Evidence[0].HeldBy, "%s: each reaction counted once", id)
		assert.True(t, inc.Evidence[0].Fetched)
		assert.Equal(t, []string{fakeslack.BotUserID}, botReactions(inc), "%s: confirmed once", id)
		began := 0
		for _, e := range inc.Timeline {
			if e.Text == "postmortem stage began" {
				began++
			}
		}
		assert.Equal(t, 1, began, "%s: its postmortem stage began once, by its timer", id)
	}
	if len(front.gateways) > 0 {
		eager := 0
		for _, id := range ids {
			iter := c.GetWorkflowHistory(t.Context(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			if e, err := iter.Next(); err == nil && e.GetWorkflowExecutionStartedEventAttributes().GetEagerExecutionAccepted() {
				eager++
			}
		}
		assert.Positive(t, eager, "incidents declared through the gateways started in their workers")
		t.Logf("%d of %d incidents started in the worker of the gateway that declared them", eager, len(ids))
	}
}

// chaosLife carries one incident through its life as people would, trying
// each step again while the system is down: a step that got through before
// its answer was lost is refused as done already (ECONFLICT), which counts as
// done.
func chaosLife(t *testing.T, front *chaosFront, title string, people []string) string {
	svc := front.svc
	alice := ib.Person{SlackID: people[0], Name: "alice"}
	var id string
	retry(t, "declare "+title, func(ctx context.Context) (err error) {
		id, err = front.declare(ctx, title, alice)
		return err
	})
	var inc ib.Incident
	retry(t, "the room of "+title, func(ctx context.Context) (err error) {
		if inc, err = svc.Get(ctx, id); err == nil && inc.Channel.HeaderTS == "" {
			return fmt.Errorf("not ready")
		}
		return err
	})
	ts, err := fake.PostAs(people[1], inc.Channel.ID, "error rate back to normal after the rollback", "")
	if err != nil {
		t.Errorf("%s: post in its channel: %v", title, err)
		return id
	}
	for i, who := range people {
		if err := fake.ReactAs(who, inc.Channel.ID, ts, "receipt"); err != nil {
			t.Errorf("%s: react: %v", title, err)
		}
		e := ib.ChannelEvent{ID: fmt.Sprintf("Ev%s%d", ts, i), Kind: ib.ReactionAdded, User: who, TS: ts, Reaction: "receipt",
			Collection: ib.Papertrail, At: time.Now()}
		for delivery := range 2 { // Slack delivers again
			retry(t, "a reaction", func(ctx context.Context) error { return front.notify(ctx, id, e, delivery) })
		}
	}
	for _, c := range []ib.Change{
		&ib.SetStatus{Status: ib.Identified, By: alice},
		&ib.SetStatus{Status: ib.Monitoring, By: alice},
		&ib.Resolve{Summary: "rolled back", By: alice},
	} {
		change := c
		retry(t, ib.VerbOf(c).Name, func(ctx context.Context) error { _, err := svc.Change(ctx, id, change); return err })
	}
	retry(t, "the stage begun by its timer", func(ctx context.Context) (err error) {
		if inc, err = svc.Get(ctx, id); err == nil && inc.Stage != ib.StagePostmortem {
			return fmt.Errorf("not yet")
		}
		return err
	})
	retry(t, "evidence collected", func(ctx context.Context) (err error) {
		if inc, err = svc.Get(ctx, id); err == nil && (len(inc.Evidence) != 1 || len(inc.Evidence[0].HeldBy) != 3 || !inc.Evidence[0].Fetched) {
			return fmt.Errorf("not yet")
		}
		return err
	})
	retry(t, "review", func(ctx context.Context) error {
		_, err := svc.Change(ctx, id, &ib.RecordReview{By: alice})
		return err
	})
	retry(t, "close", func(ctx context.Context) error {
		_, err := svc.Change(ctx, id, &ib.Close{By: alice})
		if ib.ErrorCode(err) == ib.ENOTFOUND {
			// A close that went through while its answer was lost (the
			// server killed) is found done by the next try: the incident's
			// workflow has completed.
			if desc, derr := svc.Client.DescribeWorkflowExecution(ctx, id, ""); derr == nil &&
				desc.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				return nil
			}
		}
		return err
	})
	return id
}

// retry does a step until it is done, for up to twice the tests' patience.
func retry(t *testing.T, what string, step func(context.Context) error) {
	deadline := time.Now().Add(2 * patience)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := step(ctx)
		cancel()
		if err == nil || ib.ErrorCode(err) == ib.ECONFLICT {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: still failing after %s: %v", what, 2*patience, err)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// botReactions are the bot's reactions on the incident's collected message.
func botReactions(inc ib.Incident) []string {
	var bots []string
	for _, u := range fake.Reactions(inc.Channel.ID, inc.Evidence[0].TS)["receipt"] {
		if u == fakeslack.BotUserID {
			bots = append(bots, u)
		}
	}
	return bots
}

// channelsOf counts the channels named name, or name with a number after it
// (the names a second channel for the same incident would take).
func channelsOf(name string) int {
	n := 0
	for _, ch := range channelsNamed(name) {
		rest := strings.TrimPrefix(ch.Name, name)
		if _, err := strconv.Atoi(strings.TrimPrefix(rest, "-")); rest == "" || strings.HasPrefix(rest, "-") && err == nil {
			n++
		}
	}
	return n
}

// chaosFront is how the chaos run's people reach their incidents: through
// Temporal directly, or through gateway replicas taking turns.
type chaosFront struct {
	svc      *ibtemporal.Incidents
	gateways []*gatewayProcess
	turn     atomic.Int64
}

// gateway is the next replica's address.
func (f *chaosFront) gateway() string {
	return f.gateways[int(f.turn.Add(1))%len(f.gateways)].url
}

// send posts a signed request to the next replica; a replica that is down or
// answers 5xx is an error, to be tried again (on the next one).
func (f *chaosFront) send(ctx context.Context, r request) (string, error) {
	resp, err := http.DefaultClient.Do(signed(f.gateway(), r).WithContext(ctx))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("gateway answered %d: %s", resp.StatusCode, body)
	}
	return string(body), nil
}

// declare declares as `/ib create` typed in #incidents; typed again it joins
// the same incident. The ID is in the answer, or in its later reply.
func (f *chaosFront) declare(ctx context.Context, title string, by ib.Person) (string, error) {
	if len(f.gateways) == 0 {
		res, err := f.svc.Declare(ctx, ib.Declaration{Title: title, Severity: ib.S2, Declarer: by})
		return res.ID, err
	}
	incidents, _ := fake.ChannelByName("incidents")
	key := fmt.Sprintf("chaos-%d", responseKeys.Add(1))
	body, err := f.send(ctx, request{path: "/slack/commands", contentType: "application/x-www-form-urlencoded",
		body: slash(by.SlackID, incidents.ID, "create S2 "+title, key)})
	if err != nil {
		return "", err
	}
	for {
		if id := incidentIDPattern.FindString(body + strings.Join(fake.Responses(key), "\n")); id != "" {
			return id, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no answer naming the incident: %s", body)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// notify delivers a channel event: straight to the incident, or as Slack's
// Events API callback to a replica (delivery > 0 is Slack's retry).
func (f *chaosFront) notify(ctx context.Context, id string, e ib.ChannelEvent, delivery int) error {
	if len(f.gateways) == 0 {
		return f.svc.Notify(ctx, id, e)
	}
	inc, err := f.svc.Get(ctx, id)
	if err != nil {
		return err
	}
	_, err = f.send(ctx, eventRequest(e.ID, map[string]any{"type": "reaction_added", "user": e.User, "reaction": e.Reaction,
		"item": map[string]any{"type": "message", "channel": inc.Channel.ID, "ts": e.TS}, "event_ts": e.TS}, delivery))
	return err
}
