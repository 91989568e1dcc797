package zendesk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

// WebhookPath is where Zendesk's webhook posts ticket news.
const WebhookPath = "/zendesk/webhook"

// Zendesk signs a webhook request with the webhook's signing secret: the
// base64 HMAC-SHA256 of the timestamp header followed by the raw body.
const (
	signatureHeader = "X-Zendesk-Webhook-Signature"
	timestampHeader = "X-Zendesk-Webhook-Signature-Timestamp"
	// maxSkew refuses a signed request replayed later than this.
	maxSkew = 5 * time.Minute
)

// Sign is the signature Zendesk sends for a body at a timestamp; the fake
// Zendesk and the tests sign with it.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// WebhookPayload is the JSON the Zendesk trigger sends (README: "Zendesk").
// Zendesk's placeholders render as strings, so numbers may come quoted.
type WebhookPayload struct {
	Ticket struct {
		ID          json.Number `json:"id"`
		Subject     string      `json:"subject"`
		Description string      `json:"description"`
		Status      string      `json:"status"`
		URL         string      `json:"url"`
	} `json:"ticket"`
}

// Webhook takes Zendesk's news of tickets to the incidents they concern: the
// incidents a ticket names by ID, the incident it is linked to, or else the
// active incidents whose services it mentions (by name, alias or keyword).
type Webhook struct {
	Secret    string
	Incidents ib.IncidentService
	Catalog   *oncall.LiveCatalog
	// Watches hear of tickets that mention their services: a customer's
	// signal beside the service's alerts. nil: none.
	Watches ib.Watches
	Log     *zap.Logger
	Now     func() time.Time // time.Now unless a test sets another

	telling sync.WaitGroup // news being handed to incidents after the answer
}

// Wait blocks until every piece of news answered for is handed over, for a
// clean shutdown.
func (h *Webhook) Wait() { h.telling.Wait() }

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := h.verify(r.Header, body); err != nil {
		h.Log.Warn("refused an unverified Zendesk webhook", zap.String("reason", err.Error()), zap.String("remote", r.RemoteAddr))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	var p WebhookPayload
	id, err := int64(0), json.Unmarshal(body, &p)
	if err == nil {
		id, err = strconv.ParseInt(p.Ticket.ID.String(), 10, 64)
	}
	if err != nil || id <= 0 {
		http.Error(w, `the body must be {"ticket": {"id": …, "subject": …, "description": …, "status": …}}`, http.StatusBadRequest)
		return
	}
	e := ib.TicketEvent{ID: id, Subject: p.Ticket.Subject, Status: strings.ToLower(p.Ticket.Status), URL: p.Ticket.URL}
	text := p.Ticket.Subject + "\n" + p.Ticket.Description
	targets, err := h.targets(r.Context(), e, text)
	if err != nil {
		// Zendesk retries a webhook that fails; the news is not lost.
		http.Error(w, ib.ErrorMessage(err), http.StatusServiceUnavailable)
		return
	}
	// Zendesk is answered at once; the news reaches its incidents (a few, each
	// open: bounded work whatever the ticket says) right after.
	mentioned := h.mentioned(text)
	h.telling.Add(1)
	go func() {
		defer h.telling.Done()
		ctx := context.WithoutCancel(r.Context())
		h.tell(ctx, targets, e.Bounded())
		h.tellWatches(ctx, mentioned, e.Bounded())
	}()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"incidents": targets})
}

// tell hands the news to each incident, trying again a few times while
// Temporal cannot take it.
func (h *Webhook) tell(ctx context.Context, targets []string, e ib.TicketEvent) {
	var missed []string
	for _, incident := range targets {
		for wait := time.Second; ; wait *= 2 {
			err := h.Incidents.NotifyTicket(ctx, incident, e)
			if err == nil || ib.ErrorCode(err) != ib.EUNAVAILABLE || wait > 16*time.Second {
				if err != nil {
					missed = append(missed, incident)
				}
				break
			}
			time.Sleep(wait)
		}
	}
	if len(missed) > 0 {
		h.Log.Info("could not tell incidents of a ticket", zap.Strings("incidents", missed), zap.Int64("ticket", e.ID))
	}
}

func (h *Webhook) verify(header http.Header, body []byte) error {
	sig, ts := header.Get(signatureHeader), header.Get(timestampHeader)
	if h.Secret == "" {
		return fmt.Errorf("ZENDESK_WEBHOOK_SECRET is not set")
	}
	if sig == "" || ts == "" {
		return fmt.Errorf("no signature")
	}
	at, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return fmt.Errorf("bad timestamp %q", ts)
	}
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	if d := now.Sub(at); d > maxSkew || d < -maxSkew {
		return fmt.Errorf("timestamp %s too far from now", ts)
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(h.Secret, ts, body))) {
		return fmt.Errorf("signature mismatch")
	}
	return nil
}

// targets are the open incidents a ticket concerns: those it names by ID
// (a few at most, and only those open: one query), else the one it is linked
// to, else the active ones whose services it mentions.
func (h *Webhook) targets(ctx context.Context, e ib.TicketEvent, text string) ([]string, error) {
	if ids := ib.IncidentMentions(text); len(ids) > 0 {
		open, err := h.Incidents.List(ctx, ib.ListFilter{Query: fmt.Sprintf("WorkflowId IN ('%s')", strings.Join(ids, "','"))})
		if err != nil {
			return nil, err
		}
		var out []string
		for _, inc := range open {
			out = append(out, inc.ID)
		}
		return out, nil
	}
	linked, err := h.Incidents.List(ctx, ib.ListFilter{Query: fmt.Sprintf("IncidentTickets = '%d'", e.ID)})
	if err != nil {
		return nil, err
	}
	if len(linked) > 0 {
		return []string{linked[0].ID}, nil
	}
	active, err := h.Incidents.List(ctx, ib.ListFilter{Query: "IncidentStatus != 'resolved'"})
	if err != nil {
		return nil, err
	}
	catalog := h.Catalog.Get()
	var out []string
	for _, inc := range active {
		for _, s := range inc.Services {
			if oncall.MentionsAny(text, catalog.ServiceTerms(s)) {
				out = append(out, inc.ID)
				break
			}
		}
	}
	return out, nil
}

// maxMentionedServices bounds the watches one ticket reaches.
const maxMentionedServices = 5

// mentioned are the catalog's services a ticket's text names (by name, alias
// or keyword), at most maxMentionedServices.
func (h *Webhook) mentioned(text string) []string {
	catalog := h.Catalog.Get()
	if h.Watches == nil || catalog == nil {
		return nil
	}
	var out []string
	for _, s := range catalog.ServiceNames() {
		if len(out) < maxMentionedServices && oncall.MentionsAny(text, catalog.ServiceTerms(s)) {
			out = append(out, s)
		}
	}
	return out
}

// tellWatches hands a new ticket to the watches of the services it names;
// a service without recent alerts has no watch, and the ticket is no signal
// there. Only news of an open ticket counts.
func (h *Webhook) tellWatches(ctx context.Context, services []string, e ib.TicketEvent) {
	if e.Status == "solved" || e.Status == "closed" {
		return
	}
	for _, s := range services {
		if err := h.Watches.Ticket(ctx, s, e); err != nil {
			h.Log.Info("could not tell a service's watch of a ticket", zap.String("service", s), zap.Int64("ticket", e.ID), zap.Error(err))
		}
	}
}
