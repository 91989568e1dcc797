// Package statuspage is Incident Buddy's adapter to Atlassian Statuspage's REST
// API (v1): it opens and updates the public incident that tells customers
// what engineering knows. No Go library for the API is maintained, so this is
// a small client of the few calls used.
package statuspage

import (
	"context"
	"net/http"
	"strings"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/internal/httpjson"
)

// metadataKey marks the public incidents Incident Buddy opened, with the
// incident's ID, so that a retried create finds the first one.
const metadataKey = "incident_buddy"

// Client talks to one status page.
type Client struct {
	BaseURL    string // STATUSPAGE_URL, e.g. https://api.statuspage.io/v1
	PageID     string // STATUSPAGE_PAGE_ID
	APIKey     string // STATUSPAGE_API_KEY
	Components []string
	HTTP       *http.Client
}

// Incident is a public incident's state.
type Incident struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Status   string         `json:"status"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// componentStatus is what the affected components show while the incident is
// open, by severity, and once it is resolved.
func componentStatus(s ib.Severity, status ib.Status) string {
	switch {
	case status == ib.Resolved:
		return "operational"
	case s == ib.S1:
		return "major_outage"
	case s == ib.S2:
		return "partial_outage"
	default:
		return "degraded_performance"
	}
}

// Open creates the public incident for an incident, or finds the one an
// earlier try created: the API has no idempotency key, so the incident's ID
// rides in the public incident's metadata.
func (c *Client) Open(ctx context.Context, incidentID, name string, sev ib.Severity, status ib.Status, body string) (string, error) {
	if found, err := c.find(ctx, incidentID); err != nil || found != "" {
		return found, err
	}
	var created Incident
	err := c.do(ctx, http.MethodPost, "/pages/"+c.PageID+"/incidents", c.payload(name, sev, status, body, incidentID), &created)
	return created.ID, err
}

// Update posts a new status and message to a public incident.
func (c *Client) Update(ctx context.Context, id string, sev ib.Severity, status ib.Status, body string) error {
	return c.do(ctx, http.MethodPatch, "/pages/"+c.PageID+"/incidents/"+id, c.payload("", sev, status, body, ""), nil)
}

func (c *Client) payload(name string, sev ib.Severity, status ib.Status, body, incidentID string) map[string]any {
	in := map[string]any{"status": string(status), "body": body}
	if name != "" {
		in["name"] = name
	}
	if incidentID != "" {
		in["metadata"] = map[string]any{metadataKey: map[string]any{"id": incidentID}}
	}
	if len(c.Components) > 0 {
		components := map[string]string{}
		for _, id := range c.Components {
			components[id] = componentStatus(sev, status)
		}
		in["component_ids"], in["components"] = c.Components, components
	}
	return map[string]any{"incident": in}
}

// find looks for an unresolved public incident opened for incidentID.
func (c *Client) find(ctx context.Context, incidentID string) (string, error) {
	var open []Incident
	if err := c.do(ctx, http.MethodGet, "/pages/"+c.PageID+"/incidents/unresolved", nil, &open); err != nil {
		return "", err
	}
	for _, in := range open {
		if m, ok := in.Metadata[metadataKey].(map[string]any); ok && m["id"] == incidentID {
			return in.ID, nil
		}
	}
	return "", nil
}

// do makes one API call.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	return httpjson.Do(ctx, c.HTTP, "statuspage", method, strings.TrimSuffix(c.BaseURL, "/")+path,
		map[string]string{"Authorization": "OAuth " + c.APIKey}, in, out)
}
