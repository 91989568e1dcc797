package ib

import (
	"slices"
	"time"
)

// Responder is someone on call who was pulled into the incident.
type Responder struct {
	Person
	Rotation string `json:"rotation"`
	Service  string `json:"service,omitempty"` // "" for a rotation every incident of the severity pages
}

// AddService says another service is affected: its on-call is pulled in.
type AddService struct {
	Service string `json:"target"`
	By      Person `json:"by"`
}

func (c *AddService) read(args []string, t Typist) error {
	if len(args) != 1 {
		return usageProblem("takes one service")
	}
	c.Service, c.By = args[0], t.By
	return nil
}

func (c AddService) Asker() Person { return c.By }

func (c AddService) Check(inc *Incident, _ time.Time) error {
	switch service := CleanText(c.Service); {
	case service == "":
		return Errorf(EINVALID, "Which service? `service add core-api`.")
	case slices.Contains(inc.Services, service):
		return Errorf(ECONFLICT, "%s already lists %s.", inc.ID, service)
	case len(inc.Services) >= MaxServices:
		return Errorf(EINVALID, "%s lists %d services already, the most an incident may.", inc.ID, len(inc.Services))
	default:
		return checkService(service)
	}
}

func (c AddService) Apply(inc *Incident, at time.Time) Applied {
	service := CleanText(c.Service)
	inc.Services = append(slices.Clip(inc.Services), service)
	e := inc.record(at, EventNote, c.By, "service affected: "+service)
	return Applied{Event: e, Owed: []Owed{{Kind: OweResponders, Ref: service}}}
}
