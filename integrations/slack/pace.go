package slack

import (
	"context"
	"net/http"
	"path"
	"sync"
	"time"

	"github.com/incident-buddy/ib"
)

// Tiers are the calls per minute Slack documents for each Web API method the
// worker calls ("per API method per app per workspace"). chat.postMessage is
// Slack's special tier (about one a second per channel), paced by the incident's
// own post queue instead.
var Tiers = map[string]int{
	"conversations.create":     20,
	"conversations.list":       20,
	"conversations.setTopic":   20,
	"conversations.setPurpose": 20,
	"conversations.rename":     20,
	"reactions.remove":         20,
	"pins.add":                 20,
	"users.list":               20,
	"conversations.invite":     50,
	"conversations.join":       50,
	"conversations.info":       50,
	"conversations.history":    50,
	"conversations.replies":    50,
	"conversations.open":       50,
	"chat.update":              50,
	"users.lookupByEmail":      50,
	"reactions.add":            50,
	"files.list":               50,
}

// Paced sends each Web API method's calls no faster than its tier allows, so a
// burst (200 declarations at once) reaches Slack as an even stream instead of
// a herd that is refused and retried together. Each method keeps the times of
// its last n calls: a call goes when the n-th before it is a minute old. A
// token bucket would not do: with a burst of n it sends 2n in the first
// minute, which a tier of n refuses. A call whose turn comes after its context
// ends fails at once with ib.RetryAfterError for its turn, so the activity is
// retried then instead of timing out in the queue.
//
// speed divides the minute (a fake Slack on a faster clock); speed ≤ 0 turns
// pacing off. Several workers pace separately; Slack's own 429s still apply.
func Paced(next http.RoundTripper, speed float64) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if speed <= 0 {
		return next
	}
	window := time.Duration(float64(time.Minute) / speed)
	// A margin for the call's way to Slack: calls sent a window apart must
	// still arrive a window apart.
	window += window / 50
	p := &pacer{window: window, sent: map[string][]time.Time{}}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		method := path.Base(r.URL.Path)
		if n := Tiers[method]; n > 0 {
			if err := p.wait(r.Context(), method, n); err != nil {
				return nil, err
			}
		}
		return next.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type pacer struct {
	window time.Duration
	mu     sync.Mutex
	sent   map[string][]time.Time // per method, its last calls' turns, oldest first
}

// wait takes the method's next turn and sleeps until it.
func (p *pacer) wait(ctx context.Context, method string, n int) error {
	p.mu.Lock()
	now := time.Now()
	turns := p.sent[method]
	turn := now
	if len(turns) >= n {
		turn = later(now, turns[len(turns)-n].Add(p.window))
	}
	// The call needs some time of its own after its turn: a second, or half
	// of a shorter try (a quick call's).
	if deadline, ok := ctx.Deadline(); ok && turn.After(deadline.Add(-min(time.Second, deadline.Sub(now)/2))) {
		p.mu.Unlock()
		return &ib.RetryAfterError{System: "slack " + method + " (paced to its tier)", RetryAfter: turn.Sub(now)}
	}
	if len(turns) >= n {
		turns = turns[len(turns)-n+1:]
	}
	p.sent[method] = append(turns, turn)
	p.mu.Unlock()

	if wait := turn.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
