package activities

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/incident-buddy/ib"
)

func TestFail(t *testing.T) {
	a := &Activities{}
	assert.NoError(t, a.fail(nil))

	// F4: Slack's Retry-After becomes the next retry's delay.
	var app *temporal.ApplicationError
	err := a.fail(&ib.RetryAfterError{System: "slack", RetryAfter: 30 * time.Second})
	require.ErrorAs(t, err, &app)
	assert.Equal(t, ErrTypeRateLimited, app.Type())
	assert.Equal(t, 30*time.Second, app.NextRetryDelay())
	assert.False(t, app.NonRetryable())

	err = a.fail(ib.Errorf(ib.EINVALID, "Slack refused conversations.invite: user_not_found"))
	require.ErrorAs(t, err, &app)
	assert.True(t, app.NonRetryable(), "bad input cannot get better")

	plain := errors.New("connection reset")
	assert.Equal(t, plain, a.fail(plain), "anything else retries with backoff")
}
