package tests

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sdkpb "go.temporal.io/api/sdk/v1"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// TestDeclareToResolve walks one incident through its life: declared, channel
// opened with the declarer, announced, found by a visibility query, status
// changed, a bad change refused, resolved, closed.
func TestDeclareToResolve(t *testing.T) {
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	title := "Checkout API returning 500s end to end"
	id := declare(t, ib.Declaration{Title: title, Severity: ib.S1, Impact: "EU checkouts fail", Declarer: alice})

	inc := roomReady(t, id)
	ch, ok := fake.ChannelByName(inc.Channel.Name)
	require.True(t, ok, "channel %s exists in Slack", inc.Channel.Name)
	assert.Equal(t, channelOf(title, inc.DeclaredAt), ch.Name)
	assert.True(t, ch.Members[alice.SlackID], "the declarer is in the channel")
	assert.Contains(t, ch.Topic, "S1")
	assert.Contains(t, ch.Topic, "Investigating")
	assert.Contains(t, ch.Purpose, id)
	waitFor(t, "the announcement in #incidents", func() bool { return len(messagesAbout("incidents", title)) == 1 })

	waitFor(t, "a visibility query on IncidentSeverity finds it", func() bool {
		rows, err := incidents.List(context.Background(), ib.ListFilter{Query: "IncidentSeverity='S1'"})
		require.NoError(t, err)
		for _, r := range rows {
			if r.ID == id {
				return r.Title == title && r.Status == "investigating"
			}
		}
		return false
	})

	waitFor(t, "a visibility query on a word of IncidentTitle finds it", func() bool {
		rows, err := incidents.List(context.Background(), ib.ListFilter{Query: "IncidentTitle = 'Checkout' AND WorkflowId='" + id + "'"})
		return err == nil && len(rows) == 1
	})

	s, err := change(t, id, &ib.SetStatus{Status: ib.Identified, By: alice})
	require.NoError(t, err)
	assert.Equal(t, ib.Identified, s.Status)
	_, err = change(t, id, &ib.SetStatus{Status: ib.Identified, By: alice})
	assert.Equal(t, ib.ECONFLICT, ib.ErrorCode(err))
	assert.Equal(t, id+" is already identified.", ib.ErrorMessage(err))
	waitFor(t, "the topic shows the new status", func() bool {
		ch, _ := fake.ChannelByName(inc.Channel.Name)
		return strings.Contains(ch.Topic, "Identified")
	})
	waitFor(t, "the status change is posted in the channel", func() bool {
		return len(messagesAbout(inc.Channel.Name, "investigating → identified")) == 1
	})
	waitFor(t, "the Web UI's current details say so", func() bool {
		v, err := tclient.QueryWorkflow(context.Background(), id, "", "__temporal_workflow_metadata")
		var meta sdkpb.WorkflowMetadata
		return err == nil && v.Get(&meta) == nil && strings.HasPrefix(meta.GetCurrentDetails(), "**S1 · identified · active** — "+title)
	})
	waitFor(t, "IncidentStatus is kept current", func() bool {
		rows, err := incidents.List(context.Background(), ib.ListFilter{Query: "IncidentStatus='identified' AND WorkflowId='" + id + "'"})
		return err == nil && len(rows) == 1
	})

	_, err = change(t, id, &ib.Resolve{Summary: "reverted the change", By: alice})
	require.NoError(t, err)
	final := closeResolved(t, id)
	assert.Equal(t, ib.Resolved, final.Status)
	assert.Equal(t, ib.StageClosed, final.Stage)
	assert.Equal(t, "reverted the change", final.Resolution)
	assert.Equal(t, 1, len(messagesAbout("incidents", "Resolved: "+title)))

	_, err = change(t, id, &ib.AddNote{Text: "too late", By: alice})
	assert.Equal(t, ib.ENOTFOUND, ib.ErrorCode(err), "a closed incident takes no changes: %v", err)
	assert.Equal(t, ib.Resolved, state(t, id).Status, "a closed incident can still be read")
}

// F2: identical declares at once yield one incident, one channel, one
// announcement.
func TestDuplicateDeclaresAtOnce(t *testing.T) {
	title := "Login page times out for everyone"
	const n = 8
	results := make([]ib.Declared, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			res, err := incidents.Declare(ctx, ib.Declaration{Title: title, Severity: ib.S2})
			assert.NoError(t, err)
			results[i] = res
		})
	}
	wg.Wait()
	started := 0
	for _, r := range results {
		assert.Equal(t, results[0].ID, r.ID, "every declare meets the same incident")
		if !r.Existing {
			started++
		}
	}
	assert.Equal(t, 1, started, "exactly one declare started the incident")

	inc := roomReady(t, results[0].ID)
	assert.Len(t, channelsNamed(channelOf(title, inc.DeclaredAt)), 1)
	waitFor(t, "the announcement", func() bool { return len(messagesAbout("incidents", title)) >= 1 })
	settled(t, tclient, results[0].ID)
	assert.Equal(t, 1, len(messagesAbout("incidents", title)))

	resp, err := tclient.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: "WorkflowId = '" + results[0].ID + "'",
	})
	require.NoError(t, err)
	assert.Len(t, resp.Executions, 1, "one workflow execution")
}

// A declaration whose title matches a closed incident of the same day is a new
// incident, with its own ID and channel.
func TestRedeclareAfterCloseIsANewIncident(t *testing.T) {
	title := "Search results empty"
	first := declare(t, ib.Declaration{Title: title, Severity: ib.S3})
	roomReady(t, first)
	_, err := change(t, first, &ib.Resolve{})
	require.NoError(t, err)
	closeResolved(t, first)

	second := declare(t, ib.Declaration{Title: title, Severity: ib.S3})
	assert.NotEqual(t, first, second)
	inc := roomReady(t, second)
	assert.Equal(t, channelOf(title, inc.DeclaredAt)+"-2", inc.Channel.Name, "the closed incident keeps its channel")
}

// F3: Slack created the channel but the reply was lost; the retry adopts the
// channel (name_taken, our purpose or our bot as creator): exactly one channel.
func TestChannelReplyLostAdoptsChannel(t *testing.T) {
	title := "Payments webhook backlog"
	slug := channelPrefix(t, title)
	fake.Inject("conversations.create", fakeslack.Fault{DropReply: true, Match: slug})
	before := fake.Calls("conversations.create")

	inc := roomReady(t, declare(t, ib.Declaration{Title: title, Severity: ib.S2}))
	assert.Equal(t, slug, inc.Channel.Name)
	assert.Equal(t, 1, len(channelsNamed(slug)), "exactly one channel")
	assert.GreaterOrEqual(t, fake.Calls("conversations.create")-before, 2, "the create was retried")
}

// A channel of the incident's name that someone else made is not adopted.
func TestNameTakenBySomeoneElse(t *testing.T) {
	title := "Status page widget broken"
	slug := channelPrefix(t, title)
	fake.CreateChannelAs(slug, fake.UserByName("bob"), "bob's notes")

	inc := roomReady(t, declare(t, ib.Declaration{Title: title, Severity: ib.S4}))
	assert.Equal(t, slug+"-2", inc.Channel.Name)
	ch, _ := fake.ChannelByName(slug)
	assert.Equal(t, "bob's notes", ch.Purpose, "bob's channel is left alone")
}

// F4: a 429 makes the next try wait Retry-After, through the activity's
// next-retry delay: no tight loop, and other incidents go on meanwhile.
func TestRateLimitWaitsRetryAfter(t *testing.T) {
	slow, fast := "Inventory sync stalled", "Image uploads failing"
	const retryAfter = 3 * time.Second
	fake.Inject("conversations.create", fakeslack.Fault{Status: 429, RetryAfter: int(retryAfter.Seconds()), Match: channelPrefix(t, slow)})
	before := fake.Calls("conversations.create")

	start := time.Now()
	slowID := declare(t, ib.Declaration{Title: slow, Severity: ib.S3})
	fastID := declare(t, ib.Declaration{Title: fast, Severity: ib.S3})
	fastRoom := roomReady(t, fastID)
	slowRoom := roomReady(t, slowID)

	fastChannel, _ := fake.ChannelByName(fastRoom.Channel.Name)
	slowChannel, _ := fake.ChannelByName(slowRoom.Channel.Name)
	assert.GreaterOrEqual(t, slowChannel.CreatedAt.Sub(start), retryAfter, "the retry waited for Retry-After")
	assert.True(t, fastChannel.CreatedAt.Before(slowChannel.CreatedAt), "the other incident did not wait")
	assert.Equal(t, 3, fake.Calls("conversations.create")-before, "one refused call, then one each: no tight loop")
}

// A post whose reply was lost is found on retry by its metadata key, not posted
// twice.
func TestPostReplyLostPostsOnce(t *testing.T) {
	title := "Email notifications delayed"
	fake.Inject("chat.postMessage",
		fakeslack.Fault{DropReply: true, Match: title},
		fakeslack.Fault{DropReply: true, Match: title})
	inc := roomReady(t, declare(t, ib.Declaration{Title: title, Severity: ib.S3}))
	waitFor(t, "the announcement", func() bool { return len(messagesAbout("incidents", title)) >= 1 })
	settled(t, tclient, inc.ID)
	assert.Equal(t, 1, len(messagesAbout(inc.Channel.Name, title)), "one header")
	assert.Equal(t, 1, len(messagesAbout("incidents", title)), "one announcement")
}

// F16: bad input is refused with a clear message and starts nothing; odd but
// valid titles get safe channel names.
func TestDeclarationInput(t *testing.T) {
	for _, tt := range []struct {
		name, title, says string
	}{
		{"ErrEmpty", "   ", "needs a title"},
		{"ErrTooLong", strings.Repeat("very long title ", 320), "characters long"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := incidents.Declare(context.Background(), ib.Declaration{Title: tt.title, Severity: ib.S2})
			assert.Equal(t, ib.EINVALID, ib.ErrorCode(err))
			assert.Contains(t, ib.ErrorMessage(err), tt.says)
		})
	}
	t.Run("ErrUnknownSeverity", func(t *testing.T) {
		_, err := incidents.Declare(context.Background(), ib.Declaration{Title: "x", Severity: "S5"})
		assert.Equal(t, ib.EINVALID, ib.ErrorCode(err))
	})
	t.Run("EmojiOnly", func(t *testing.T) {
		id := declare(t, ib.Declaration{Title: "🔥🔥🔥", Severity: ib.S3})
		inc := roomReady(t, id)
		assert.Equal(t, "inc-"+inc.DeclaredAt.UTC().Format("20060102")+"-"+strings.ToLower(id[len(id)-4:]), inc.Channel.Name)
	})
	t.Run("Unicode", func(t *testing.T) {
		inc := roomReady(t, declare(t, ib.Declaration{Title: "Zahlungsausfall für Kunden in Österreich", Severity: ib.S2}))
		assert.True(t, strings.HasSuffix(inc.Channel.Name, "-zahlungsausfall-fur-kunden-in-osterreich"), inc.Channel.Name)
	})
}

// F5: 20 timeline events within a second to one channel, from people
// typing at once. Slack allows about a message a second per channel; the
// events share posts, none is dropped, and the channel shows them in the
// timeline's order.
func TestTimelineBurstPaced(t *testing.T) {
	id := declare(t, ib.Declaration{Title: "Burst of timeline events", Severity: ib.S3})
	inc := roomReady(t, id)
	// Slack holds back its answer to the burst's first post: a change that
	// waited on Slack would take that long.
	const slowSlack = 10 * time.Second
	fake.Inject("chat.postMessage", fakeslack.Fault{Delay: slowSlack, Match: "burst note"})
	var wg sync.WaitGroup
	for i := 1; i <= 20; i++ {
		wg.Go(func() {
			begin := time.Now()
			_, err := change(t, id, &ib.AddNote{Text: fmt.Sprintf("burst note %02d", i)})
			assert.NoError(t, err)
			assert.Less(t, time.Since(begin), slowSlack, "the changes themselves do not wait on Slack")
		})
	}
	wg.Wait()

	var lines []string
	waitFor(t, "all 20 notes in the channel", func() bool {
		lines = nil
		for _, m := range messagesAbout(inc.Channel.Name, "burst note") {
			for _, l := range strings.Split(m.Text, "\n") {
				if strings.Contains(l, "burst note") {
					lines = append(lines, l)
				}
			}
		}
		return len(lines) >= 20
	})
	if len(lines) != 20 {
		whereItWaits(t, tclient, id)
	}
	require.Len(t, lines, 20, "none dropped, none doubled")
	var timeline []string
	for _, e := range state(t, id).Timeline {
		if strings.HasPrefix(e.Text, "burst note") {
			timeline = append(timeline, e.Text)
		}
	}
	require.Len(t, timeline, 20)
	for i, l := range lines {
		assert.Contains(t, l, timeline[i], "in the timeline's order")
	}
	posts := len(messagesAbout(inc.Channel.Name, "burst note"))
	assert.Less(t, posts, 20, "the burst shares posts")
	t.Logf("20 notes in %d posts", posts)
}

// Two different titles whose IDs meet on the same day are two incidents: the
// second declaration steps over the first's ID instead of joining it.
func TestDifferentTitlesSharingAnID(t *testing.T) {
	now := time.Now()
	seen := map[string]string{}
	var first, second string
	for i := 0; second == ""; i++ {
		title := fmt.Sprintf("ID collision %d %d", now.UnixNano()%1000, i)
		id := ib.IncidentID(title, now, 1)
		if other, ok := seen[id]; ok {
			first, second = other, title
		}
		seen[id] = title
	}
	a := declare(t, ib.Declaration{Title: first, Severity: ib.S4})
	b := declare(t, ib.Declaration{Title: second, Severity: ib.S4})
	assert.NotEqual(t, a, b, "two incidents")
	assert.Equal(t, ib.IncidentID(second, now, 2), b, "the second takes the next attempt's ID")
	assert.Equal(t, second, state(t, b).Title)
	again := declare(t, ib.Declaration{Title: second, Severity: ib.S4})
	assert.Equal(t, b, again, "declaring it again joins it (F2)")
}
