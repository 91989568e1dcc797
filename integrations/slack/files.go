package slack

import (
	"context"
	"slices"

	"github.com/incident-buddy/ib"
	goslack "github.com/slack-go/slack"
)

// Upload shares a file in a channel with Slack's external upload flow
// (files.getUploadURLExternal, the bytes, files.completeUploadExternal).
func (c *Client) Upload(ctx context.Context, channelID, name, title string, content []byte) error {
	_, err := c.api.UploadFileContext(ctx, goslack.UploadFileParameters{
		Channel: channelID, Filename: name, Title: title, Content: string(content), FileSize: len(content),
	})
	return translate("files.upload", err)
}

// FindFile says whether a file of this name was shared in the channel.
func (c *Client) FindFile(ctx context.Context, channelID, name string) (bool, error) {
	files, _, err := c.api.GetFilesContext(ctx, goslack.GetFilesParameters{Channel: channelID, Count: 100})
	if err != nil {
		return false, translate("files.list", err)
	}
	for _, f := range files {
		if f.Name == name {
			return true, nil
		}
	}
	return false, nil
}

// historyPage is how many messages one history call reads: Slack advises at
// most 200.
const historyPage = 200

// History reads a channel's whole history, oldest first, with each thread's
// replies after its parent.
func (c *Client) History(ctx context.Context, channelID string) ([]ib.ChannelMessage, error) {
	var newestFirst []goslack.Message
	cursor := ""
	for {
		resp, err := c.api.GetConversationHistoryContext(ctx, &goslack.GetConversationHistoryParameters{
			ChannelID: channelID, Limit: historyPage, Cursor: cursor,
		})
		if err != nil {
			return nil, translate("conversations.history", err)
		}
		newestFirst = append(newestFirst, resp.Messages...)
		if cursor = resp.ResponseMetaData.NextCursor; !resp.HasMore || cursor == "" {
			break
		}
	}
	bot, err := c.botUser(ctx)
	if err != nil {
		return nil, err
	}
	var out []ib.ChannelMessage
	for i := len(newestFirst) - 1; i >= 0; i-- {
		m := newestFirst[i]
		out = append(out, channelMessage(m, bot))
		if m.ReplyCount == 0 {
			continue
		}
		replies, err := c.replies(ctx, channelID, m.Timestamp, bot)
		if err != nil {
			return nil, err
		}
		out = append(out, replies...)
	}
	return out, nil
}

func (c *Client) replies(ctx context.Context, channelID, parent, bot string) ([]ib.ChannelMessage, error) {
	var out []ib.ChannelMessage
	cursor := ""
	for {
		msgs, more, next, err := c.api.GetConversationRepliesContext(ctx, &goslack.GetConversationRepliesParameters{
			ChannelID: channelID, Timestamp: parent, Limit: historyPage, Cursor: cursor,
		})
		if err != nil {
			return nil, translate("conversations.replies", err)
		}
		for _, m := range msgs {
			if m.Timestamp != parent {
				out = append(out, channelMessage(m, bot))
			}
		}
		if cursor = next; !more || cursor == "" {
			return out, nil
		}
	}
}

// channelMessage is a message as an export keeps it; bot is the bot's user.
func channelMessage(m goslack.Message, bot string) ib.ChannelMessage {
	files := make([]string, 0, len(m.Files))
	for _, f := range m.Files {
		files = append(files, f.Name)
	}
	thread := m.ThreadTimestamp
	if thread == m.Timestamp {
		thread = ""
	}
	reactions := 0
	for _, r := range m.Reactions {
		reactions += r.Count
		if slices.Contains(r.Users, bot) {
			reactions--
		}
	}
	return ib.ChannelMessage{TS: m.Timestamp, Thread: thread, User: m.User, Text: m.Text, Files: files,
		Bot: m.BotID != "" || m.User == bot, Reactions: reactions}
}

// UserZone is the time zone of a person's Slack profile ("" when Slack does
// not say).
func (c *Client) UserZone(ctx context.Context, userID string) (string, error) {
	return ProfileZone(ctx, c.api, userID)
}

// ProfileZone reads the time zone of a person's Slack profile (users.info),
// for the worker and the gateway alike.
func ProfileZone(ctx context.Context, api *goslack.Client, userID string) (string, error) {
	u, err := api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return "", translate("users.info", err)
	}
	return u.TZ, nil
}
