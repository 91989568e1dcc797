package activities

import (
	"context"
	"time"

	"github.com/incident-buddy/ib"
)

// ResponderInput asks who must respond to an incident.
type ResponderInput struct {
	Services []string    `json:"services,omitempty"`
	Severity ib.Severity `json:"severity"`
	At       time.Time   `json:"at"`
}

// Responders is who is on call for the incident, as Slack users, and the
// services the catalog does not know.
type Responders struct {
	Responders []ib.Responder `json:"responders,omitempty"`
	Unknown    []string       `json:"unknown,omitempty"`
	// AlwaysPaged are the rotations every incident of the severity pages.
	AlwaysPaged []string `json:"always_paged,omitempty"`
	// Links are the services' dashboards and runbooks.
	Links []ib.Link `json:"links,omitempty"`
}

// FindResponders resolves the incident's services (and the severity's
// always-paged rotations) to who is on call, from the catalog the worker
// loaded. Members named by e-mail are looked up in Slack. Without a catalog
// nobody is found.
func (a *Activities) FindResponders(ctx context.Context, in ResponderInput) (Responders, error) {
	catalog := a.Catalog.Get()
	if catalog == nil {
		return Responders{}, nil
	}
	found, unknown := catalog.OnCallFor(in.Services, in.Severity, in.At)
	for i := range found {
		p, err := a.member(ctx, found[i].SlackID)
		if err != nil {
			return Responders{}, err
		}
		if p.Name == "" {
			p.Name = found[i].Name
		}
		found[i].Person = p
	}
	res := Responders{Responders: found, Unknown: unknown, AlwaysPaged: catalog.AlwaysPaged[in.Severity]}
	for _, name := range in.Services {
		res.Links = append(res.Links, a.serviceLinks(name)...)
	}
	return res, nil
}
