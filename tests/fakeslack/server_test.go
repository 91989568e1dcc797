package fakeslack_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib/tests/fakeslack"
)

// The fake is only worth its tests if it behaves like Slack where the bot
// depends on it; these drive it with slack-go, as the bot does.
func start(t *testing.T, opts fakeslack.Options) (*fakeslack.Server, *goslack.Client) {
	t.Helper()
	fake := fakeslack.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, goslack.New("xoxb-fake", goslack.OptionAPIURL(srv.URL+"/api/"))
}

func channel(t *testing.T, fake *fakeslack.Server, name string) string {
	t.Helper()
	ch, ok := fake.ChannelByName(name)
	require.True(t, ok, "#%s", name)
	return ch.ID
}

// IDs are never given twice, across restarts too; people keep theirs.
func TestIDsUniqueAcrossRestarts(t *testing.T) {
	first := fakeslack.New(fakeslack.Options{})
	time.Sleep(2 * time.Millisecond) // the next start, a moment later
	second := fakeslack.New(fakeslack.Options{})
	a, _ := first.ChannelByName("general")
	b, _ := second.ChannelByName("general")
	assert.NotEqual(t, a.ID, b.ID)
	assert.Regexp(t, `^C[A-Z0-9]{6,}$`, b.ID)
	assert.Equal(t, first.UserByName("alice"), second.UserByName("alice"))
}

func code(err error) string {
	var resp goslack.SlackErrorResponse
	if errors.As(err, &resp) {
		return resp.Err
	}
	return ""
}

func TestAuth(t *testing.T) {
	fake := fakeslack.New(fakeslack.Options{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	_, err := goslack.New("xoxb-wrong", goslack.OptionAPIURL(srv.URL+"/api/")).AuthTest()
	assert.Equal(t, "invalid_auth", code(err))
}

func TestTierLimitAnswers429WithRetryAfter(t *testing.T) {
	fake, api := start(t, fakeslack.Options{})
	ctx := context.Background()
	for i := range 20 { // Tier 2: 20 a minute
		_, err := api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "c" + string(rune('a'+i))})
		require.NoError(t, err, "call %d is within the tier", i+1)
	}
	_, err := api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "one-too-many"})
	var limited *goslack.RateLimitedError
	require.ErrorAs(t, err, &limited)
	assert.Greater(t, limited.RetryAfter, 50*time.Second, "the window frees up only a minute after the first call")
	assert.LessOrEqual(t, limited.RetryAfter, 60*time.Second)

	_, err = api.SetTopicOfConversationContext(ctx, channel(t, fake, "general"), "x")
	assert.NotErrorAs(t, err, &limited, "limits are per method")
}

func TestScaledClock(t *testing.T) {
	_, api := start(t, fakeslack.Options{Scale: 60}) // a minute's limit per second
	ctx := context.Background()
	var limited *goslack.RateLimitedError
	for i := 0; i < 20; i++ {
		_, err := api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "s" + string(rune('a'+i))})
		require.NoError(t, err)
	}
	_, err := api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "late"})
	require.ErrorAs(t, err, &limited)
	assert.Equal(t, time.Second, limited.RetryAfter, "Retry-After is whole seconds, at least 1")
	time.Sleep(time.Second)
	_, err = api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "late"})
	assert.NoError(t, err)
}

func TestPerChannelMessageLimit(t *testing.T) {
	_, api := start(t, fakeslack.Options{})
	ctx := context.Background()
	var limited *goslack.RateLimitedError
	for i := range 3 {
		_, _, err := api.PostMessageContext(ctx, "incidents", goslack.MsgOptionText("burst", false))
		require.NoError(t, err, "message %d of a short burst", i+1)
	}
	_, _, err := api.PostMessageContext(ctx, "incidents", goslack.MsgOptionText("too fast", false))
	require.ErrorAs(t, err, &limited)
	_, _, err = api.PostMessageContext(ctx, "general", goslack.MsgOptionText("another channel", false))
	assert.NoError(t, err, "the limit is per channel")
}

func TestChannelsAndErrors(t *testing.T) {
	fake, api := start(t, fakeslack.Options{NoLimits: true})
	ctx := context.Background()

	for name, want := range map[string]string{"": "invalid_name_required", "Has Caps": "invalid_name_specials", "general": "name_taken",
		strings.Repeat("x", 81): "invalid_name_maxlength"} {
		_, err := api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: name})
		assert.Equal(t, want, code(err), "create %q", name)
	}
	ch, err := api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "inc-1"})
	require.NoError(t, err)
	assert.Equal(t, fakeslack.BotUserID, ch.Creator)

	alice, bob := fake.UserByName("alice"), fake.UserByName("bob")
	_, err = api.InviteUsersToConversationContext(ctx, ch.ID, alice)
	require.NoError(t, err)
	_, err = api.InviteUsersToConversationContext(ctx, ch.ID, alice, bob)
	assert.Equal(t, "already_in_channel", code(err))
	assert.NotContains(t, fake.Members(ch.ID), bob, "a failed invite invites nobody")
	_, err = api.InviteUsersToConversationContext(ctx, ch.ID, "U404")
	assert.Equal(t, "user_not_found", code(err))

	_, err = api.SetTopicOfConversationContext(ctx, ch.ID, strings.Repeat("t", 251))
	assert.Equal(t, "too_long", code(err))
	_, _, err = api.PostMessageContext(ctx, "C99999999", goslack.MsgOptionText("x", false))
	assert.Equal(t, "channel_not_found", code(err))
	other := fake.CreateChannelAs("bobs-channel", bob, "")
	_, _, err = api.PostMessageContext(ctx, other, goslack.MsgOptionText("x", false))
	assert.Equal(t, "not_in_channel", code(err))
}

func TestMetadataOnlyWhenAsked(t *testing.T) {
	fake, api := start(t, fakeslack.Options{NoLimits: true})
	ctx := context.Background()
	_, ts, err := api.PostMessageContext(ctx, "incidents", goslack.MsgOptionText("hello", false),
		goslack.MsgOptionMetadata(goslack.SlackMetadata{EventType: "t", EventPayload: map[string]any{"key": "k1"}}))
	require.NoError(t, err)

	plain, err := api.GetConversationHistoryContext(ctx, &goslack.GetConversationHistoryParameters{ChannelID: channel(t, fake, "incidents")})
	require.NoError(t, err)
	require.NotEmpty(t, plain.Messages)
	assert.Empty(t, plain.Messages[0].Metadata.EventType)

	full, err := api.GetConversationHistoryContext(ctx, &goslack.GetConversationHistoryParameters{ChannelID: channel(t, fake, "incidents"), IncludeAllMetadata: true})
	require.NoError(t, err)
	assert.Equal(t, ts, full.Messages[0].Timestamp)
	assert.Equal(t, "k1", full.Messages[0].Metadata.EventPayload["key"])
}

func TestFaults(t *testing.T) {
	fake, api := start(t, fakeslack.Options{NoLimits: true})
	ctx := context.Background()
	fake.Inject("conversations.create", fakeslack.Fault{Match: "other"}, fakeslack.Fault{DropReply: true, Match: "lost"})

	_, err := api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "unmatched"})
	assert.NoError(t, err, "a fault only hits matching calls")
	_, err = api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: "lost-reply"})
	require.Error(t, err)
	_, ok := fake.ChannelByName("lost-reply")
	assert.True(t, ok, "the effect happened though the reply was lost")

	fake.Inject("auth.test", fakeslack.Fault{Status: 503}, fakeslack.Fault{Status: 429, RetryAfter: 7})
	_, err = api.AuthTestContext(ctx)
	assert.Error(t, err)
	_, err = api.AuthTestContext(ctx)
	var limited *goslack.RateLimitedError
	require.ErrorAs(t, err, &limited)
	assert.Equal(t, 7*time.Second, limited.RetryAfter)
	_, err = api.AuthTestContext(ctx)
	assert.NoError(t, err, "faults are used up one per call")
}
