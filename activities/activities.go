// Package activities holds every side effect of an incident workflow. Each
// activity is idempotent: Temporal may run it again after a crash, a timeout or a
// lost reply, and the outcome must be the same as running it once.
package activities

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
)

// Slack is what the activities need of Slack. The implementation renders domain
// values (ib.Summary, ib.Message) into Slack's formats and treats Slack's "the
// goal is already met" answers (already_in_channel and the like) as success.
type Slack interface {
	// CreateChannel creates a public channel; ib.ErrChannelNameTaken when the name
	// exists.
	CreateChannel(ctx context.Context, name string) (ib.Channel, error)
	// FindChannel finds a channel by name, archived ones included; an
	// ib.ENOTFOUND *ib.Error when there is none.
	FindChannel(ctx context.Context, name string) (ChannelInfo, error)
	SetPurpose(ctx context.Context, channelID, purpose string) error
	SetTopic(ctx context.Context, channelID string, s ib.Summary) error
	// Invite adds users to a channel; users already in it are fine.
	Invite(ctx context.Context, channelID string, userIDs []string) error
	// Post posts a message and returns its timestamp. The message carries its Key
	// as metadata so that FindPost can find it later.
	Post(ctx context.Context, channel string, m ib.Message) (ts string, err error)
	// FindPost returns the timestamp of a recent message posted with the key, or
	// "" when there is none.
	FindPost(ctx context.Context, channel, key string) (ts string, err error)
	Update(ctx context.Context, channel, ts string, m ib.Message) error
	// FetchMessage reads a message, in a thread or not; Found is false when
	// Slack has no such message.
	FetchMessage(ctx context.Context, channelID, ts string) (ib.MessageContent, error)
	React(ctx context.Context, channelID, ts, emoji string) error
	Unreact(ctx context.Context, channelID, ts, emoji string) error
	// LookupUserByEmail finds a Slack user by e-mail.
	LookupUserByEmail(ctx context.Context, email string) (string, error)
	// UserZone is the time zone of a user's profile ("" when not set).
	UserZone(ctx context.Context, userID string) (string, error)
	// Upload shares a file in a channel; FindFile says whether one of that
	// name was shared there already.
	Upload(ctx context.Context, channelID, name, title string, content []byte) error
	FindFile(ctx context.Context, channelID, name string) (bool, error)
	// History reads a channel's whole history, threads included, oldest first.
	History(ctx context.Context, channelID string) ([]ChannelMessage, error)
}

// ChannelInfo is what FindChannel tells about a channel.
type ChannelInfo struct {
	ib.Channel
	Purpose     string
	CreatedByUs bool // created by this bot's user
}

// Settings are the worker's choices that shape what activities do.
type Settings struct {
	ChannelPrefix    string
	IncidentsChannel string
	// FollowUpRotation is the catalog's rotation that follows up with
	// customers after resolution.
	FollowUpRotation string
}

// Activities are the incident workflow's side effects. Workflows refer to them
// through a nil *Activities; the worker registers a real one.
type Activities struct {
	Slack      Slack
	StatusPage StatusPage      // nil when no status page is configured
	Catalog    *ib.LiveCatalog // who is on call for what; may hold none
	Pager      Pager           // PagerDuty, for rotations with a routing key; nil: Slack only
	Documents  Documents       // where postmortem drafts are written
	Zendesk    Zendesk         // nil when Zendesk is not configured
	// ZendeskPace spaces ticket updates in a batch (Zendesk allows 100 a minute).
	ZendeskPace time.Duration
	// PostmortemTemplate replaces ib.DefaultPostmortemTemplate when set.
	PostmortemTemplate string
	Settings           Settings
	Log                *zap.Logger
}
