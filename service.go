package ib

import (
	"context"
	"time"
)

// IncidentService is what front doors (the Slack gateway, the CLI) can do with
// incidents. integrations/temporal implements it over Temporal workflows.
// Errors are *Error with a user-safe message where the user can act on them.
type IncidentService interface {
	// Declare starts an incident, or joins the open one that the same
	// declaration already started.
	Declare(ctx context.Context, d Declaration) (Declared, error)
	// Change applies a change and returns the incident's summary after it, with
	// what the change recorded; a refusal says why (ECONFLICT, EINVALID),
	// ENOTFOUND when it is closed.
	Change(ctx context.Context, id string, c Change) (Changed, error)
	// Get returns an incident's whole state.
	Get(ctx context.Context, id string) (Incident, error)
	// List returns incidents, newest first.
	List(ctx context.Context, f ListFilter) ([]ListEntry, error)
	// FindByChannel returns the ID of the incident whose channel this is;
	// ENOTFOUND when the channel is no incident's.
	FindByChannel(ctx context.Context, channelID string) (string, error)
	// Notify hands an event of its channel to an open incident; ENOTFOUND when
	// the incident is closed or unknown.
	Notify(ctx context.Context, id string, e ChannelEvent) error
	// LinkTickets links customer tickets to the incident's problem ticket and
	// says, ticket by ticket, what became of them.
	LinkTickets(ctx context.Context, id string, by Person, ids []int64) (LinkResult, error)
	// NotifyTicket hands news of a Zendesk ticket to an open incident.
	NotifyTicket(ctx context.Context, id string, e TicketEvent) error
}

// Declared is the outcome of a declaration.
type Declared struct {
	ID string
	// Existing is true when the same incident was already open: a repeated or
	// simultaneous declare joins the first instead of starting another.
	Existing bool
	// RecurrenceOf is the earlier incident of the same title, resolved or
	// closed, that this new one recurs.
	RecurrenceOf string
}

// ListFilter narrows List.
type ListFilter struct {
	All   bool   // include closed incidents
	Query string // an extra visibility filter, e.g. "IncidentSeverity='S1'"
}

// ListEntry is one incident in a list.
type ListEntry struct {
	ID, Title string
	Severity  Severity
	Status    Status
	Stage     Stage
	Commander string
	Services  []string
	Open      bool
	StartedAt time.Time
}
