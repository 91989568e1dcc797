package ib

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. A code says what kind of failure it was, so that each front door
// can answer in its own way (an ephemeral Slack message, a CLI exit status).
const (
	EINVALID     = "invalid"     // the input is wrong; the message says how to fix it
	ENOTFOUND    = "not_found"   // no such incident (or it has been closed)
	ECONFLICT    = "conflict"    // the incident's state does not allow it
	EFORBIDDEN   = "forbidden"   // the caller may not do this
	EUNAVAILABLE = "unavailable" // a system we depend on did not answer; try again
	EINTERNAL    = "internal"    // a bug; details are logged, not shown
)

// Error is an error whose Message is safe to show to the person who caused it.
type Error struct {
	Code    string
	Message string
	Field   string // the input at fault ("title", "severity", …), when one is
	Err     error  // the cause, for logs; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	e := Errorf(EINVALID, format, args...)
	e.Field = field
	return e
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage is the one place an error becomes text a user may read: the
// message of an *Error, or a generic sentence that leaks no internals.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "Something went wrong inside Incident Buddy; the details are in its logs. Please try again."
	}
}

// ErrChannelNameTaken says a channel of that name already exists.
var ErrChannelNameTaken = errors.New("channel name taken")

// RetryAfterError says an outside system asked us to wait before the next try
// (an HTTP 429 with Retry-After). Activities turn it into Temporal's next-retry
// delay, so nobody sleeps or spins.
type RetryAfterError struct {
	System     string
	RetryAfter time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%s rate limit: retry after %s", e.System, e.RetryAfter)
}
