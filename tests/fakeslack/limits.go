package fakeslack

import (
	"math"
	"time"
)

// Slack's rate tiers: calls per minute per method per workspace.
const (
	tier1 = 1
	tier2 = 20
	tier3 = 50
	tier4 = 100
)

// tiers gives each method its tier, as Slack documents them.
var tiers = map[string]int{
	"auth.test":                    tier4,
	"apps.connections.open":        tier1,
	"conversations.create":         tier2,
	"conversations.list":           tier2,
	"conversations.setTopic":       tier2,
	"conversations.setPurpose":     tier2,
	"conversations.rename":         tier2,
	"conversations.invite":         tier3,
	"conversations.join":           tier3,
	"conversations.info":           tier3,
	"conversations.history":        tier3,
	"conversations.replies":        tier3,
	"conversations.open":           tier3,
	"reactions.remove":             tier2,
	"conversations.members":        tier4,
	"chat.update":                  tier3,
	"chat.getPermalink":            tier4,
	"users.info":                   tier4,
	"users.lookupByEmail":          tier3,
	"chat.postMessage":             600, // "special": limited per channel, see postsPerChannel
	"reactions.add":                tier3,
	"pins.add":                     tier2,
	"views.open":                   tier4,
	"views.update":                 tier4,
	"chat.postEphemeral":           tier4,
	"files.getUploadURLExternal":   tier4,
	"files.completeUploadExternal": tier4,
	"files.list":                   tier3,
}

// chat.postMessage allows about one message per second per channel, with short
// bursts: modelled as postBurst messages per postBurst seconds.
const postBurst = 3

// limiter is a sliding-window limiter per key: at most n calls in any window.
type limiter struct {
	scale float64
	calls map[string][]time.Time
}

func newLimiter(scale float64) *limiter {
	return &limiter{scale: scale, calls: map[string][]time.Time{}}
}

// take records a call at now if n per minute (scaled) allow it; otherwise it
// returns the Retry-After in whole seconds, at least 1.
func (l *limiter) take(key string, perMinute int, now time.Time) int {
	if perMinute <= 0 {
		return 0
	}
	return l.takeWindow(key, perMinute, time.Minute, now)
}

func (l *limiter) takeWindow(key string, n int, window time.Duration, now time.Time) int {
	window = time.Duration(float64(window) / l.scale)
	recent := l.calls[key]
	for len(recent) > 0 && now.Sub(recent[0]) >= window {
		recent = recent[1:]
	}
	if len(recent) >= n {
		l.calls[key] = recent
		wait := window - now.Sub(recent[0])
		return max(1, int(math.Ceil(wait.Seconds())))
	}
	l.calls[key] = append(recent, now)
	return 0
}
