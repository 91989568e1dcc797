package activities

import (
	"context"
	"time"
)

// Zendesk is what the activities need of Zendesk Support.
type Zendesk interface {
	// CreateTicket creates a ticket once per key: a retry with the same key
	// yields the ticket the first try created.
	CreateTicket(ctx context.Context, key string, t NewTicket) (int64, error)
	// FindByExternalID finds a ticket by its external ID; 0 when none.
	FindByExternalID(ctx context.Context, externalID string) (int64, error)
	// Ticket reads a ticket; ib.ENOTFOUND when there is none.
	Ticket(ctx context.Context, id int64) (ZendeskTicket, error)
	// LinkToProblem makes a ticket an incident of a problem ticket, with an
	// internal note, in one update.
	LinkToProblem(ctx context.Context, id, problemID int64, note string) error
	// AddNote adds an internal note.
	AddNote(ctx context.Context, id int64, note string) error
	// Search finds tickets with Zendesk's search syntax.
	Search(ctx context.Context, query string) ([]ZendeskTicket, error)
	// TicketURL is where an agent opens a ticket.
	TicketURL(id int64) string
}

// NewTicket is a ticket to create.
type NewTicket struct {
	Type       string   // problem
	Subject    string   // the first line agents see
	Body       string   // the first comment, internal
	ExternalID string   // the incident's ID: how a lost create is found again
	Tags       []string // incident, the incident's ID, its services
	Priority   string   // urgent, high, normal, low
}

// ZendeskTicket is a ticket as Zendesk says it is.
type ZendeskTicket struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"` // new, open, pending, hold, solved, closed
	Type      string    `json:"type,omitempty"`
	ProblemID int64     `json:"problem_id,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}
