// Package pagerduty sends pages to PagerDuty through its Events API v2, for
// rotations whose catalog entry names a routing key. No maintained Go library
// covers this one call better than a few lines.
package pagerduty

import (
	"context"
	"net/http"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/internal/httpjson"
)

// Client sends events to the Events API.
type Client struct {
	URL  string // PAGERDUTY_EVENTS_URL, e.g. https://events.pagerduty.com/v2/enqueue
	HTTP *http.Client
}

// Event actions.
const (
	Trigger     = "trigger"
	Acknowledge = "acknowledge"
	Resolve     = "resolve"
)

// Send sends one event. The API answers 202 once it has the event; 429, 5xx
// and network errors are worth retrying (429 after Retry-After), other 4xx
// are bad input.
func (c *Client) Send(ctx context.Context, routingKey, action, dedupKey, summary string, sev ib.Severity) error {
	body := map[string]any{"routing_key": routingKey, "event_action": action, "dedup_key": dedupKey}
	if action == Trigger {
		body["payload"] = map[string]any{"summary": truncate(summary, 1024), "source": "incident-buddy", "severity": severity(sev)}
	}
	return httpjson.Do(ctx, c.HTTP, "pagerduty", http.MethodPost, c.URL, nil, body, nil)
}

func severity(s ib.Severity) string {
	switch s {
	case ib.S1:
		return "critical"
	case ib.S2:
		return "error"
	case ib.S3:
		return "warning"
	default:
		return "info"
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
