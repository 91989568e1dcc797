package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/incident-buddy/ib"
)

// Tiers are the calls per minute Slack documents for each Web API method the
// worker calls ("per API method per app per workspace"). chat.postMessage is
// Slack's special tier instead: about one message a second per channel
// (postsPerSecond), whoever posts.
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

// postsPerSecond is chat.postMessage's pace in one channel. Slack allows
// short bursts beyond it without saying how long; the pacer does not count
// on them.
const postsPerSecond = 1

// Paced sends each Web API method's calls no faster than its tier allows, and
// the posts of each channel no faster than one a second, so a burst (200
// declarations at once, each announced in the same channel) reaches Slack as
// an even stream instead of a herd that is refused and retried together.
// Each method (or channel) keeps the times of its last n calls: a call goes
// when the n-th before it is a window old. A token bucket would not do: with
// a burst of n it sends 2n in the first window, which a tier of n refuses. A
// call whose turn comes after its context ends fails at once with
// ib.RetryAfterError for its turn, so the activity is retried then instead of
// timing out in the queue.
//
// A refused call keeps its turn for its next try when Caller names it the
// same way on every try (an activity's IDs): without that, every call
// refused in one window would be told the same next window and come back
// together, a herd of which the tier takes n and refuses the rest again, in
// no fair order, so that an unlucky incident could wait for its channel
// window after window.
//
// Several workers pace separately; Slack's own 429s still apply.
func Paced(next http.RoundTripper, o Pacing) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if o.Speed <= 0 {
		return next
	}
	caller, held := o.Caller, o.Held
	if caller == nil {
		caller = func(context.Context) string { return "" }
	}
	if held == nil {
		held = func(context.Context, string, time.Duration, bool) {}
	}
	minute, second := newLimit(time.Minute, o.Speed), newLimit(time.Second, o.Speed)
	p := &pacer{sent: map[string][]time.Time{}, kept: map[string]map[string]time.Time{}, longest: minute.window}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		method := path.Base(r.URL.Path)
		key, n, per := method, Tiers[method], minute
		if method == "chat.postMessage" {
			key, n, per = method+" "+channelOf(r), postsPerSecond, second
		}
		if n > 0 {
			wait, err := p.wait(r.Context(), key, n, per, caller(r.Context()))
			var refused *ib.RetryAfterError
			if wait > 0 {
				held(r.Context(), method, wait, errors.As(err, &refused))
			}
			if err != nil {
				return nil, err
			}
		}
		return next.RoundTrip(r)
	})
}

// Pacing is how Paced paces.
type Pacing struct {
	// Speed divides Slack's clock (a fake Slack on a faster one); ≤ 0 turns
	// pacing off.
	Speed float64
	// Caller names a call the same way on each of its tries (nil, or "" for
	// a call that is not tried again as itself: it keeps no turn).
	Caller func(context.Context) string
	// Held, when set, is told of each call held back: how long it waited for
	// its turn, or, refused, how far its turn was.
	Held func(ctx context.Context, method string, wait time.Duration, refused bool)
}

// limit is a pacing window on the pacer's clock.
type limit struct {
	window time.Duration
	// early is how much before its kept turn a refused call is asked back,
	// so that the retry's own way to the worker does not make it late.
	early time.Duration
}

func newLimit(window time.Duration, speed float64) limit {
	w := time.Duration(float64(window) / speed)
	// A margin for the call's way to Slack: calls sent a window apart must
	// still arrive a window apart.
	margin := w / 50
	return limit{window: w + margin, early: min(time.Second, margin)}
}

// channelOf is the channel a chat.postMessage request posts in, from its
// form (as slack-go sends it) or JSON body.
func channelOf(r *http.Request) string {
	if r.GetBody == nil {
		return ""
	}
	body, err := r.GetBody()
	if err != nil {
		return ""
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return ""
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var v struct {
			Channel string `json:"channel"`
		}
		_ = json.NewDecoder(bytes.NewReader(data)).Decode(&v)
		return v.Channel
	}
	form, _ := url.ParseQuery(string(data))
	return form.Get("channel")
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type pacer struct {
	mu   sync.Mutex
	sent map[string][]time.Time          // per method or channel, its last calls' turns, oldest first
	kept map[string]map[string]time.Time // per method or channel and caller, a refused call's turn
	// calls counts records, to forget now and then the channels done posting
	// (keys whose last turn is longest ago: past every window).
	calls   int
	longest time.Duration
}

// wait takes the key's next turn, or the turn kept for the caller, and
// sleeps until it. It returns how long the turn was from now.
func (p *pacer) wait(ctx context.Context, key string, n int, per limit, caller string) (time.Duration, error) {
	p.mu.Lock()
	now := time.Now()
	turn, kept := p.kept[key][caller]
	if kept {
		if delete(p.kept[key], caller); len(p.kept[key]) == 0 {
			delete(p.kept, key) // a channel's key goes with its last kept turn
		}
	} else {
		turn = p.next(key, n, per, now)
	}
	// The call needs some time of its own after its turn: a second, or half
	// of a shorter try (a quick call's).
	refused := false
	if deadline, ok := ctx.Deadline(); ok {
		refused = turn.After(deadline.Add(-min(time.Second, deadline.Sub(now)/2)))
	}
	if !kept && (!refused || caller != "") {
		p.record(key, n, turn, now)
	}
	if refused {
		if caller != "" {
			p.keep(key, caller, turn)
		}
		p.mu.Unlock()
		return turn.Sub(now), &ib.RetryAfterError{System: "slack " + key + " (paced to its tier)", RetryAfter: max(0, turn.Sub(now)-per.early)}
	}
	p.mu.Unlock()

	wait := turn.Sub(now)
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return wait, ctx.Err()
		}
	}
	return wait, nil
}

// next is the key's next turn: now, or a window after the n-th call before
// it.
func (p *pacer) next(key string, n int, per limit, now time.Time) time.Time {
	if turns := p.sent[key]; len(turns) >= n {
		return later(now, turns[len(turns)-n].Add(per.window))
	}
	return now
}

// record takes a turn: the key keeps its last n. Now and then the keys whose
// last turn is past every window are forgotten (they pace nothing any more: a
// channel of a closed incident), and the kept turns whose callers never came
// back, so that months of channels do not pile up.
func (p *pacer) record(key string, n int, turn, now time.Time) {
	turns := p.sent[key]
	if len(turns) >= n {
		turns = turns[len(turns)-n+1:]
	}
	p.sent[key] = append(turns, turn)
	if p.calls++; p.calls%1000 == 0 {
		for k, turns := range p.sent {
			if turns[len(turns)-1].Add(p.longest).Before(now) {
				delete(p.sent, k)
			}
		}
		for k, kept := range p.kept {
			for c, t := range kept {
				if t.Add(p.longest).Before(now) {
					delete(kept, c)
				}
			}
			if len(kept) == 0 {
				delete(p.kept, k)
			}
		}
	}
}

// keep holds a refused call's turn for its next try. Turns whose callers
// never come back (their incident ended, or a worker that restarted forgot
// the rest) are forgotten with the keys done pacing (record).
func (p *pacer) keep(key, caller string, turn time.Time) {
	if p.kept[key] == nil {
		p.kept[key] = map[string]time.Time{}
	}
	p.kept[key][caller] = turn
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
