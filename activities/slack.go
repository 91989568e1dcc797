package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
)

// maxNameAttempts bounds the search for a free channel name ("-2", "-3", …) when
// other channels already hold an incident's name.
const maxNameAttempts = 20

// ChannelPurpose marks a channel as an incident's. It is how a retried
// OpenChannel recognises the channel its first try created.
func ChannelPurpose(incidentID string) string {
	return "Incident " + incidentID + " · managed by Incident Buddy"
}

// OpenChannel creates the incident's channel, or adopts it when an earlier try
// created it and then lost its reply (a crash, a timeout): Slack answers
// name_taken, and the channel is ours if its purpose names this incident, or,
// on a retry, if this bot created it since this activity began and no purpose
// was set yet. A name held by anyone else (another incident whose title makes
// the same name included) moves on to the next name.
func (a *Activities) OpenChannel(ctx context.Context, s ib.Summary) (ib.Channel, error) {
	for attempt := 1; attempt <= maxNameAttempts; attempt++ {
		name := ib.ChannelName(a.Settings.ChannelPrefix, s.DeclaredAt, s.Title, s.ID, attempt)
		ch, err := a.Slack.CreateChannel(ctx, name)
		if err == nil {
			return ch, a.fail(a.Slack.SetPurpose(ctx, ch.ID, ChannelPurpose(s.ID)))
		}
		if !errors.Is(err, ib.ErrChannelNameTaken) {
			return ib.Channel{}, a.fail(err)
		}
		info, err := a.Slack.FindChannel(ctx, name)
		if err != nil {
			// Taken, yet not found: a race with its deletion. Try again later.
			return ib.Channel{}, fmt.Errorf("find taken channel %s: %w", name, err)
		}
		switch {
		case strings.Contains(info.Purpose, s.ID):
			return info.Channel, nil
		case info.CreatedByUs && info.Purpose == "" && mayBeOurs(ctx, info):
			a.Log.Info("adopting the channel an earlier try created", zap.String("incident", s.ID), zap.String("channel", name))
			return info.Channel, a.fail(a.Slack.SetPurpose(ctx, info.ID, ChannelPurpose(s.ID)))
		}
		a.Log.Info("channel name held by another channel; trying the next", zap.String("incident", s.ID), zap.String("channel", name))
	}
	return ib.Channel{}, a.fail(ib.Errorf(ib.EINVALID, "no free channel name for %s after %d tries", s.ID, maxNameAttempts))
}

// mayBeOurs says whether a channel without a purpose that this bot created
// can be this activity's own: only on a retry (a first try created nothing
// before), and only if it was created after the activity was scheduled. The
// first try of another incident whose title gives the same name, racing
// this one, moves on instead of sharing the channel.
func mayBeOurs(ctx context.Context, ch ib.ChannelInfo) bool {
	if !activity.IsActivity(ctx) {
		return false
	}
	info := activity.GetInfo(ctx)
	return info.Attempt > 1 && !ch.Created.Before(info.ScheduledTime.Truncate(time.Second))
}

// SetTopic shows the incident's severity, status and commander in the channel's
// topic.
func (a *Activities) SetTopic(ctx context.Context, s ib.Summary) error {
	return a.fail(a.Slack.SetTopic(ctx, s.Channel.ID, s))
}

// Refresh brings the incident channel's topic and header up to date after
// changes, in one activity. Setting either to what it already is is
// harmless, so a retry needs no guard.
func (a *Activities) Refresh(ctx context.Context, s ib.Summary) error {
	if err := a.Slack.SetTopic(ctx, s.Channel.ID, s); err != nil {
		return a.fail(err)
	}
	if s.Channel.HeaderTS == "" {
		return nil
	}
	return a.fail(a.Slack.Update(ctx, s.Channel.ID, s.Channel.HeaderTS, ib.NewMessage(ib.MsgHeader, s, "")))
}

// InviteInput names who joins which channel.
type InviteInput struct {
	ChannelID string
	UserIDs   []string
	// Incident is the incident the channel is for, to name it when someone
	// could not be invited (empty in histories recorded before).
	Incident ib.Summary `json:",omitzero"`
}

// Invite adds people to the incident's channel. Those Slack will not let in
// are skipped, the others invited, and the channel told who was skipped and
// why, once however often the activity is tried.
func (a *Activities) Invite(ctx context.Context, in InviteInput) error {
	if len(in.UserIDs) == 0 {
		return nil
	}
	skipped, err := a.Slack.Invite(ctx, in.ChannelID, in.UserIDs)
	if err != nil || len(skipped) == 0 {
		return a.fail(err)
	}
	ids := make([]string, len(skipped))
	for i, u := range skipped {
		ids[i] = u.SlackID
	}
	m := ib.NewMessage(ib.MsgUninvited, in.Incident, strings.Join(ids, ","))
	m.Key = in.ChannelID + ":" + m.Key
	m.Uninvited = skipped
	_, err = a.postOnce(ctx, in.ChannelID, true, m)
	return err
}

// PostInput is a message for a channel: the incident's, a person's direct
// messages, or with Announce the incidents channel.
type PostInput struct {
	Channel string
	Message ib.Message
	// Announce posts to the incidents channel instead of Channel.
	Announce bool `json:",omitempty"`
	// LookFirst: an earlier run of the incident may have posted it already.
	LookFirst bool `json:",omitempty"`
	// Refresh, when set, brings the channel's topic and header up to date
	// with it once the message is posted: one call of the workflow for both.
	Refresh *ib.Summary `json:",omitempty"`
	// Batch, when set instead of Message, are timeline posts to post as one
	// message (ib.Merged), each once however often they are tried together.
	Batch []ib.Message `json:",omitempty"`
}

// Post posts a message, once, and then refreshes the topic and header if
// asked to.
func (a *Activities) Post(ctx context.Context, in PostInput) (string, error) {
	channel := in.Channel
	if in.Announce {
		channel = a.Settings.IncidentsChannel
	}
	parts := in.Batch
	if len(parts) == 0 {
		parts = []ib.Message{in.Message}
	}
	ts, err := a.postOnce(ctx, channel, in.LookFirst, parts...)
	if err != nil || in.Refresh == nil {
		return ts, err
	}
	return ts, a.Refresh(ctx, *in.Refresh)
}

// Announce posts a message to the incidents channel, once.
func (a *Activities) Announce(ctx context.Context, m ib.Message) (string, error) {
	return a.postOnce(ctx, a.Settings.IncidentsChannel, false, m)
}

// UpdateInput replaces an earlier message.
type UpdateInput struct {
	Channel string
	TS      string
	Message ib.Message
}

// UpdatePost replaces a message the bot posted (the header, after a change).
// Replacing with the same content twice is harmless, so it needs no guard.
func (a *Activities) UpdatePost(ctx context.Context, in UpdateInput) error {
	return a.fail(a.Slack.Update(ctx, in.Channel, in.TS, in.Message))
}

// postOnce makes posting idempotent. Slack has no idempotency key for messages,
// so a retry first looks for the message the earlier try may have posted (found
// by the key in its metadata), as does a post an earlier run may have made
// (lookFirst). The first try skips the look-up: that keeps the common path at
// one Slack call, and so does a retry after a try refused before it posted
// (below). Several timeline posts (parts) go as one message, less those found
// posted already: a retry that batches them otherwise than the first try did
// (an incident rebuilt from its history batches again) still posts each of
// them once, in order.
func (a *Activities) postOnce(ctx context.Context, channel string, lookFirst bool, parts ...ib.Message) (string, error) {
	info := activity.GetInfo(ctx)
	var posted map[string]string // of the parts, those posted already
	if lookFirst || info.Attempt > 1 {
		var known bool
		if posted, known = refusedBefore(ctx); !known {
			all, err := a.Slack.PostedKeys(ctx, channel)
			if err != nil {
				return "", a.fail(err)
			}
			posted = map[string]string{}
			for _, p := range parts {
				if ts := all[p.Key]; ts != "" {
					posted[p.Key] = ts
				}
			}
		}
		left := slices.DeleteFunc(slices.Clone(parts), func(p ib.Message) bool { return posted[p.Key] != "" })
		if len(left) == 0 {
			return posted[parts[0].Key], nil
		}
		parts = left
	}
	ts, err := a.Slack.Post(ctx, channel, ib.Merged(parts))
	var limited *ib.RetryAfterError
	if errors.As(err, &limited) && !info.IsLocalActivity {
		// Refused for a rate limit (Slack's 429, or the worker's pacer before
		// sending), nothing was posted: the next try is told what is, and
		// need not read the channel again (a Tier 3 call, itself limited).
		// Recorded before this try fails; should it not be, the next try
		// looks as before.
		activity.RecordHeartbeat(ctx, postTry{Attempt: info.Attempt, Posted: posted})
	}
	return ts, a.fail(err)
}

// postTry is what a try of a post refused before it posted leaves its next
// try: which of its parts are posted (nil: none). Posts are called without a
// heartbeat timeout, so the worker's heartbeats (Heartbeats) never replace it.
type postTry struct {
	Attempt int32             `json:"attempt"`
	Posted  map[string]string `json:"posted,omitempty"`
}

// refusedBefore is what the try just before this one knew was posted, when
// it was refused before posting anything; known is false when there was no
// such try (the one before may have posted, or died not knowing).
func refusedBefore(ctx context.Context) (posted map[string]string, known bool) {
	if !activity.HasHeartbeatDetails(ctx) {
		return nil, false
	}
	var last postTry
	if err := activity.GetHeartbeatDetails(ctx, &last); err != nil || last.Attempt != activity.GetInfo(ctx).Attempt-1 {
		return nil, false
	}
	return last.Posted, true
}
