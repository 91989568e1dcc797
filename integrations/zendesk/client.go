// Package zendesk is the adapter to Zendesk Support, over go-zendesk: the
// incident's problem ticket, customer tickets linked to it, internal notes,
// and search; with Zendesk's errors turned into the domain's (a 429 into the
// activities' retry delay). go-zendesk sets headers client-wide, so the
// per-request Idempotency-Key travels in the request's context to a
// RoundTripper.
package zendesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	gozendesk "github.com/nukosuke/go-zendesk/zendesk"

	"github.com/incident-buddy/ib"
)

// Client talks to one Zendesk account.
type Client struct {
	api  *gozendesk.Client
	base string // https://acme.zendesk.com
}

// New connects to the account at baseURL (https://acme.zendesk.com, or a fake)
// with an agent's e-mail and API token, its calls sent through transport
// (nil: http.DefaultTransport).
func New(baseURL, email, token string, transport http.RoundTripper) (*Client, error) {
	base := strings.TrimSuffix(baseURL, "/")
	if transport == nil {
		transport = http.DefaultTransport
	}
	api, err := gozendesk.NewClient(&http.Client{Timeout: 15 * time.Second, Transport: idempotencyKeys{transport}})
	if err != nil {
		return nil, err
	}
	if err := api.SetEndpointURL(base + "/api/v2"); err != nil {
		return nil, fmt.Errorf("ZENDESK_URL %q: %w", baseURL, err)
	}
	api.SetCredential(gozendesk.NewAPITokenCredential(email, token))
	return &Client{api: api, base: base}, nil
}

var _ ib.Zendesk = (*Client)(nil)

// TicketURL is where an agent opens a ticket.
func (c *Client) TicketURL(id int64) string { return fmt.Sprintf("%s/agent/tickets/%d", c.base, id) }

// CreateTicket creates a ticket with an Idempotency-Key: Zendesk answers a
// retry with the same key and body with the ticket the first try created.
func (c *Client) CreateTicket(ctx context.Context, key string, t ib.NewTicket) (int64, error) {
	public := false
	created, err := c.api.CreateTicket(withKey(ctx, key), gozendesk.Ticket{
		Type: t.Type, Subject: t.Subject, ExternalID: t.ExternalID, Tags: t.Tags, Priority: t.Priority,
		Comment: &gozendesk.TicketComment{Body: t.Body, Public: &public},
	})
	return created.ID, translate("create a ticket", err)
}

// FindByExternalID finds the ticket created with an external ID; 0 when none.
func (c *Client) FindByExternalID(ctx context.Context, externalID string) (int64, error) {
	found, err := c.Search(ctx, fmt.Sprintf("type:ticket external_id:%q", externalID))
	if err != nil || len(found) == 0 {
		return 0, err
	}
	return found[0].ID, nil
}

// Ticket reads a ticket; ib.ENOTFOUND when there is none.
func (c *Client) Ticket(ctx context.Context, id int64) (ib.ZendeskTicket, error) {
	t, err := c.api.GetTicket(ctx, id)
	if err != nil {
		return ib.ZendeskTicket{}, translate(fmt.Sprintf("read ticket %d", id), err)
	}
	return ticket(t), nil
}

// LinkToProblem makes a ticket an incident of the problem ticket, with an
// internal note, in one update.
func (c *Client) LinkToProblem(ctx context.Context, id, problemID int64, note string) error {
	public := false
	_, err := c.api.UpdateTicket(ctx, id, gozendesk.Ticket{Type: "incident", ProblemID: problemID,
		Comment: &gozendesk.TicketComment{Body: note, Public: &public}})
	return translate(fmt.Sprintf("link ticket %d", id), err)
}

// AddNote adds an internal note (agents see it, the customer does not).
func (c *Client) AddNote(ctx context.Context, id int64, note string) error {
	public := false
	_, err := c.api.UpdateTicket(ctx, id, gozendesk.Ticket{Comment: &gozendesk.TicketComment{Body: note, Public: &public}})
	return translate(fmt.Sprintf("add a note to ticket %d", id), err)
}

// Search finds tickets with Zendesk's search syntax (first page, up to 100).
func (c *Client) Search(ctx context.Context, query string) ([]ib.ZendeskTicket, error) {
	results, _, err := c.api.Search(ctx, &gozendesk.SearchOptions{Query: query})
	if err != nil {
		return nil, translate("search tickets", err)
	}
	var out []ib.ZendeskTicket
	for _, r := range results.List() {
		if t, ok := r.(gozendesk.Ticket); ok {
			out = append(out, ticket(t))
		}
	}
	return out, nil
}

func ticket(t gozendesk.Ticket) ib.ZendeskTicket {
	out := ib.ZendeskTicket{ID: t.ID, Subject: t.Subject, Status: t.Status, Type: t.Type, ProblemID: t.ProblemID}
	if t.CreatedAt != nil {
		out.CreatedAt = t.CreatedAt.UTC()
	}
	return out
}

// translate turns Zendesk's answers into the domain's errors: 429 into a
// retry delay, 404 into ENOTFOUND, other refusals of the request (4xx) into
// EINVALID with Zendesk's own words; 5xx, 401/403 (a token being fixed) and
// network errors stay retryable.
func translate(what string, err error) error {
	var zerr gozendesk.Error
	if err == nil || !errors.As(err, &zerr) {
		if err != nil {
			return fmt.Errorf("zendesk: %s: %w", what, err)
		}
		return nil
	}
	status := zerr.Status()
	var body struct {
		Error       any    `json:"error"`
		Description string `json:"description"`
	}
	_ = json.NewDecoder(zerr.Body()).Decode(&body)
	switch {
	case status == http.StatusTooManyRequests:
		wait, _ := strconv.Atoi(zerr.Headers().Get("Retry-After"))
		return &ib.RetryAfterError{System: "zendesk", RetryAfter: time.Duration(max(wait, 1)) * time.Second}
	case status == http.StatusNotFound:
		return ib.Errorf(ib.ENOTFOUND, "Zendesk has no such ticket (%s).", what)
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status >= 500:
		return fmt.Errorf("zendesk: %s: %w", what, err)
	default:
		return ib.Errorf(ib.EINVALID, "Zendesk refused to %s: %s", what, strings.TrimSpace(body.Description))
	}
}

type keyContext struct{}

func withKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyContext{}, key)
}

// idempotencyKeys puts the request's Idempotency-Key, carried in its
// context, on the request.
type idempotencyKeys struct{ next http.RoundTripper }

func (t idempotencyKeys) RoundTrip(r *http.Request) (*http.Response, error) {
	if key, _ := r.Context().Value(keyContext{}).(string); key != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Idempotency-Key", key)
	}
	return t.next.RoundTrip(r)
}
