package temporal

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/incident-buddy/ib"
)

// explain turns an error from Temporal about incident id into the domain's.
func (s *Incidents) explain(id string, err error) error {
	return explain(err, "There is no open incident "+id+". It may be resolved and closed; `list` shows the open ones.")
}

// explain turns an error from Temporal into the domain's: a workflow's
// refusal with its reason, a workflow that is not there (saying missing), or
// Temporal unavailable.
func explain(err error, missing string) error {
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &app) && isDomainCode(app.Type()):
		// A refusal by the workflow's validator, with its reason.
		return &ib.Error{Code: app.Type(), Message: app.Message()}
	case errors.As(err, &notFound):
		return &ib.Error{Code: ib.ENOTFOUND, Err: err, Message: missing}
	default:
		return unavailable(err)
	}
}

// unavailable is the answer when Temporal cannot be reached or fails. A refused
// connection means nothing was done. A request that timed out may still be
// carried out when the server wakes up; then trying again is still safe, since
// every request is idempotent.
func unavailable(err error) error {
	var unavail *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case errors.As(err, &unavail):
		return &ib.Error{Code: ib.EUNAVAILABLE, Err: err,
			Message: "Could not reach the incident service (Temporal). Nothing was changed; please try again in a moment."}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.As(err, &deadline):
		return &ib.Error{Code: ib.EUNAVAILABLE, Err: err,
			Message: "The incident service (Temporal) did not answer in time. If the request got through, it will show up shortly; trying again is safe, nothing happens twice."}
	}
	return &ib.Error{Code: ib.EINTERNAL, Err: err,
		Message: "The incident service failed; nothing was changed. Please try again, and tell the operators if it persists."}
}

func isDomainCode(code string) bool {
	switch code {
	case ib.EINVALID, ib.ENOTFOUND, ib.ECONFLICT, ib.EFORBIDDEN, ib.EUNAVAILABLE:
		return true
	}
	return false
}
