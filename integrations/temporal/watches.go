package temporal

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/workflows"
)

// Watches implements ib.Watches over the services' watch workflows.
type Watches struct {
	Client client.Client
}

var _ ib.Watches = (*Watches)(nil)

// Alerts signals the service's watch, starting it when there is none
// (signal-with-start: two gateways taking alerts at once make one watch).
func (s *Watches) Alerts(ctx context.Context, service string, rules ib.WatchRules, alerts []ib.Alert) error {
	_, err := s.Client.SignalWithStartWorkflow(ctx, workflows.WatchID(service), workflows.SignalAlerts,
		workflows.AlertBatch{Rules: rules, Alerts: alerts},
		client.StartWorkflowOptions{TaskQueue: workflows.TaskQueue, StaticSummary: "Alerts of " + orNone(service)},
		workflows.WatchWorkflowType, workflows.WatchInput{Service: service})
	return s.explain(service, err)
}

// Ticket tells the service's watch of a customer's ticket; a service without
// a watch has no recent alerts, and the ticket is no signal.
func (s *Watches) Ticket(ctx context.Context, service string, t ib.TicketEvent) error {
	err := s.Client.SignalWorkflow(ctx, workflows.WatchID(service), "", workflows.SignalWatchTicket, t)
	if isNotFound(err) {
		return nil
	}
	return s.explain(service, err)
}

// Declared tells the service's watch, if any, of an incident declared for it.
func (s *Watches) Declared(ctx context.Context, service, incident string) error {
	err := s.Client.SignalWorkflow(ctx, workflows.WatchID(service), "", workflows.SignalIncidentDeclared, incident)
	if isNotFound(err) {
		return nil
	}
	return s.explain(service, err)
}

// Dismiss dismisses the service's open suggestion.
func (s *Watches) Dismiss(ctx context.Context, service string, by ib.Person, reason string) error {
	handle, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.WatchID(service), UpdateName: workflows.UpdateDismiss,
		Args: []any{workflows.DismissRequest{By: by, Reason: reason}}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	return s.explain(service, err)
}

// Recent are the service's recent alerts; none when it has no watch.
func (s *Watches) Recent(ctx context.Context, service string) ([]ib.AlertEpisode, error) {
	v, err := s.Client.QueryWorkflow(ctx, workflows.WatchID(service), "", workflows.QueryRecent)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.explain(service, err)
	}
	var out []ib.AlertEpisode
	return out, v.Get(&out)
}

func (s *Watches) explain(service string, err error) error {
	return explain(err, service+" has no recent alerts: its watch has ended, and with it any suggestion.")
}

func isNotFound(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound)
}

func orNone(service string) string {
	if service == "" {
		return "no catalog service"
	}
	return service
}
