package slack

import (
	"context"
	"strings"
	"sync"
	"time"

	goslack "github.com/slack-go/slack"

	"github.com/incident-buddy/ib"
)

// rereadDirectory is how long the workspace's people are trusted as read:
// users.list is Tier 2, and people join or rename rarely.
const rereadDirectory = 10 * time.Minute

// Directory finds the people of the workspace by the names they go by: their
// handle, display name or real name, as someone typing @dora means them. It
// reads users.list, at most once per rereadDirectory, and again when a name
// is not found in an older reading.
type Directory struct {
	API *goslack.Client

	mu     sync.Mutex
	read   time.Time
	byName map[string][]string // lower-cased name → user IDs
}

// Find is the Slack user ID of the one person called name, or an error that
// says how to name them instead.
func (d *Directory) Find(ctx context.Context, name string) (string, error) {
	key := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "@"))
	ids, err := d.lookup(ctx, key, false)
	if err == nil && len(ids) == 0 {
		ids, err = d.lookup(ctx, key, true)
	}
	switch {
	case err != nil:
		return "", err
	case len(ids) == 0:
		return "", ib.Errorf(ib.EINVALID, "Nobody in this Slack workspace goes by @%s: pick them from Slack's @ menu, or give their user ID (U…).", ib.CleanText(key))
	case len(ids) > 1:
		return "", ib.Errorf(ib.EINVALID, "%d people go by @%s: pick the one you mean from Slack's @ menu.", len(ids), ib.CleanText(key))
	}
	return ids[0], nil
}

// lookup reads the people called key, reading users.list first when the
// reading is old, or when fresh is asked and the reading is not brand new.
func (d *Directory) lookup(ctx context.Context, key string, fresh bool) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	age := time.Since(d.read)
	if d.byName == nil || age > rereadDirectory || fresh && age > time.Minute {
		users, err := d.API.GetUsersContext(ctx, goslack.GetUsersOptionLimit(200))
		if err != nil {
			return nil, translate("users.list", err)
		}
		d.byName, d.read = map[string][]string{}, time.Now()
		for _, u := range users {
			if u.Deleted || u.IsBot || u.ID == "USLACKBOT" {
				continue
			}
			names := map[string]bool{}
			for _, n := range []string{u.Name, u.Profile.DisplayName, u.Profile.RealName, u.RealName} {
				if n = strings.ToLower(strings.TrimSpace(n)); n != "" && !names[n] {
					names[n] = true
					d.byName[n] = append(d.byName[n], u.ID)
				}
			}
		}
	}
	return d.byName[key], nil
}
