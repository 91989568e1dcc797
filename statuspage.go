package ib

import (
	"strings"
	"time"
)

// PublicIncident is the incident's public face on the status page.
type PublicIncident struct {
	IncidentID string    `json:"incident_id,omitempty"` // the status page's incident, once opened
	Status     Status    `json:"status,omitempty"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
	// RemindedAt is when the channel was last reminded that the status page
	// has gone without an update.
	RemindedAt time.Time `json:"reminded_at,omitzero"`
}

// PostStatusPage tells customers on the public status page where the
// incident stands.
type PostStatusPage struct {
	Status  Status `json:"status"`
	Message string `json:"text"`
	By      Person `json:"by"`
}

func (c *PostStatusPage) read(args []string, t Typist) error {
	if len(args) < 2 {
		return usageProblem("needs a status and a message for customers")
	}
	var err error
	c.Status, err = ParseStatus(args[0])
	c.Message, c.By = strings.Join(args[1:], " "), t.By
	return err
}

func (c PostStatusPage) Asker() Person { return c.By }

func (c PostStatusPage) Check(*Incident, time.Time) error {
	if !c.Status.Valid() {
		return Errorf(EINVALID, "Unknown status page status %q: use investigating, identified, monitoring or resolved.", c.Status)
	}
	return checkText("A status page update", c.Message, true, "statuspage investigating We are looking into failed checkouts.")
}

func (c PostStatusPage) Apply(inc *Incident, at time.Time) Applied {
	inc.StatusPage.Status, inc.StatusPage.UpdatedAt = c.Status, at.UTC()
	message := CleanText(c.Message)
	e := inc.record(at, EventStatusPage, c.By, string(c.Status)+": "+message)
	return Applied{Event: e, Owed: []Owed{{Kind: OweStatusPage, Status: c.Status, Text: message}}}
}
