package ib

import (
	"fmt"
	"slices"
	"time"
)

// OffHoursPage is a page that reached someone outside their working hours.
// The policy grants them recovery time, and the next working morning the bot
// reminds them (and, if the catalog asks, their manager) to take it.
type OffHoursPage struct {
	Page     string    `json:"page"` // the page's ID
	Person   Person    `json:"person"`
	At       time.Time `json:"at"`
	Zone     string    `json:"zone"` // the person's, from their rotation or Slack profile
	RemindAt time.Time `json:"remind_at"`
	Manager  Person    `json:"manager,omitzero"` // reminded too, when set
	Recovery string    `json:"recovery"`         // what the policy grants
	// RecoveredAt is when that recovery ends.
	RecoveredAt time.Time `json:"recovered_at,omitzero"`
	Reminded    bool      `json:"reminded,omitempty"`
}

// Recovering are the people still recovering at t from an off-hours page.
func (inc *Incident) Recovering(t time.Time) []Person {
	var out []Person
	for _, o := range inc.OffHours {
		if t.Before(o.RecoveredAt) && !slices.Contains(out, o.Person) {
			out = append(out, o.Person)
		}
	}
	return out
}

// RecordOffHours keeps an off-hours page on the incident and its timeline.
func (inc *Incident) RecordOffHours(o OffHoursPage) TimelineEvent {
	inc.OffHours = append(inc.OffHours, o)
	loc := zoneOrUTC(o.Zone)
	return inc.Note(o.At, EventPage, fmt.Sprintf("page %s reached %s off-hours (%s %s); recovery reminder %s",
		o.Page, o.Person.Label(), o.At.In(loc).Format("Mon 15:04"), o.Zone, o.RemindAt.In(loc).Format("Mon 2 Jan 15:04 MST")))
}

// Recovered records that the recovery reminder of the i-th off-hours page was
// given, and says what it says to whom.
func (inc *Incident) Recovered(i int, at time.Time) (Notice, TimelineEvent) {
	o := &inc.OffHours[i]
	o.Reminded = true
	loc := zoneOrUTC(o.Zone)
	to := []Person{o.Person}
	if o.Manager != (Person{}) {
		to = append(to, o.Manager)
	}
	n := Notice{To: to, Text: fmt.Sprintf("🌙 %s was paged outside working hours, %s, for %s (%s). The on-call policy grants %s: please take it.",
		o.Person.Label(), o.At.In(loc).Format("Mon 2 Jan 15:04 MST"), inc.ID, inc.Title, o.Recovery)}
	return n, inc.Note(at, EventNote, "recovery reminder sent to "+o.Person.Label())
}

// PendingRecoveries are the off-hours pages whose reminder is still to come.
func (inc *Incident) PendingRecoveries() []int {
	var out []int
	for i, o := range inc.OffHours {
		if !o.Reminded {
			out = append(out, i)
		}
	}
	return out
}

func zoneOrUTC(name string) *time.Location {
	if loc, err := LoadZone(name); err == nil {
		return loc
	}
	return time.UTC
}
