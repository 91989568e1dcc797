// Package pagerduty sends pages to PagerDuty through its Events API v2, for
// rotations whose catalog entry names a routing key. No maintained Go library
// covers this one call better than a few lines.
package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/incident-buddy/ib"
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
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	httpClient := c.HTTP
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("pagerduty: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &ib.RetryAfterError{System: "pagerduty", RetryAfter: time.Duration(max(wait, 1)) * time.Second}
	case resp.StatusCode >= 500:
		return fmt.Errorf("pagerduty: %s", resp.Status)
	case resp.StatusCode >= 400:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return ib.Errorf(ib.EINVALID, "PagerDuty refused the event (%s): %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
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
