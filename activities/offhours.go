package activities

import (
	"context"
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

// CareInput is a page just sent to someone.
type CareInput struct {
	Person ib.Person `json:"person"`
	At     time.Time `json:"at"`
}

// CareResult says whether the page reached its person outside working hours,
// and if so when and how to remind them of their recovery time.
type CareResult struct {
	OffHours bool      `json:"off_hours"`
	Zone     string    `json:"zone,omitempty"`
	RemindAt time.Time `json:"remind_at,omitzero"`
	Manager  ib.Person `json:"manager,omitzero"`
	Recovery string    `json:"recovery,omitempty"`
	// RecoveredAt is when the recovery the policy grants ends.
	RecoveredAt time.Time `json:"recovered_at,omitzero"`
}

// CareFor reads a paged person's working hours: their rotation's zone and
// hours in the catalog, else their Slack profile's zone with the default
// hours (and no manager to tell).
func (a *Activities) CareFor(ctx context.Context, in CareInput) (CareResult, error) {
	care, known := a.Catalog.Get().CareOf(in.Person.SlackID, in.Person.Name)
	if !known {
		zone, err := a.UserZone(ctx, in.Person.SlackID)
		if err != nil {
			return CareResult{}, err
		}
		care = oncall.Care{Zone: time.UTC, Hours: ib.DefaultWorkingHours, Recovery: oncall.DefaultRecovery, RecoveryTime: oncall.DefaultRecoveryTime}
		if loc, err := ib.LoadZone(zone); err == nil && zone != "" {
			care.Zone = loc
		}
	}
	if care.Hours.Contain(in.At, care.Zone) {
		return CareResult{}, nil
	}
	res := CareResult{OffHours: true, Zone: care.Zone.String(), Recovery: care.Recovery,
		RemindAt: care.Hours.NextStart(in.At, care.Zone).UTC()}
	res.RecoveredAt = res.RemindAt.Add(care.RecoveryTime)
	if care.NotifyManager && care.Manager != "" {
		m, err := a.member(ctx, care.Manager)
		if err != nil {
			return CareResult{}, err
		}
		res.Manager = m
	}
	return res, nil
}
