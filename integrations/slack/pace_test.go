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
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, pace)})
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
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, 1)})
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
	c := slack.NewClient("xoxb-fake", srv.URL+"/api/", &http.Client{Transport: slack.Paced(nil, 1)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.CreateChannel(ctx, "inc-quick")
	require.NoError(t, err)
	assert.Equal(t, 1, fake.Calls("conversations.create"))
}
