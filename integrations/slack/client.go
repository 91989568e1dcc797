// Package slack is Incident Buddy's adapter to Slack's Web API: the client
// the activities use (through slack-go, implementing ib.Slack), and the Block
// Kit rendering of incidents, their modals and their answers. The gateway that
// answers Slack's requests is its subpackage, gateway.
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	goslack "github.com/slack-go/slack"

	"github.com/incident-buddy/ib"
)

// metadataType marks the messages this bot posts; their payload carries the
// message's idempotency key.
const metadataType = "incident_buddy_message"

// historyWindow is how many recent messages PostedKeys looks through. A retried
// post looks for its first try within seconds or minutes, long before a busy
// channel could push it this far back.
const historyWindow = 200

// Client implements ib.Slack on Slack's Web API.
type Client struct {
	api *goslack.Client
	// IncidentURL, when set, links each incident's header to its page in the
	// Temporal Web UI.
	IncidentURL func(id string) string

	mu        sync.Mutex
	botUserID string            // from auth.test, fetched once
	channels  map[string]string // channel name → ID, for names given in configuration
	emails    map[string]string // e-mail → user ID: users.lookupByEmail is Tier 3
	shown     map[string]string // what this process last set as a channel's topic or a header
}

// maxShown bounds what the client remembers of topics and headers set; past
// it, it forgets them all and sets each again once.
const maxShown = 10000

// alreadyShown says whether key (a channel's topic, a header) was last set
// to content by this process. A refresh changes the topic and header only
// where they differ: conversations.setTopic is Tier 2 (20 calls a minute for
// the whole workspace) and shows each change in the channel, and a summary
// changes more often than what its topic shows. Another worker's refresh, or
// a restart, costs at most one call more; a topic someone set by hand stays
// until the incident changes what its topic shows.
func (c *Client) alreadyShown(key, content string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shown[key] == content
}

// showed records what key was set to.
func (c *Client) showed(key, content string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.shown) >= maxShown {
		clear(c.shown)
	}
	c.shown[key] = content
}

var _ ib.Slack = (*Client)(nil)

// NewClient makes a client for the Web API at apiURL (SLACK_API_URL). opts add
// to slack-go's options (the app-level token for Socket Mode).
func NewClient(token, apiURL string, httpClient *http.Client, opts ...goslack.Option) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	opts = append([]goslack.Option{goslack.OptionAPIURL(apiURL), goslack.OptionHTTPClient(httpClient)}, opts...)
	return &Client{
		api:      goslack.New(token, opts...),
		channels: map[string]string{},
		shown:    map[string]string{},
	}
}

// API is the underlying slack-go client, for the gateway's own calls.
func (c *Client) API() *goslack.Client { return c.api }

func (c *Client) CreateChannel(ctx context.Context, name string) (ib.Channel, error) {
	ch, err := c.api.CreateConversationContext(ctx, goslack.CreateConversationParams{ChannelName: name})
	if err != nil {
		return ib.Channel{}, translate("conversations.create", err)
	}
	c.remember(ch.Name, ch.ID)
	return ib.Channel{ID: ch.ID, Name: ch.Name}, nil
}

func (c *Client) FindChannel(ctx context.Context, name string) (ib.ChannelInfo, error) {
	bot, err := c.botUser(ctx)
	if err != nil {
		return ib.ChannelInfo{}, err
	}
	params := &goslack.GetConversationsParameters{Limit: 1000, Types: []string{"public_channel"}}
	for {
		chans, next, err := c.api.GetConversationsContext(ctx, params)
		if err != nil {
			return ib.ChannelInfo{}, translate("conversations.list", err)
		}
		for _, ch := range chans {
			if ch.Name == name {
				c.remember(ch.Name, ch.ID)
				return ib.ChannelInfo{
					Channel:     ib.Channel{ID: ch.ID, Name: ch.Name},
					Purpose:     ch.Purpose.Value,
					CreatedByUs: ch.Creator == bot,
					Created:     ch.Created.Time(),
				}, nil
			}
		}
		if next == "" {
			return ib.ChannelInfo{}, ib.Errorf(ib.ENOTFOUND, "No channel #%s in the workspace.", name)
		}
		params.Cursor = next
	}
}

func (c *Client) SetPurpose(ctx context.Context, channelID, purpose string) error {
	_, err := c.api.SetPurposeOfConversationContext(ctx, channelID, purpose)
	return translate("conversations.setPurpose", err)
}

// SetTopic sets the incident channel's topic, unless this process set it
// to the same already.
func (c *Client) SetTopic(ctx context.Context, channelID string, s ib.Summary) error {
	topic, key := Topic(s), "topic:"+channelID
	if c.alreadyShown(key, topic) {
		return nil
	}
	if _, err := c.api.SetTopicOfConversationContext(ctx, channelID, topic); err != nil {
		return translate("conversations.setTopic", err)
	}
	c.showed(key, topic)
	return nil
}

// Invite adds users in one call. Slack refuses the whole call when one of
// several users cannot join (already in it, unknown, deactivated, a guest, from
// another organisation), so such an answer falls back to one call each: one
// stale ID never costs the others their invitation. Those who could not join
// are returned with Slack's reason.
func (c *Client) Invite(ctx context.Context, channelID string, userIDs []string) ([]ib.Uninvited, error) {
	_, err := c.api.InviteUsersToConversationContext(ctx, channelID, userIDs...)
	code := slackCode(err)
	if len(userIDs) > 1 && (goalMet[code] || uninvitable[code] != "") {
		var left []ib.Uninvited
		for _, u := range userIDs {
			one, err := c.Invite(ctx, channelID, []string{u})
			if err != nil {
				return left, err
			}
			left = append(left, one...)
		}
		return left, nil
	}
	if why := uninvitable[code]; why != "" {
		return []ib.Uninvited{{SlackID: userIDs[0], Reason: why}}, nil
	}
	return nil, translate("conversations.invite", err)
}

// uninvitable are conversations.invite's refusals that are about one person,
// with what the channel is told.
var uninvitable = map[string]string{
	"user_not_found":                "is not a member of this workspace (a stale ID in the catalog or rotation?)",
	"cant_invite":                   "cannot be invited (the account may be deactivated)",
	"user_is_restricted":            "is a guest who cannot join this channel",
	"user_is_ultra_restricted":      "is a single-channel guest",
	"ura_max_channels":              "is a single-channel guest already in their one channel",
	"user_team_not_in_channel":      "belongs to another organisation that is not in this channel",
	"no_external_invite_permission": "belongs to another organisation and may not be invited",
	"invitee_cant_see_channel":      "cannot see this channel from their workspace",
}

func (c *Client) Post(ctx context.Context, channel string, m ib.Message) (string, error) {
	text, blocks := Render(m, c.link(m.Incident.ID))
	opts := []goslack.MsgOption{
		goslack.MsgOptionText(text, false),
		goslack.MsgOptionBlocks(blocks...),
		goslack.MsgOptionMetadata(goslack.SlackMetadata{EventType: metadataType, EventPayload: payloadOf(m)}),
	}
	_, ts, err := c.api.PostMessageContext(ctx, channel, opts...)
	if slackCode(err) == "not_in_channel" {
		// The incidents channel is public: join it once, then post.
		if err := c.join(ctx, channel); err != nil {
			return "", err
		}
		_, ts, err = c.api.PostMessageContext(ctx, channel, opts...)
	}
	return ts, translate("chat.postMessage", err)
}

// payloadOf is a message's metadata: its key, and the keys of the posts
// merged into it, space-separated (Slack's payload values are plain).
func payloadOf(m ib.Message) map[string]any {
	payload := map[string]any{"key": m.Key}
	if len(m.Keys) > 0 {
		payload["keys"] = strings.Join(m.Keys, " ")
	}
	return payload
}

// PostedKeys reads the channel's recent messages (historyWindow of them) for
// the keys the bot posted them with.
func (c *Client) PostedKeys(ctx context.Context, channel string) (map[string]string, error) {
	id, err := c.channelID(ctx, channel)
	if err != nil {
		return nil, err
	}
	resp, err := c.api.GetConversationHistoryContext(ctx, &goslack.GetConversationHistoryParameters{
		ChannelID: id, Limit: historyWindow, IncludeAllMetadata: true,
	})
	if err != nil {
		return nil, translate("conversations.history", err)
	}
	posted := map[string]string{}
	for _, msg := range resp.Messages {
		if msg.Metadata.EventType != metadataType {
			continue
		}
		if key, ok := msg.Metadata.EventPayload["key"].(string); ok {
			posted[key] = msg.Timestamp
		}
		if keys, ok := msg.Metadata.EventPayload["keys"].(string); ok {
			for _, key := range strings.Fields(keys) {
				posted[key] = msg.Timestamp
			}
		}
	}
	return posted, nil
}

// Update replaces a message the bot posted (the header after a change),
// unless this process already set it to the same.
func (c *Client) Update(ctx context.Context, channel, ts string, m ib.Message) error {
	text, blocks := Render(m, c.link(m.Incident.ID))
	channel, err := c.channelID(ctx, channel) // chat.update takes only IDs
	if err != nil {
		return err
	}
	rendered, _ := json.Marshal(blocks)
	key, content := "message:"+channel+":"+ts, text+"\x00"+string(rendered)
	if c.alreadyShown(key, content) {
		return nil
	}
	_, _, _, err = c.api.UpdateMessageContext(ctx, channel, ts,
		goslack.MsgOptionText(text, false), goslack.MsgOptionBlocks(blocks...))
	if err != nil {
		return translate("chat.update", err)
	}
	c.showed(key, content)
	return nil
}

func (c *Client) link(id string) string {
	if c.IncidentURL == nil {
		return ""
	}
	return c.IncidentURL(id)
}

// LookupUserByEmail finds a user by e-mail, once per e-mail.
func (c *Client) LookupUserByEmail(ctx context.Context, email string) (string, error) {
	c.mu.Lock()
	id, ok := c.emails[email]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	u, err := c.api.GetUserByEmailContext(ctx, email)
	if err != nil {
		if slackCode(err) == "users_not_found" {
			return "", ib.Errorf(ib.EINVALID, "No Slack user has the e-mail %s (named in the catalog).", email)
		}
		return "", translate("users.lookupByEmail", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.emails == nil {
		c.emails = map[string]string{}
	}
	c.emails[email] = u.ID
	return u.ID, nil
}

func (c *Client) join(ctx context.Context, channel string) error {
	id, err := c.channelID(ctx, channel)
	if err != nil {
		return err
	}
	_, _, _, err = c.api.JoinConversationContext(ctx, id)
	return translate("conversations.join", err)
}

// channelID resolves a configured channel name ("incidents") to its ID, and a
// user's ID to the bot's direct conversation with them.
func (c *Client) channelID(ctx context.Context, channel string) (string, error) {
	if looksLikeChannelID(channel) {
		return channel, nil
	}
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		ch, _, _, err := c.api.OpenConversationContext(ctx, &goslack.OpenConversationParameters{Users: []string{channel}})
		if err != nil {
			return "", translate("conversations.open", err)
		}
		return ch.ID, nil
	}
	c.mu.Lock()
	id, ok := c.channels[channel]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	info, err := c.FindChannel(ctx, channel)
	return info.ID, err
}

func (c *Client) remember(name, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.channels[name] = id
}

func (c *Client) botUser(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.botUserID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	resp, err := c.api.AuthTestContext(ctx)
	if err != nil {
		return "", translate("auth.test", err)
	}
	c.mu.Lock()
	c.botUserID = resp.UserID
	c.mu.Unlock()
	return resp.UserID, nil
}

// looksLikeChannelID tells Slack's channel IDs (C…, G…, D…, upper case) from
// channel names, which are lower case.
func looksLikeChannelID(s string) bool {
	return len(s) >= 9 && strings.ContainsRune("CGD", rune(s[0])) && strings.ToUpper(s) == s
}

// goalMet are Slack's error codes that mean what we asked for is already so
// (failure mode F13).
var goalMet = map[string]bool{
	"already_in_channel": true, "already_reacted": true, "already_pinned": true,
	"cant_invite_self": true, "already_archived": true, "not_archived": true, "no_reaction": true,
}

// badInput are Slack's error codes that no retry can fix.
var badInput = map[string]bool{
	"user_not_found": true, "users_not_found": true, "invalid_name": true, "invalid_name_specials": true,
	"invalid_name_maxlength": true, "invalid_name_required": true, "channel_not_found": true,
	"is_archived": true, "msg_too_long": true, "invalid_blocks": true, "no_text": true,
	"too_long": true, "cant_update_message": true, "message_not_found": true, "user_is_restricted": true,
}

// translate turns slack-go's errors into the domain's: a 429 into
// ib.RetryAfterError, "already so" into success, name_taken into
// ib.ErrChannelNameTaken, hopeless input into ib.EINVALID. Anything else stays
// an ordinary, retryable error.
func translate(method string, err error) error {
	var limited *goslack.RateLimitedError
	code := slackCode(err)
	switch {
	case err == nil, goalMet[code]:
		return nil
	case errors.As(err, &limited):
		return &ib.RetryAfterError{System: "slack " + method, RetryAfter: limited.RetryAfter}
	case code == "name_taken":
		return fmt.Errorf("slack %s: %w", method, ib.ErrChannelNameTaken)
	case badInput[code]:
		return ib.Errorf(ib.EINVALID, "Slack refused %s: %s", method, code)
	default:
		return fmt.Errorf("slack %s: %w", method, err)
	}
}

func slackCode(err error) string {
	var resp goslack.SlackErrorResponse
	if errors.As(err, &resp) {
		return resp.Err
	}
	return ""
}
