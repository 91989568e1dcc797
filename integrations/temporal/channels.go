package temporal

import (
	"regexp"
	"sync"
	"time"
)

var channelIDPattern = regexp.MustCompile(`^[CG][A-Z0-9]{6,}$`)

// forgetNoIncident is how long "this channel is no incident's" is believed. The
// bot also sits in ordinary channels (#incidents, #general), whose events would
// otherwise cost a lookup each. Visibility indexes a new incident's channel a
// moment after people can use it: the gateway has Slack deliver again the
// events of a channel made minutes ago that is no incident's yet, and after
// this memory they find it.
const forgetNoIncident = 30 * time.Second

// channelCache remembers which incident a channel belongs to ("" for none).
type channelCache struct {
	mu      sync.Mutex
	entries map[string]channelEntry
}

type channelEntry struct {
	incident string
	at       time.Time
}

// maxCachedChannels bounds the cache; past it, the cache starts over.
const maxCachedChannels = 10000

func (c *channelCache) get(channel string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[channel]
	if !ok || e.incident == "" && now.Sub(e.at) > forgetNoIncident {
		return "", false
	}
	return e.incident, true
}

func (c *channelCache) put(channel, incident string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedChannels {
		c.entries = map[string]channelEntry{}
	}
	c.entries[channel] = channelEntry{incident: incident, at: now}
}
