package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
)

// limitedZendesk notes tickets until its rate limit runs out.
type limitedZendesk struct {
	ib.Zendesk
	budget int
	noted  []int64
}

func (z *limitedZendesk) AddNote(_ context.Context, id int64, _ string) error {
	if z.budget == 0 {
		return &ib.RetryAfterError{System: "zendesk", RetryAfter: 7 * time.Second}
	}
	z.budget--
	z.noted = append(z.noted, id)
	return nil
}

// A batch of notes stopped by Zendesk's rate limit keeps its progress and
// hands back the rest; stopped before any progress, it fails with Zendesk's
// Retry-After as the next retry's delay.
func TestNoteTicketsUnderTheRateLimit(t *testing.T) {
	z := &limitedZendesk{budget: 2}
	a := &Activities{Zendesk: z, Log: zap.NewNop()}
	rest, err := a.NoteTickets(context.Background(), NotesInput{IDs: []int64{1, 2, 3, 4}, Note: "resolved"})
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, z.noted)
	assert.Equal(t, []int64{3, 4}, rest)

	_, err = a.NoteTickets(context.Background(), NotesInput{IDs: rest, Note: "resolved"})
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app))
	assert.Equal(t, 7*time.Second, app.NextRetryDelay())

	_, err = (&Activities{Log: zap.NewNop()}).NoteTickets(context.Background(), NotesInput{IDs: []int64{1}})
	assert.ErrorContains(t, err, "Zendesk is not configured")
}
