// Package workflows holds the incident workflow and its contract with the front
// doors. api.go is that contract: everything the starter needs to start, change
// and read an incident, and nothing else.
package workflows

import (
	"time"

	"github.com/incident-buddy/ib"
)

// TaskQueue is where incident workflows and their activities run.
const TaskQueue = "incidents"

// WorkflowType is the registered name of IncidentWorkflow.
const WorkflowType = "IncidentWorkflow"

// Names the starter uses to reach a running incident.
const (
	// QueryState returns the whole ib.Incident.
	QueryState = "state"

	// SignalSlackEvent carries an ib.ChannelEvent from the incident's channel
	// (reactions, messages, edits). Duplicates are ignored by event ID.
	SignalSlackEvent = "slack-event"

	// Every change is an Update named in the command table (ib.Verbs, its
	// Update column): it takes the verb's change type (ib.SetSeverity, …) and
	// returns the incident's ib.Summary after the change; a validator refuses
	// a bad change with a reason, before anything is written to the history.

	// UpdateLinkTickets links customer tickets (a LinkRequest) to the
	// incident's problem ticket and returns an ib.LinkResult.
	UpdateLinkTickets = "link-tickets"
	// SignalTicket carries an ib.TicketEvent from Zendesk: a new ticket about
	// the incident, or a linked ticket's new status.
	SignalTicket = "zendesk-ticket"
	// SignalRecurrence carries the ID of a later incident of the same title,
	// declared after this one was resolved.
	SignalRecurrence = "recurrence"
)

// LinkRequest asks to link customer tickets.
type LinkRequest struct {
	IDs []int64   `json:"ids"`
	By  ib.Person `json:"by"`
}

// DeclareRequest starts an incident. The workflow ID is ID.
type DeclareRequest struct {
	ID          string         `json:"id"`
	Declaration ib.Declaration `json:"declaration"`
	DeclaredAt  time.Time      `json:"declared_at"`
	Settings    ib.Settings    `json:"settings"`
	// RecurrenceOf is the earlier incident of the same title, resolved or
	// closed, that this one recurs.
	RecurrenceOf string `json:"recurrence_of,omitempty"`
	// Carried is the state a long incident hands to its next run when it
	// continues as new; nil when the incident is declared.
	Carried *Carried `json:"carried,omitempty"`
}
