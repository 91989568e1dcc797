package slack_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

func newClient(t *testing.T) (*fakeslack.Server, *slack.Client) {
	t.Helper()
	fake := fakeslack.New(fakeslack.Options{NoLimits: true})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, slack.NewClient("xoxb-fake", srv.URL+"/api/", nil)
}

// F13: answers that mean "already so" are success.
func TestInviteAlreadyInChannel(t *testing.T) {
	fake, c := newClient(t)
	ctx := context.Background()
	ch, err := c.CreateChannel(ctx, "inc-f13")
	require.NoError(t, err)
	alice, bob := fake.UserByName("alice"), fake.UserByName("bob")

	invite := func(users ...string) []ib.Uninvited {
		t.Helper()
		skipped, err := c.Invite(ctx, ch.ID, users)
		require.NoError(t, err)
		return skipped
	}
	assert.Empty(t, invite(alice))
	assert.Empty(t, invite(alice), "already_in_channel is success")
	assert.Empty(t, invite(alice, bob), "one member already in does not stop the others")
	assert.Contains(t, fake.Members(ch.ID), bob)
	assert.Empty(t, invite(fakeslack.BotUserID), "cant_invite_self is success")
}

// One unknown or deactivated person is skipped and named; the rest are invited.
func TestInviteDegradesPerPerson(t *testing.T) {
	fake, c := newClient(t)
	ctx := context.Background()
	ch, err := c.CreateChannel(ctx, "inc-per-person")
	require.NoError(t, err)
	alice, bob, carol := fake.UserByName("alice"), fake.UserByName("bob"), fake.UserByName("carol")
	fake.Deactivate(carol)

	skipped, err := c.Invite(ctx, ch.ID, []string{alice, "U0STALE404", bob, carol})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{alice, bob, fakeslack.BotUserID}, fake.Members(ch.ID), "everyone Slack knows was invited")
	require.Len(t, skipped, 2)
	assert.Equal(t, "U0STALE404", skipped[0].SlackID)
	assert.Contains(t, skipped[0].Reason, "not a member of this workspace")
	assert.Equal(t, carol, skipped[1].SlackID)
	assert.Contains(t, skipped[1].Reason, "deactivated")

	skipped, err = c.Invite(ctx, ch.ID, []string{"U0STALE404"})
	require.NoError(t, err, "an unknown user alone is skipped, not an error to retry")
	assert.Len(t, skipped, 1)
}

func TestErrorsTranslated(t *testing.T) {
	fake, c := newClient(t)
	ctx := context.Background()

	_, err := c.CreateChannel(ctx, "general")
	assert.ErrorIs(t, err, ib.ErrChannelNameTaken)

	fake.Inject("conversations.create", fakeslack.Fault{Status: 429, RetryAfter: 9})
	_, err = c.CreateChannel(ctx, "inc-limited")
	var wait *ib.RetryAfterError
	require.ErrorAs(t, err, &wait)
	assert.Equal(t, 9*time.Second, wait.RetryAfter)

	fake.Inject("conversations.create", fakeslack.Fault{Status: 503})
	_, err = c.CreateChannel(ctx, "inc-unavailable")
	require.Error(t, err)
	assert.Equal(t, ib.EINTERNAL, ib.ErrorCode(err), "a 5xx stays retryable")
	assert.False(t, errors.As(err, &wait))
}

func TestFindChannelAndPost(t *testing.T) {
	fake, c := newClient(t)
	ctx := context.Background()
	ours, err := c.CreateChannel(ctx, "inc-mine")
	require.NoError(t, err)
	info, err := c.FindChannel(ctx, "inc-mine")
	require.NoError(t, err)
	assert.Equal(t, ours.ID, info.ID)
	assert.True(t, info.CreatedByUs)

	fake.CreateChannelAs("not-mine", fake.UserByName("bob"), "bob's")
	info, err = c.FindChannel(ctx, "not-mine")
	require.NoError(t, err)
	assert.False(t, info.CreatedByUs)
	assert.Equal(t, "bob's", info.Purpose)

	_, err = c.FindChannel(ctx, "nowhere")
	assert.Equal(t, ib.ENOTFOUND, ib.ErrorCode(err))

	msg := ib.NewMessage(ib.MsgAnnouncement, ib.Summary{ID: "INC-20261123-K7QF", Title: "Checkout down", Severity: ib.S1}, "")
	ts, err := c.Post(ctx, "incidents", msg)
	require.NoError(t, err)
	posted, err := c.PostedKeys(ctx, "incidents")
	require.NoError(t, err)
	assert.Equal(t, ts, posted[msg.Key], "a post is found by its key")
	assert.Empty(t, posted["INC-20261123-K7QF:other"])

	// Timeline posts merged into one are each found by their own key.
	parts := []ib.Message{ib.NewMessage(ib.MsgEvent, msg.Incident, "3"), ib.NewMessage(ib.MsgEvent, msg.Incident, "4")}
	ts, err = c.Post(ctx, "incidents", ib.Merged(parts))
	require.NoError(t, err)
	posted, err = c.PostedKeys(ctx, "incidents")
	require.NoError(t, err)
	assert.Equal(t, ts, posted[parts[0].Key])
	assert.Equal(t, ts, posted[parts[1].Key])

	// A page goes to a person: found again in the direct conversation.
	bob := fake.UserByName("bob")
	pageMsg := ib.NewMessage(ib.MsgPage, msg.Incident, "P1-0")
	pageMsg.Page = &ib.Page{ID: "P1"}
	ts, err = c.Post(ctx, bob, pageMsg)
	require.NoError(t, err)
	posted, err = c.PostedKeys(ctx, bob)
	require.NoError(t, err)
	assert.Equal(t, ts, posted[pageMsg.Key], "a retried page finds the first one")

	// The bot is not in #general: posting there joins it first.
	ts, err = c.Post(ctx, "general", msg)
	require.NoError(t, err)
	assert.NotEmpty(t, ts)
}

func TestRender(t *testing.T) {
	s := ib.Summary{
		ID: "INC-20261123-K7QF", Title: strings.Repeat("Very long title ", 20), Severity: ib.S1, Status: ib.Identified,
		Stage: ib.StageActive, Commander: ib.Person{SlackID: "U0000ALICE"}, Impact: "<!channel> & friends",
		DeclaredAt: time.Date(2026, 11, 23, 3, 55, 0, 0, time.UTC),
	}
	topic := slack.Topic(s)
	assert.LessOrEqual(t, len([]rune(topic)), 250)
	assert.Contains(t, topic, "<@U0000ALICE>")
	assert.Contains(t, topic, "Identified")

	text, blocks := slack.Render(ib.NewMessage(ib.MsgHeader, s, ""), "http://localhost:8233/namespaces/default/workflows/"+s.ID)
	assert.Contains(t, text, s.ID)
	header := renderText(t, blocks)
	assert.Contains(t, header, "<http://localhost:8233/namespaces/default/workflows/INC-20261123-K7QF|history in the Temporal Web UI>")
	assert.Contains(t, header, "Customers' workloads affected*\\nNot known yet", "an unanswered question says so")
	_, blocks = slack.Render(ib.NewMessage(ib.MsgAnnouncement, s, ""), "")
	joined := renderText(t, blocks)
	assert.Contains(t, joined, "&lt;!channel&gt; &amp; friends", "user text cannot Mention @channel")
	assert.NotContains(t, joined, "<!channel>")
}

// A refresh that changes neither the topic nor the header makes no call:
// conversations.setTopic is Tier 2 for the whole workspace. A failed call is
// not remembered, so it is made again.
func TestRefreshSetsOnlyWhatChanged(t *testing.T) {
	fake, c := newClient(t)
	ctx := context.Background()
	ch, err := c.CreateChannel(ctx, "inc-refresh")
	require.NoError(t, err)
	s := ib.Summary{ID: "INC-1", Title: "Login down", Severity: ib.S2, Status: ib.Investigating, Channel: ch}
	header, err := c.Post(ctx, ch.ID, ib.NewMessage(ib.MsgHeader, s, ""))
	require.NoError(t, err)
	refresh := func() {
		t.Helper()
		require.NoError(t, c.SetTopic(ctx, ch.ID, s))
		require.NoError(t, c.Update(ctx, ch.ID, header, ib.NewMessage(ib.MsgHeader, s, "")))
	}

	refresh()
	refresh()
	assert.Equal(t, 1, fake.Calls("conversations.setTopic"))
	assert.Equal(t, 1, fake.Calls("chat.update"))

	s.Links = append(s.Links, ib.Link{URL: "https://example.com/dash", Label: "dashboard"})
	refresh()
	assert.Equal(t, 1, fake.Calls("conversations.setTopic"), "a link is not in the topic")
	assert.Equal(t, 2, fake.Calls("chat.update"), "but it is in the header")

	s.Status = ib.Identified
	fake.Inject("conversations.setTopic", fakeslack.Fault{Status: 503})
	require.Error(t, c.SetTopic(ctx, ch.ID, s))
	refresh()
	assert.Equal(t, 3, fake.Calls("conversations.setTopic"), "a failed call is made again")
}
