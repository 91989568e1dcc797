package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakeslack"
	"github.com/incident-buddy/ib/tests/fakezendesk"
)

// A workspace of hundreds of people, some careless, a few hostile, and
// customers who write tickets: each test is one class of attack, through the
// real gateway and a real dev server (docs/benchmarks.md, F17–F21).

// F17: resolving by setting the status, from another channel, by someone
// who is no responder, meets resolve's rule.
func TestHostileStatusResolvedIsAResolution(t *testing.T) {
	gw := startGateway(t, incidents)
	alice, bob := fake.UserByName("alice"), fake.UserByName("bob")
	id := declare(t, ib.Declaration{Title: "Hostile status resolved", Severity: ib.S2, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	roomReady(t, id)
	answer := gw.ask(t, bob, channelID(t, "general"), "status "+id+" resolved")
	assert.Contains(t, answer, "Only the commander (alice), responders in #")
	assert.Contains(t, answer, "may resolve "+id)
	assert.Equal(t, ib.Investigating, state(t, id).Status, "nothing changed")
}

// restrictedExamples is a command for every verb the default policy
// restricts, as someone would type it about an active incident.
func restrictedExamples(id, someone string) map[string]string {
	due := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	return map[string]string{
		"severity": "sev " + id + " S1", "resolve": "resolve " + id + " done", "commander": "commander " + id + " <@" + someone + ">",
		"page": "page " + id + " checkout", "ack-page": "ack " + id + " P1", "add-service": "service " + id + " add checkout",
		"ticket-waive": "ticket " + id + " waive 1 phoned", "statuspage": "statuspage " + id + " investigating looking",
		"postmortem": "postmortem " + id, "postmortem-owner": "postmortem " + id + " owner <@" + someone + ">",
		"postmortem-done": "postmortem " + id + " done", "postmortem-waive": "postmortem " + id + " waive small",
		"review": "review " + id + " done", "action-add": "action " + id + " add fix it <@" + someone + "> due:" + due,
		"close": "close " + id, "reopen": "reopen " + id + " it is back",
	}
}

// F17: someone who is no responder is refused every restricted verb, from
// anywhere, by any path; once they act in the incident's channel they are a
// responder, and may.
func TestHostileNonResponderRefusedEveryRestrictedVerb(t *testing.T) {
	gw := startGateway(t, incidents)
	alice, carol := fake.UserByName("alice"), fake.UserByName("carol")
	general := channelID(t, "general")
	id := declare(t, ib.Declaration{Title: "Hostile restricted verbs", Severity: ib.S3, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	inc := roomReady(t, id)

	examples := restrictedExamples(id, carol)
	for _, rule := range testPolicy.Rules {
		text, ok := examples[rule.Verb]
		require.True(t, ok, "an example of the restricted verb %s", rule.Verb)
		answer := gw.ask(t, carol, general, text)
		assert.Contains(t, answer, "❌ Only the commander (alice)", "%s is refused: %s", rule.Verb, answer)
	}
	// The header's menus meet the same rule as the command.
	status, _ := gw.interact(t, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": carol}, "trigger_id": "t1", "channel": map[string]any{"id": general},
		"response_url": "http://127.0.0.1:1/none",
		"actions":      []map[string]any{{"type": "static_select", "action_id": "ib_severity", "block_id": "ib_header", "selected_option": map[string]any{"value": id + "|S1"}}},
	})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, ib.S3, state(t, id).Severity, "the menu changed nothing")

	// Acting in the incident's channel makes carol a responder.
	_, err := fake.PostAs(carol, inc.Channel.ID, "I can help with the database", "")
	require.NoError(t, err)
	waitFor(t, "carol takes part", func() bool { return slices.Contains(state(t, id).Participants, carol) })
	assert.Contains(t, gw.ask(t, carol, general, examples["severity"]), "Severity S3 → S1", "a responder may, from anywhere")
	assert.Contains(t, gw.ask(t, carol, general, examples["commander"]), "Only the commander (alice) or an admin may hand over",
		"handing over stays the commander's")
	assert.Contains(t, gw.ask(t, alice, general, examples["commander"]), "🧑‍✈️ Commander alice → <@"+carol+"> (handed over by <@"+alice+">)", "the commander hands over")
	got := state(t, id)
	assert.Equal(t, carol, got.Commander.SlackID)
	assert.Equal(t, ib.EventCommander, got.Timeline[len(got.Timeline)-1].Kind, "on the timeline")
	waitFor(t, "the header names the new commander", func() bool {
		return strings.Contains(headerOf(t, got), "*Commander*\\n\\u003c@"+carol+"\\u003e")
	})
}

// F18: whatever people and customers send, the incident keeps running and
// answering, within Temporal's limits: 1,000 notes of the largest size,
// 2,000 edits of one collected message, names and targets far too long, a
// customer's ticket of a megabyte naming thousands of incidents.
func TestHostileInputsKeepTheIncidentRunning(t *testing.T) {
	gw := startGateway(t, incidents)
	alice, bob := fake.UserByName("alice"), fake.UserByName("bob")
	id := declare(t, ib.Declaration{Title: "Hostile floods", Severity: ib.S3, Services: []string{"checkout"}, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	inc := roomReady(t, id)
	in := inc.Channel.ID

	huge := strings.Repeat("😀", ib.MaxTextRunes)
	notes := make(chan int)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for i := range notes {
				_, err := incidents.Change(t.Context(), id, &ib.AddNote{Text: fmt.Sprintf("%04d %s", i, huge[:len(huge)-20]), By: ib.Person{SlackID: bob}})
				assert.NoError(t, err, "note %d", i)
			}
		})
	}
	for i := range 1000 {
		notes <- i
	}
	close(notes)
	wg.Wait()

	msg, err := fake.PostAs(bob, in, "the first finding", "")
	require.NoError(t, err)
	require.NoError(t, fake.ReactAs(bob, in, msg, "receipt"))
	waitFor(t, "the message is collected", func() bool { return len(state(t, id).Evidence) == 1 })
	edits := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range edits {
				edit := map[string]any{"type": "message", "subtype": "message_changed", "channel": in,
					"message": map[string]any{"user": bob, "text": fmt.Sprintf("%05d", i) + strings.Repeat("😀", 495), "ts": msg}, "ts": fmt.Sprintf("1795461300.%06d", i)}
				assert.Equal(t, http.StatusOK, gw.event(t, fmt.Sprintf("EvHOSTILE%06d", i), edit, 0))
			}
		})
	}
	for i := range 2000 {
		edits <- i
	}
	close(edits)
	wg.Wait()

	for text, says := range map[string]string{
		"service add " + strings.Repeat("s", 3000):                       "is not a service name",
		"page U" + strings.Repeat("A", 20000) + " hi":                    "is not a service or a person",
		"link https://a.example/" + strings.Repeat("x", 2000) + " label": "at most 1000",
		"commander " + strings.Repeat("n", 500):                          "is not a person",
	} {
		assert.Contains(t, gw.ask(t, alice, in, text), says, "%.40s…", text)
	}
	_, err = incidents.Declare(t.Context(), ib.Declaration{Title: "Hostile services", Severity: ib.S3, Services: []string{strings.Repeat("s", 2500)}})
	assert.ErrorContains(t, err, "is not a service name", "the declare form's services too")

	// A customer's ticket of a megabyte naming thousands of incidents.
	var ids []string
	for size, i := 0, 0; size < 1000_000-30_000; i++ {
		ids = append(ids, fmt.Sprintf("INC-20261202-%04d", i%10000))
		size += 18
	}
	ids = append(ids, id)
	body, err := json.Marshal(map[string]any{"ticket": map[string]any{"id": 4242, "subject": "help", "description": strings.Join(ids, " "), "status": "new"}})
	require.NoError(t, err)
	start := time.Now()
	status, answer := postWebhook(t, &ibtemporal.Incidents{Client: tclient}, string(body), "zd-secret")
	require.Equal(t, http.StatusOK, status, answer)
	assert.Less(t, time.Since(start), slackDeadline, "answered at once")
	assert.LessOrEqual(t, strings.Count(answer, "INC-"), ib.MaxMentionedIncidents, "a few incidents at most are told")

	// Still running, answering, resolvable by its commander, within limits.
	settled(t, tclient, id)
	got := state(t, id)
	raw, err := json.Marshal(got)
	require.NoError(t, err)
	t.Logf("state: %d KB, %d timeline events (%d omitted), %d revisions", len(raw)>>10, len(got.Timeline), got.Omitted, len(got.Evidence[0].Revisions))
	assert.Less(t, len(raw), 400<<10, "the state a query answers with stays small")
	assert.LessOrEqual(t, len(got.Timeline), ib.MaxTimeline)
	assert.LessOrEqual(t, len(got.Evidence[0].Revisions), ib.MaxRevisions)
	assert.Equal(t, []string{"checkout"}, got.Services)
	largest, runs := largestEvent(t, id)
	assert.Less(t, largest, 2<<20, "no event near Temporal's 2 MB limit")
	assert.Greater(t, runs, 1, "the incident continued as new")
	assert.Contains(t, gw.ask(t, alice, in, "resolve survived the floods"), "is resolved")
}

// largestEvent is the largest event of any run of an incident, in bytes, and
// how many runs it had; no run may have been terminated, failed, or had a
// workflow task fail for a cause of ours.
func largestEvent(t *testing.T, id string) (int, int) {
	t.Helper()
	runs, err := tclient.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"})
	require.NoError(t, err)
	largest := 0
	for _, run := range runs.GetExecutions() {
		iter := tclient.GetWorkflowHistory(context.Background(), id, run.GetExecution().GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			e, err := iter.Next()
			require.NoError(t, err)
			largest = max(largest, proto.Size(e))
			switch e.EventType {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
				// The server refuses a run's completion while new input waits
				// (UnhandledCommand) and redelivers it to the same run: that
				// is Temporal keeping the input, not a failure of ours.
				if e.GetWorkflowTaskFailedEventAttributes().GetCause() == enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND {
					continue
				}
				t.Errorf("%s: a workflow task failed: %v", id, e.GetWorkflowTaskFailedEventAttributes().GetFailure().GetMessage())
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
				t.Errorf("%s ended by %s: %v", id, e.EventType, e.GetWorkflowExecutionTerminatedEventAttributes().GetReason())
			}
		}
	}
	return largest, len(runs.GetExecutions())
}

// F19: Slack's control sequences in every field people and customers write
// show as text: no @channel, no mention, no link with other words on it; the
// mentions the bot makes on purpose stay real.
func TestHostileMentionsAndLinksRenderAsText(t *testing.T) {
	gw := startGateway(t, incidents)
	alice := fake.UserByName("alice")
	inject := "<!channel> <!here|here> <@U00000002> <https://evil.example|Official runbook> & co"
	answer := gw.ask(t, alice, channelID(t, "general"), "create S2 Hostile "+inject)
	require.Contains(t, answer, "declared")
	id := incidentIDPattern.FindString(answer)
	inc := roomReady(t, id)
	in := inc.Channel.ID
	for _, text := range []string{
		"note " + inject,
		"link https://a.example/x><!channel><https://a.example/y Dashboard",
		"link https://a.example/ok " + inject,
		"statuspage investigating " + inject,
		"page checkout " + inject,
		"impact count 12 " + inject,
	} {
		gw.ask(t, alice, in, text)
	}
	tk := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "Checkout " + inject, Description: "checkout broken " + id, Status: "new"})
	status, _ := postWebhook(t, &ibtemporal.Incidents{Client: tclient}, fmt.Sprintf(
		`{"ticket": {"id": %d, "subject": %q, "description": %q, "status": "new", "url": "https://evil.example/x><!channel><https://a|*"}}`, tk, "Checkout "+inject, id), "zd-secret")
	require.Equal(t, http.StatusOK, status)
	waitFor(t, "the ticket is offered", func() bool { return len(messagesAbout(inc.Channel.Name, "Customer tickets")) > 0 })
	gw.ask(t, alice, in, "resolve "+inject)
	settled(t, tclient, id)

	// What Slack would read as a ping or a disguised link, anywhere the bot
	// wrote of this incident: its channel, #incidents, people's direct
	// messages.
	forbidden := []string{"<!channel>", "<!here", "<!everyone>", "<@" + fake.UserByName("bob") + ">",
		"<https://evil.example|Official runbook>", "<https://evil.example/x>"}
	read := 0
	for _, c := range fake.Channels() {
		for _, m := range c.Messages {
			if m.User != fakeslack.BotUserID || c.ID != in && !strings.Contains(m.Text+string(m.Blocks), id) {
				continue
			}
			for _, payload := range append(mrkdwnOf(t, m.Blocks), m.Text) {
				for _, f := range forbidden {
					assert.NotContains(t, payload, f, "in #%s", c.Name)
				}
				read++
			}
		}
		assert.NotContains(t, c.Topic, "<!channel>")
	}
	assert.Greater(t, read, 20)
	header := headerOf(t, state(t, id))
	assert.Contains(t, header, `\u003c@`+alice+`\u003e`, "the bot's own mentions stay real")
	assert.Contains(t, header, `12 @channel @here @U00000002 Official runbook (https://evil.example) \u0026amp; co`, "the injected text reads as typed, as text")
	assert.Contains(t, gw.ask(t, alice, in, "link https://a.example/x><!channel> x"), "cannot contain <, >, | or spaces")
}

// mrkdwnOf is the text of every mrkdwn object in a message's blocks: what
// Slack reads for mentions and links (plain_text it shows as it is).
func mrkdwnOf(t *testing.T, blocks json.RawMessage) []string {
	t.Helper()
	if len(blocks) == 0 {
		return nil
	}
	var tree any
	require.NoError(t, json.Unmarshal(blocks, &tree))
	var texts []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "mrkdwn" {
				text, _ := v["text"].(string)
				texts = append(texts, text)
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(tree)
	return texts
}

// F20: a signed request sent again within its five minutes does nothing
// twice.
func TestHostileReplayedRequestTakenOnce(t *testing.T) {
	gw := startGateway(t, incidents)
	alice := fake.UserByName("alice")
	id := declare(t, ib.Declaration{Title: "Hostile replay", Severity: ib.S3, Declarer: ib.Person{SlackID: alice}})
	inc := roomReady(t, id)
	r := request{path: "/slack/commands", contentType: "application/x-www-form-urlencoded", ts: time.Now(),
		body: slash(alice, inc.Channel.ID, "note replayed note xyz", "replay")}
	for range 3 {
		status, _ := gw.do(t, r)
		assert.Equal(t, http.StatusOK, status)
	}
	settled(t, tclient, id)
	notes := 0
	for _, e := range state(t, id).Timeline {
		if strings.Contains(e.Text, "replayed note xyz") {
			notes++
		}
	}
	assert.Equal(t, 1, notes, "one note, however often the request is sent")
}

// L2: an event in an incident's channel moments after it is made, before
// Temporal has indexed the channel, is delivered again and taken, not dropped.
func TestHostileEarlyEventsNotDropped(t *testing.T) {
	alice, bob := fake.UserByName("alice"), fake.UserByName("bob")
	res, err := incidents.Declare(t.Context(), ib.Declaration{Title: "Hostile early event", Severity: ib.S3, Declarer: ib.Person{SlackID: alice}})
	require.NoError(t, err)
	var ch string
	waitFor(t, "the channel exists", func() bool {
		for _, c := range channelsNamed("inc-") {
			if strings.Contains(c.Purpose, res.ID) || strings.HasSuffix(c.Name, "hostile-early-event") {
				ch = c.ID
			}
		}
		return ch != ""
	})
	_, err = fake.PostAs(bob, ch, "first!", "") // as soon as Slack made the channel
	require.NoError(t, err)
	waitFor(t, "the early message reaches the incident", func() bool { return state(t, res.ID).Activity.Messages >= 1 })
}

// F21: over Socket Mode, an event that comes while Temporal does not answer
// is not acknowledged until the incident has it, and reaches the incident once
// Temporal is back.
func TestHostileSocketModeEventWhileTemporalPaused(t *testing.T) {
	px := startProxy(t, devServer.FrontendHostPort())
	c, err := client.NewLazyClient(client.Options{HostPort: px.addr(), Logger: quietLogger()})
	require.NoError(t, err)
	defer c.Close()
	sockets := socketModeGateway(t, &ibtemporal.Incidents{Client: c})
	alice, carol := fake.UserByName("alice"), fake.UserByName("carol")
	id := declare(t, ib.Declaration{Title: "Hostile pause", Severity: ib.S3, Declarer: ib.Person{SlackID: alice}})
	inc := roomReady(t, id)

	px.set("paused")
	require.NoError(t, sockets.SendEnvelope(reactionEnvelope(t, "env-paused-1", carol, inc.Channel.ID), false))
	time.Sleep(3 * time.Second) // long enough for an acknowledgement that should not come
	assert.False(t, acked(sockets, "env-paused-1"), "not acknowledged while Temporal does not answer")
	assert.Zero(t, state(t, id).Activity.Reactions)

	px.set("up")
	waitFor(t, "the reaction reaches the incident", func() bool { return state(t, id).Activity.Reactions == 1 })
	waitFor(t, "the envelope is acknowledged", func() bool { return acked(sockets, "env-paused-1") })
}

// Requests that carry Slack's signature but not what Slack sends (a leaked
// secret, a misbehaving proxy): a command of nobody is refused, a response_url
// elsewhere is never followed, a payload of many actions costs one, and events
// without an ID are each taken rather than all dropped after the first.
func TestHostileSignedButNotSlack(t *testing.T) {
	gw := startGateway(t, incidents)
	alice, carol := fake.UserByName("alice"), fake.UserByName("carol")
	id := declare(t, ib.Declaration{Title: "Hostile signed", Severity: ib.S3, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	inc := roomReady(t, id)

	status, body := gw.do(t, request{path: "/slack/commands", contentType: "application/x-www-form-urlencoded",
		body: slash("", inc.Channel.ID, "resolve nobody did this", "nobody")})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "did not say who sent this command")

	var elsewhere atomic.Int32
	trap := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer trap.Close()
	actions := make([]map[string]any, 50)
	for i := range actions {
		actions[i] = map[string]any{"type": "static_select", "action_id": "ib_severity", "block_id": "ib_header_actions",
			"selected_option": map[string]any{"value": id + "|" + []string{"S1", "S2"}[i%2]}}
	}
	for _, to := range []string{trap.URL + "/anything", fakeslack.ResponseURL(fakeBase, "many-actions")} {
		status, _ = gw.interact(t, map[string]any{
			"type": "block_actions", "user": map[string]any{"id": alice, "name": "alice"},
			"channel": map[string]any{"id": inc.Channel.ID}, "trigger_id": "unused", "response_url": to, "actions": actions,
		})
		require.Equal(t, http.StatusOK, status)
	}
	assert.Contains(t, responses(t, "many-actions", 1)[0], "Severity S3 → S1", "the first action, once")
	settled(t, tclient, id)
	changes := 0
	for _, e := range state(t, id).Timeline {
		if e.Kind == ib.EventSeverityChanged {
			changes++
		}
	}
	assert.Equal(t, 1, changes, "one severity change for one click's payload")
	assert.Zero(t, elsewhere.Load(), "nothing posted to a response_url that is not Slack's")

	// Three people's first messages (a person's later ones are not handed
	// over at all: they tell the incident nothing new).
	for i, who := range []string{alice, fake.UserByName("bob"), carol} {
		msg := map[string]any{"type": "message", "channel": inc.Channel.ID, "user": who, "text": fmt.Sprintf("no id %d", i),
			"ts": fmt.Sprintf("1795461400.%06d", i)}
		assert.Equal(t, http.StatusOK, gw.event(t, "", msg, 0))
	}
	waitFor(t, "each message without an event ID is taken", func() bool { return state(t, id).Activity.Messages == 3 })
}
