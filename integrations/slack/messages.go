package slack

import (
	"context"
	"net/url"

	goslack "github.com/slack-go/slack"

	"github.com/incident-buddy/ib"
)

// FetchMessage reads one message. Slack has no "get message by timestamp": a
// top-level message is read from the channel's history, and a thread reply
// from its thread, whose parent the message's permalink names (thread_ts).
func (c *Client) FetchMessage(ctx context.Context, channelID, ts string) (ib.MessageContent, error) {
	link, err := c.api.GetPermalinkContext(ctx, &goslack.PermalinkParameters{Channel: channelID, Ts: ts})
	if code := slackCode(err); code == "message_not_found" || code == "channel_not_found" {
		return ib.MessageContent{TS: ts}, nil
	} else if err != nil {
		return ib.MessageContent{}, translate("chat.getPermalink", err)
	}
	var msgs []goslack.Message
	if parent := threadOf(link); parent != "" && parent != ts {
		msgs, _, _, err = c.api.GetConversationRepliesContext(ctx, &goslack.GetConversationRepliesParameters{
			ChannelID: channelID, Timestamp: parent, Oldest: ts, Latest: ts, Inclusive: true, Limit: 1,
		})
		err = translate("conversations.replies", err)
	} else {
		var resp *goslack.GetConversationHistoryResponse
		resp, err = c.api.GetConversationHistoryContext(ctx, &goslack.GetConversationHistoryParameters{
			ChannelID: channelID, Oldest: ts, Latest: ts, Inclusive: true, Limit: 1,
		})
		if resp != nil {
			msgs = resp.Messages
		}
		err = translate("conversations.history", err)
	}
	if err != nil {
		return ib.MessageContent{}, err
	}
	for _, m := range msgs {
		if m.Timestamp == ts {
			files := make([]string, 0, len(m.Files))
			for _, f := range m.Files {
				files = append(files, f.Name)
			}
			return ib.MessageContent{TS: ts, Found: true, Author: m.User, Text: m.Text, Permalink: link, Files: files}, nil
		}
	}
	return ib.MessageContent{TS: ts}, nil
}

// threadOf is the thread a permalink points into, or "".
func threadOf(permalink string) string {
	u, err := url.Parse(permalink)
	if err != nil {
		return ""
	}
	return u.Query().Get("thread_ts")
}

func (c *Client) React(ctx context.Context, channelID, ts, emoji string) error {
	return translate("reactions.add", c.api.AddReactionContext(ctx, emoji, goslack.NewRefToMessage(channelID, ts)))
}

func (c *Client) Unreact(ctx context.Context, channelID, ts, emoji string) error {
	return translate("reactions.remove", c.api.RemoveReactionContext(ctx, emoji, goslack.NewRefToMessage(channelID, ts)))
}
