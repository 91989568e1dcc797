package activities

import (
	"context"

	"github.com/incident-buddy/ib"
)

// StatusPageInput is one update of the public status page.
type StatusPageInput struct {
	IncidentID     string      `json:"incident_id"`
	PageIncidentID string      `json:"page_incident_id,omitempty"` // "" until the public incident exists
	Name           string      `json:"name"`
	Severity       ib.Severity `json:"severity"`
	Status         ib.Status   `json:"status"`
	Body           string      `json:"body"`
}

// PostStatusPage opens the public incident on its first update and updates it
// after; it returns the public incident's ID.
func (a *Activities) PostStatusPage(ctx context.Context, in StatusPageInput) (string, error) {
	if a.StatusPage == nil {
		return "", a.fail(ib.Errorf(ib.EINVALID, "No status page is configured: set STATUSPAGE_PAGE_ID and STATUSPAGE_API_KEY for the worker."))
	}
	if in.PageIncidentID == "" {
		id, err := a.StatusPage.Open(ctx, in.IncidentID, in.Name, in.Severity, in.Status, in.Body)
		return id, a.fail(err)
	}
	return in.PageIncidentID, a.fail(a.StatusPage.Update(ctx, in.PageIncidentID, in.Severity, in.Status, in.Body))
}
