package activities_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// raceSlack holds channels by name; setting a purpose takes a while, as a
// slow Slack call may: the window in which another incident's first try
// finds the channel without one.
type raceSlack struct {
	ib.Slack
	mu      sync.Mutex
	chans   map[string]*ib.ChannelInfo
	created chan struct{} // closed once the first channel exists
}

func (s *raceSlack) CreateChannel(_ context.Context, name string) (ib.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.chans[name]; ok {
		return ib.Channel{}, ib.ErrChannelNameTaken
	}
	ch := &ib.ChannelInfo{Channel: ib.Channel{ID: "C" + name, Name: name}, CreatedByUs: true, Created: time.Now()}
	s.chans[name] = ch
	if len(s.chans) == 1 {
		close(s.created)
	}
	return ch.Channel, nil
}

func (s *raceSlack) FindChannel(_ context.Context, name string) (ib.ChannelInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.chans[name], nil
}

func (s *raceSlack) SetPurpose(_ context.Context, id, purpose string) error {
	time.Sleep(300 * time.Millisecond) // the slow call the other incident overtakes
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.chans {
		if c.ID == id {
			c.Purpose = purpose
		}
	}
	return nil
}

// Two incidents whose titles make the same channel name, declared together:
// the second's first try finds the first's channel before its purpose is set,
// and takes the next name instead of sharing it (the adoption race).
func TestTwoIncidentsNeverShareAChannel(t *testing.T) {
	fake := &raceSlack{chans: map[string]*ib.ChannelInfo{}, created: make(chan struct{})}
	a := &activities.Activities{Slack: fake, Log: zap.NewNop(), Settings: activities.Settings{ChannelPrefix: "inc"}}
	at := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	titles := []string{"Login down", "Login down 🔥"}
	got := make([]ib.Channel, len(titles))
	var wg sync.WaitGroup
	for i, title := range titles {
		wg.Go(func() {
			if i > 0 {
				<-fake.created // within the first's slow SetPurpose
			}
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(a)
			v, err := env.ExecuteActivity(a.OpenChannel, ib.Summary{ID: ib.IncidentID(title, at, 1), Title: title, DeclaredAt: at})
			require.NoError(t, err, title)
			require.NoError(t, v.Get(&got[i]))
		})
	}
	wg.Wait()
	assert.Equal(t, "inc-20261202-login-down", got[0].Name)
	assert.Equal(t, "inc-20261202-login-down-2", got[1].Name, "the second incident takes the next name")
	assert.Len(t, fake.chans, 2)
}

// postsSlack keeps the messages posted to one channel.
type postsSlack struct {
	ib.Slack
	posted []ib.Message
}

func (s *postsSlack) Post(_ context.Context, _ string, m ib.Message) (string, error) {
	s.posted = append(s.posted, m)
	return fmt.Sprint(len(s.posted)), nil
}

func (s *postsSlack) PostedKeys(context.Context, string) (map[string]string, error) {
	keys := map[string]string{}
	for i, m := range s.posted {
		for _, k := range append([]string{m.Key}, m.Keys...) {
			keys[k] = fmt.Sprint(i + 1)
		}
	}
	return keys, nil
}

// Timeline posts tried again in another batch (an incident rebuilt from its
// history batches again) are each posted once, in order.
func TestTimelinePostsOnceWhateverTheBatch(t *testing.T) {
	slack := &postsSlack{}
	a := &activities.Activities{Slack: slack, Log: zap.NewNop()}
	s := ib.Summary{ID: "INC-1"}
	part := func(n int) ib.Message {
		m := ib.NewMessage(ib.MsgEvent, s, fmt.Sprint(n))
		m.Events = []ib.TimelineEvent{{Kind: ib.EventNote, Text: fmt.Sprint("note ", n)}}
		return m
	}
	post := func(lookFirst bool, parts ...ib.Message) {
		t.Helper()
		var env testsuite.WorkflowTestSuite
		act := env.NewTestActivityEnvironment()
		act.RegisterActivity(a)
		_, err := act.ExecuteActivity(a.Post, activities.PostInput{Channel: "C1", Batch: parts, LookFirst: lookFirst})
		require.NoError(t, err)
	}
	post(false, part(1), part(2))
	post(true, part(1), part(2), part(3))
	post(true, part(2), part(3))
	require.Len(t, slack.posted, 2)
	assert.Equal(t, []string{"INC-1:event:1", "INC-1:event:2"}, slack.posted[0].Keys)
	var lines []string
	for _, m := range slack.posted {
		for _, e := range m.Events {
			lines = append(lines, e.Text)
		}
	}
	assert.Equal(t, []string{"note 1", "note 2", "note 3"}, lines, "each once, in order")
}

// refusingSlack refuses its first posts, as a rate limit does (nothing
// posted), or fails them after posting, as a reply lost on the way back does;
// and counts the channel reads a retry makes to find what was posted.
type refusingSlack struct {
	postsSlack
	refuse, lose int
	reads        int
}

func (s *refusingSlack) Post(ctx context.Context, channel string, m ib.Message) (string, error) {
	switch {
	case s.refuse > 0:
		s.refuse--
		return "", &ib.RetryAfterError{System: "slack chat.postMessage", RetryAfter: 10 * time.Millisecond}
	case s.lose > 0:
		s.lose--
		_, _ = s.postsSlack.Post(ctx, channel, m)
		return "", errors.New("connection reset")
	}
	return s.postsSlack.Post(ctx, channel, m)
}

func (s *refusingSlack) PostedKeys(ctx context.Context, channel string) (map[string]string, error) {
	s.reads++
	return s.postsSlack.PostedKeys(ctx, channel)
}

// A post refused for a rate limit posted nothing, and its retry need not
// read the channel to know it (a Tier 3 call, limited itself): it posts at
// once. A try that may have posted (its reply lost) is followed by a retry
// that reads the channel first, and posts nothing twice; so is a post an
// earlier run may have made, once however often it is refused after.
func TestRetryAfterARefusalReadsNothing(t *testing.T) {
	post := func(slack *refusingSlack, lookFirst bool) {
		t.Helper()
		a := &activities.Activities{Slack: slack, Log: zap.NewNop()}
		wf := func(ctx workflow.Context) (string, error) {
			ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
				StartToCloseTimeout: time.Minute,
				RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Millisecond, MaximumAttempts: 10},
			})
			var ts string
			err := workflow.ExecuteActivity(ctx, a.Post, activities.PostInput{Channel: "C1", LookFirst: lookFirst,
				Message: ib.NewMessage(ib.MsgEvent, ib.Summary{ID: "INC-1"}, "1")}).Get(ctx, &ts)
			return ts, err
		}
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.RegisterActivity(a)
		env.RegisterWorkflow(wf)
		env.ExecuteWorkflow(wf)
		require.NoError(t, env.GetWorkflowError())
	}

	refused := &refusingSlack{refuse: 3}
	post(refused, false)
	assert.Len(t, refused.posted, 1)
	assert.Equal(t, 0, refused.reads, "refused tries posted nothing, and say so")

	lost := &refusingSlack{refuse: 1, lose: 1} // refused, then posted with its reply lost
	post(lost, false)
	assert.Len(t, lost.posted, 1, "posted once")
	assert.Equal(t, 1, lost.reads, "after a try that may have posted, the channel is read once")

	earlier := &refusingSlack{refuse: 3}
	post(earlier, true)
	assert.Len(t, earlier.posted, 1)
	assert.Equal(t, 1, earlier.reads, "a post an earlier run may have made is looked for once")
}
