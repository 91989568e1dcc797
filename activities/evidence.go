package activities

import (
	"context"

	"github.com/incident-buddy/ib"
)

// FetchInput names collected messages to fetch.
type FetchInput struct {
	Channel string
	TS      []string
}

// FetchMessages reads collected messages from Slack. A message Slack no longer
// has comes back not found, not as an error. Reading is idempotent.
func (a *Activities) FetchMessages(ctx context.Context, in FetchInput) ([]ib.MessageContent, error) {
	out := make([]ib.MessageContent, 0, len(in.TS))
	for _, ts := range in.TS {
		m, err := a.Slack.FetchMessage(ctx, in.Channel, ts)
		if err != nil {
			return nil, a.fail(err)
		}
		out = append(out, m)
	}
	return out, nil
}

// ReactionChange is a reaction of the bot's to add or take back.
type ReactionChange struct {
	TS    string `json:"ts"`
	Emoji string `json:"emoji"`
	Add   bool   `json:"add,omitempty"`
}

// ReactionsInput are reactions to set in a channel.
type ReactionsInput struct {
	Channel string
	Changes []ReactionChange
}

// SetReactions confirms collected messages with the bot's own reaction, or
// takes it back when the message left its collection. Slack's "already so"
// answers count as done, so a retry is harmless.
func (a *Activities) SetReactions(ctx context.Context, in ReactionsInput) error {
	for _, c := range in.Changes {
		var err error
		if c.Add {
			err = a.Slack.React(ctx, in.Channel, c.TS, c.Emoji)
		} else {
			err = a.Slack.Unreact(ctx, in.Channel, c.TS, c.Emoji)
		}
		if err != nil && ib.ErrorCode(err) != ib.EINVALID {
			return a.fail(err)
		}
	}
	return nil
}
