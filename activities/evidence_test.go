package activities_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// collectSlack has messages to fetch and refuses reactions with react's error.
type collectSlack struct {
	ib.Slack
	fetchErr, react error
	reacted         []string
}

func (s *collectSlack) FetchMessage(_ context.Context, _, ts string) (ib.MessageContent, error) {
	if s.fetchErr != nil {
		return ib.MessageContent{}, s.fetchErr
	}
	return ib.MessageContent{TS: ts, Found: true, Text: "message " + ts}, nil
}

func (s *collectSlack) React(_ context.Context, _, ts, _ string) error {
	if s.react != nil {
		return s.react
	}
	s.reacted = append(s.reacted, ts)
	return nil
}

// Collect fetches and confirms in one call; the confirmations it cannot make
// come back unset rather than failing what was fetched, and a fetch that gets
// nothing fails the call, confirming nothing.
func TestCollect(t *testing.T) {
	in := activities.CollectInput{Channel: "C1", TS: []string{"1.1", "1.2"}, Changes: []activities.ReactionChange{
		{TS: "1.1", Emoji: "receipt", Add: true}, {TS: "1.2", Emoji: "receipt", Add: true}}}

	slack := &collectSlack{}
	got, err := (&activities.Activities{Slack: slack, Log: zap.NewNop()}).Collect(t.Context(), in)
	require.NoError(t, err)
	assert.Len(t, got.Fetched.Messages, 2)
	assert.Empty(t, got.Unset)
	assert.Equal(t, []string{"1.1", "1.2"}, slack.reacted)

	slack = &collectSlack{react: ib.Errorf(ib.EUNAVAILABLE, "Slack is down")}
	got, err = (&activities.Activities{Slack: slack, Log: zap.NewNop()}).Collect(t.Context(), in)
	require.NoError(t, err, "what was fetched is kept")
	assert.Len(t, got.Fetched.Messages, 2)
	assert.Equal(t, in.Changes, got.Unset, "the confirmations are left to be made on their own")

	slack = &collectSlack{fetchErr: ib.Errorf(ib.EUNAVAILABLE, "Slack is down")}
	_, err = (&activities.Activities{Slack: slack, Log: zap.NewNop()}).Collect(t.Context(), in)
	require.Error(t, err)
	assert.Empty(t, slack.reacted, "nothing confirmed that was not fetched")
}
