package workflows

import (
	"errors"

	"github.com/incident-buddy/ib"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// How an incident takes what the front doors send: Updates (decoded by their
// verb, refused with the domain's reasons) and signals (taken without
// yielding, so that none is lost at continue-as-new).

// listenTo runs take whenever signals wait in ch, for as long as the run
// lasts.
func listenTo(ctx workflow.Context, ch workflow.ReceiveChannel, take func(workflow.Context)) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			_ = workflow.Await(ctx, func() bool { return ch.Len() > 0 })
			take(ctx)
		}
	})
}

// drain hands every signal waiting in ch to take, without yielding.
func drain[T any](ch workflow.ReceiveChannel, take func(T)) {
	for {
		var v T
		if !ch.ReceiveAsync(&v) {
			return
		}
		take(v)
	}
}

// decodeChange reads an Update's payload as its verb's change.
func decodeChange(v *ib.Verb, payload converter.RawValue) (ib.Change, error) {
	c := v.New()
	if err := converter.GetDefaultDataConverter().FromPayload(payload.Payload(), c); err != nil {
		return nil, temporal.NewNonRetryableApplicationError("the change could not be read: "+err.Error(), ib.EINVALID, err)
	}
	return c, nil
}

// refusal carries a domain error to the caller as an application error whose
// type is the error's code, so the front door can rebuild it.
func refusal(err error) error {
	if err == nil {
		return nil
	}
	return temporal.NewApplicationError(ib.ErrorMessage(err), ib.ErrorCode(err))
}

// activityRefusal turns an activity's non-retryable failure (bad input, no
// Zendesk configured) into the refusal its caller reads.
func activityRefusal(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return refusal(ib.Errorf(ib.EINVALID, "%s", app.Message()))
	}
	return refusal(ib.Errorf(ib.EUNAVAILABLE, "Zendesk could not be reached; try again in a minute."))
}
