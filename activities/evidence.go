package activities

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
)

// FetchInput names collected messages to fetch.
type FetchInput struct {
	Channel string
	TS      []string
}

// FetchResult is what a fetch got through. Rest are the messages it did not
// reach before Slack's rate limit: retrying the whole batch would spend the
// next window on messages already fetched, and never finish.
type FetchResult struct {
	Messages []ib.MessageContent `json:"messages"`
	Rest     []string            `json:"rest,omitempty"`
}

// FetchMessages reads collected messages from Slack. A message Slack no longer
// has comes back not found, not as an error. Reading is idempotent.
func (a *Activities) FetchMessages(ctx context.Context, in FetchInput) (FetchResult, error) {
	var out FetchResult
	for i, ts := range in.TS {
		m, err := a.Slack.FetchMessage(ctx, in.Channel, ts)
		if err != nil {
			return out, a.partial(err, len(out.Messages) > 0, func() { out.Rest = in.TS[i:] })
		}
		out.Messages = append(out.Messages, m)
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
// takes it back when the message left its collection; it returns the changes
// it did not reach before Slack's rate limit. Slack's "already so" answers
// count as done, so a retry is harmless, and a message gone since is skipped.
func (a *Activities) SetReactions(ctx context.Context, in ReactionsInput) ([]ReactionChange, error) {
	for i, c := range in.Changes {
		var err error
		if c.Add {
			err = a.Slack.React(ctx, in.Channel, c.TS, c.Emoji)
		} else {
			err = a.Slack.Unreact(ctx, in.Channel, c.TS, c.Emoji)
		}
		if err != nil && ib.ErrorCode(err) != ib.EINVALID {
			var rest []ReactionChange
			return rest, a.partial(err, i > 0, func() { rest = in.Changes[i:] })
		}
	}
	return nil, nil
}

// CollectInput is newly collected messages to fetch and the bot's reactions
// to set, in one channel.
type CollectInput struct {
	Channel string
	TS      []string
	Changes []ReactionChange
}

// CollectResult is what Collect got through: the fetch's result, and the
// reactions it did not set (a suffix of the changes asked for).
type CollectResult struct {
	Fetched FetchResult      `json:"fetched"`
	Unset   []ReactionChange `json:"unset,omitempty"`
}

// Collect fetches newly collected messages and sets the bot's reactions in one
// call, so that a message collected costs the incident one step, not two. It
// fails as FetchMessages does, when nothing was fetched; once something was,
// it succeeds, and the reactions it could not set come back unset, for the
// incident to set on their own (where their error, if it lasts, is reported).
func (a *Activities) Collect(ctx context.Context, in CollectInput) (CollectResult, error) {
	got, err := a.FetchMessages(ctx, FetchInput{Channel: in.Channel, TS: in.TS})
	if err != nil {
		return CollectResult{}, err
	}
	out := CollectResult{Fetched: got}
	if out.Unset, err = a.SetReactions(ctx, ReactionsInput{Channel: in.Channel, Changes: in.Changes}); err != nil {
		a.Log.Info("fetched collected messages but could not confirm them; they are confirmed on their own next",
			zap.String("channel", in.Channel), zap.Error(err))
		out.Unset = in.Changes
	}
	return out, nil
}

// partial decides how a batch that hit an error ends: rate limited after some
// progress, it succeeds with the rest left over (keep) for the next batch;
// otherwise it fails as fail says.
func (a *Activities) partial(err error, progressed bool, keep func()) error {
	var wait *ib.RetryAfterError
	if progressed && errors.As(err, &wait) {
		keep()
		return nil
	}
	return a.fail(err)
}
