package ib

import (
	"context"
	"time"
)

// The ports: what the incident's side effects need of the outside world.
// Each is implemented by an adapter under integrations/, which knows only
// this package; the activities call them. Every method that changes
// something is safe to call again with the same arguments.

// Slack is what an incident needs of Slack. The implementation renders domain
// values (Summary, Message) into Slack's formats and treats Slack's "the
// goal is already met" answers (already_in_channel and the like) as success.
type Slack interface {
	// CreateChannel creates a public channel; ErrChannelNameTaken when the name
	// exists.
	CreateChannel(ctx context.Context, name string) (Channel, error)
	// FindChannel finds a channel by name, archived ones included; an
	// ENOTFOUND *Error when there is none.
	FindChannel(ctx context.Context, name string) (ChannelInfo, error)
	SetPurpose(ctx context.Context, channelID, purpose string) error
	SetTopic(ctx context.Context, channelID string, s Summary) error
	// Invite adds users to a channel; users already in it are fine. Users who
	// cannot join are skipped, the others invited, and those skipped returned.
	Invite(ctx context.Context, channelID string, userIDs []string) ([]Uninvited, error)
	// Post posts a message and returns its timestamp. The message carries its Key
	// and Keys as metadata so that PostedKeys can find them later.
	Post(ctx context.Context, channel string, m Message) (ts string, err error)
	// PostedKeys are the keys of the bot's recent messages in a channel (each
	// message's Key and Keys), with each message's timestamp.
	PostedKeys(ctx context.Context, channel string) (map[string]string, error)
	Update(ctx context.Context, channel, ts string, m Message) error
	// FetchMessage reads a message, in a thread or not; Found is false when
	// Slack has no such message.
	FetchMessage(ctx context.Context, channelID, ts string) (MessageContent, error)
	React(ctx context.Context, channelID, ts, emoji string) error
	Unreact(ctx context.Context, channelID, ts, emoji string) error
	// LookupUserByEmail finds a Slack user by e-mail.
	LookupUserByEmail(ctx context.Context, email string) (string, error)
	// UserZone is the time zone of a user's profile ("" when not set).
	UserZone(ctx context.Context, userID string) (string, error)
	// Upload shares a file in a channel; FindFile says whether one of that
	// name was shared there already.
	Upload(ctx context.Context, channelID, name, title string, content []byte) error
	FindFile(ctx context.Context, channelID, name string) (bool, error)
	// History reads a channel's whole history, threads included, oldest first.
	History(ctx context.Context, channelID string) ([]ChannelMessage, error)
}

// Uninvited is a person who could not be invited to a channel, and why.
type Uninvited struct {
	SlackID string
	Reason  string
}

// ChannelInfo is what FindChannel tells about a channel.
type ChannelInfo struct {
	Channel
	Purpose     string
	CreatedByUs bool      // created by this bot's user
	Created     time.Time // when Slack created it (to the second)
}

// Documents is where postmortem drafts and channel exports are kept.
type Documents interface {
	// Put writes a document, replacing one of the same name, and returns
	// where people find it (a path or a URL).
	Put(ctx context.Context, name string, content []byte) (string, error)
}

// ChannelMessage is a message of an incident's channel, as its export keeps it.
type ChannelMessage struct {
	TS     string   `json:"ts"`
	Thread string   `json:"thread,omitempty"` // the parent's TS, for a reply in a thread
	User   string   `json:"user,omitempty"`
	Text   string   `json:"text"`
	Files  []string `json:"files,omitempty"`
	// Bot: posted by the bot itself. Reactions counts people's reactions to
	// it (the bot's own confirmations left out).
	Bot       bool `json:"bot,omitempty"`
	Reactions int  `json:"reactions,omitempty"`
}

// StatusPage is what an incident needs of the public status page.
type StatusPage interface {
	// Open creates the public incident, or finds the one an earlier try
	// created, and returns its ID.
	Open(ctx context.Context, incidentID, name string, sev Severity, status Status, body string) (string, error)
	Update(ctx context.Context, pageIncidentID string, sev Severity, status Status, body string) error
}

// Pager is what an incident needs of PagerDuty's Events API.
type Pager interface {
	Send(ctx context.Context, routingKey, action, dedupKey, summary string, sev Severity) error
}

// Zendesk is what an incident needs of Zendesk Support.
type Zendesk interface {
	// CreateTicket creates a ticket once per key: a retry with the same key
	// yields the ticket the first try created.
	CreateTicket(ctx context.Context, key string, t NewTicket) (int64, error)
	// FindByExternalID finds a ticket by its external ID; 0 when none.
	FindByExternalID(ctx context.Context, externalID string) (int64, error)
	// Ticket reads a ticket; ENOTFOUND when there is none.
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

// Watches are the services' alert watches, one durable watch per service
// with recent alerts.
type Watches interface {
	// Alerts hands a service's alerts to its watch, starting it if there is
	// none; service "" gathers the alerts of no known service.
	Alerts(ctx context.Context, service string, rules WatchRules, alerts []Alert) error
	// Ticket tells a service's watch, if there is one, of a customer's ticket
	// that mentions the service.
	Ticket(ctx context.Context, service string, t TicketEvent) error
	// Dismiss dismisses a service's open Declare? suggestion, with a reason.
	Dismiss(ctx context.Context, service string, by Person, reason string) error
	// Recent are a service's recent alerts (none when it has no watch).
	Recent(ctx context.Context, service string) ([]AlertEpisode, error)
}
