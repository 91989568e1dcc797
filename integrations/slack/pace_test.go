package slack_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// burst creates n channels at once against a fake whose clock runs speed
// times Slack's, through a client paced at pace, and returns the errors.
func burst(t *testing.T, n int, speed, pace float64) (errs []error, took time.Duration) {
	t.Helper()
	srv := httptest.NewServer(fakeslack.New(fakeslack.Options{Scale: speed}))
	t.Cleanup(srv.Close)
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, slack.Pacing{Speed: pace})})
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := c.CreateChannel(ctx, fmt.Sprintf("inc-burst-%d", i)); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs, time.Since(start)
}

// No herds: a burst beyond conversations.create's tier (20 a minute) reaches
// Slack as its tier allows, so Slack refuses none of it.
func TestPacedBurstIsNeverRefused(t *testing.T) {
	const speed = 30 // a minute lasts 2 s: long beside a busy machine's delays
	errs, took := burst(t, 45, speed, speed)
	assert.Empty(t, errs, "no call refused with 429")
	assert.GreaterOrEqual(t, took, 2*time.Minute/speed, "45 calls at 20 a window take at least two windows after the first")

	unpaced, _ := burst(t, 45, speed, 0)
	require.NotEmpty(t, unpaced, "without pacing, the same burst is refused")
	var limited *ib.RetryAfterError
	assert.True(t, errors.As(unpaced[0], &limited), "refused with Retry-After: %v", unpaced[0])
}

// A call whose turn would come after its deadline is not sent: it fails at
// once, asking to be retried at its turn.
func TestPacedCallPastItsDeadlineWaitsOutside(t *testing.T) {
	srv := httptest.NewServer(fakeslack.New(fakeslack.Options{NoLimits: true}))
	t.Cleanup(srv.Close)
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, slack.Pacing{Speed: 1})})
	ctx := context.Background()
	for i := range 20 { // the tier's minute is used up
		_, err := c.CreateChannel(ctx, fmt.Sprintf("inc-turn-%d", i))
		require.NoError(t, err)
	}
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.CreateChannel(short, "inc-turn-late")
	var limited *ib.RetryAfterError
	require.True(t, errors.As(err, &limited), "asks to be retried: %v", err)
	assert.Greater(t, limited.RetryAfter, 50*time.Second, "its turn is about a minute after the first call")
	assert.Less(t, time.Since(start), 4*time.Second, "failed at once, not at its deadline")
}

// A quick call (a try of a second) whose turn is now is sent: the margin
// after its turn is half of a try shorter than two seconds.
func TestPacedQuickCallWithItsTurnNowIsSent(t *testing.T) {
	fake := fakeslack.New(fakeslack.Options{NoLimits: true})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, slack.Pacing{Speed: 1})})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.CreateChannel(ctx, "inc-quick")
	require.NoError(t, err)
	assert.Equal(t, 1, fake.Calls("conversations.create"))
}

// refusedTurns makes calls with tries too short for their turns, one caller
// each (or none), and returns the turn each was told to come back for.
func refusedTurns(t *testing.T, c *slack.Client, callers []string, caller *string, mu *sync.Mutex) []time.Time {
	t.Helper()
	var turns []time.Time
	for _, name := range callers {
		mu.Lock()
		*caller = name
		mu.Unlock()
		short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		asked := time.Now()
		_, err := c.CreateChannel(short, "inc-refused-"+name)
		cancel()
		var limited *ib.RetryAfterError
		require.True(t, errors.As(err, &limited), "refused for its turn: %v", err)
		turns = append(turns, asked.Add(limited.RetryAfter))
	}
	return turns
}

// A call refused because its turn is beyond its try keeps that turn for its
// next try: the calls refused in one window are asked back window after
// window, not all for the next one (a herd of which the tier refuses all but
// n again, in no fair order), and the caller's next try takes its kept turn.
func TestPacedRefusedCallKeepsItsTurn(t *testing.T) {
	const speed = 30 // a window of 2 s
	window := time.Minute / speed
	fake := fakeslack.New(fakeslack.Options{NoLimits: true})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	var caller string
	var held []heldCall
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, slack.Pacing{Speed: speed, Caller: func(context.Context) string {
		mu.Lock()
		defer mu.Unlock()
		return caller
	}, Held: func(_ context.Context, method string, wait time.Duration, refused bool) {
		mu.Lock()
		defer mu.Unlock()
		held = append(held, heldCall{method, wait, refused})
	}})})
	for i := range 20 { // the tier's window is used up
		_, err := c.CreateChannel(context.Background(), fmt.Sprintf("inc-first-%d", i))
		require.NoError(t, err)
	}
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("c%d", i))
	}
	kept := refusedTurns(t, c, names, &caller, &mu)
	for i := 20; i < 40; i++ {
		assert.GreaterOrEqual(t, kept[i].Sub(kept[i-20]), window-window/10,
			"the 20 refused after the next window's 20 come back a window later (%s)", names[i])
	}

	// The 26th refused caller comes back with a try long enough: it is sent
	// at its kept turn, not behind the 40 turns kept since.
	mu.Lock()
	caller = "c25"
	mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := c.CreateChannel(ctx, "inc-refused-c25")
	require.NoError(t, err)
	sent := time.Now()
	assert.False(t, sent.Before(kept[25].Add(-time.Second)), "not before its kept turn")
	newcomer := refusedTurns(t, c, []string{"newcomer"}, &caller, &mu)[0]
	assert.True(t, newcomer.After(kept[39]), "a new call's turn comes after every kept turn")
	assert.True(t, sent.Before(newcomer), "the kept turn went before the newcomer's")

	// Without callers, every call refused in the window is told the same
	// next window: the herd this prevents.
	unnamed := refusedTurns(t, c, []string{"", "", ""}, &caller, &mu)
	assert.Less(t, unnamed[2].Sub(unnamed[0]), window/2, "refused calls without a name share one turn")

	// Each call held back is told, by method (what the worker's metrics count).
	mu.Lock()
	defer mu.Unlock()
	refusals := 0
	for _, h := range held {
		assert.Equal(t, "conversations.create", h.method)
		assert.Positive(t, h.wait)
		if h.refused {
			refusals++
		}
	}
	assert.Equal(t, 40+1+3, refusals, "every refusal is told")
}

// heldCall is what the pacer told of a call it held back.
type heldCall struct {
	method  string
	wait    time.Duration
	refused bool
}

// posts sends posts[channel] messages to each channel at once, through a
// client paced at pace against a fake whose clock runs speed times Slack's,
// and returns the fake and the errors.
func posts(t *testing.T, speed, pace float64, posts map[string]int) (*fakeslack.Server, []error) {
	t.Helper()
	fake := fakeslack.New(fakeslack.Options{Scale: speed})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, slack.Pacing{Speed: pace})})
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for name, n := range posts {
		ch, err := c.CreateChannel(context.Background(), name)
		require.NoError(t, err)
		for i := range n {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if _, err := c.Post(ctx, ch.ID, ib.Message{Text: fmt.Sprintf("post %d", i)}); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return fake, errs
}

// Slack takes about one message a second in a channel, whoever posts: a
// burst into one channel (200 incidents announced at once) goes out a second
// apart, and another channel's posts do not wait behind it.
func TestPacedPostsPerChannel(t *testing.T) {
	const speed = 10 // a second lasts 100 ms
	fake, errs := posts(t, speed, speed, map[string]int{"inc-announcements": 6, "inc-other": 2})
	assert.Empty(t, errs, "no post refused with 429")
	busy, _ := fake.ChannelByName("inc-announcements")
	other, _ := fake.ChannelByName("inc-other")
	require.Len(t, busy.Messages, 6)
	require.Len(t, other.Messages, 2)
	for i := 1; i < len(busy.Messages); i++ {
		assert.GreaterOrEqual(t, busy.Messages[i].PostedAt.Sub(busy.Messages[i-1].PostedAt), time.Second/speed-time.Second/speed/10,
			"a second apart in the same channel")
	}
	assert.True(t, other.Messages[1].PostedAt.Before(busy.Messages[5].PostedAt), "the other channel's posts did not wait behind the burst")

	_, unpaced := posts(t, speed, 0, map[string]int{"inc-announcements": 6})
	require.NotEmpty(t, unpaced, "without pacing, the same burst is refused")
}
