// Package activities holds every side effect of an incident workflow. Each
// activity is idempotent: Temporal may run it again after a crash, a timeout or a
// lost reply, and the outcome must be the same as running it once.
package activities

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

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
	Slack      ib.Slack
	StatusPage ib.StatusPage       // nil when no status page is configured
	Catalog    *oncall.LiveCatalog // who is on call for what; may hold none
	Pager      ib.Pager            // PagerDuty, for rotations with a routing key; nil: Slack only
	Documents  ib.Documents        // where postmortem drafts are written
	Zendesk    ib.Zendesk          // nil when Zendesk is not configured
	// ZendeskPace spaces ticket updates in a batch (Zendesk allows 100 a minute).
	ZendeskPace time.Duration
	// PostmortemTemplate replaces ib.DefaultPostmortemTemplate when set.
	PostmortemTemplate string
	Settings           Settings
	Log                *zap.Logger
	// Noticed is told of each notice a service's watch delivered, by kind
	// (metrics); nil: nobody.
	Noticed func(ctx context.Context, kind string)
}
