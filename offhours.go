package ib

import (
	"fmt"
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
	Reminded bool      `json:"reminded,omitempty"`
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

// OnCallDays is how long each member was on call in [from, to), across all
// rotations, each hour counted once.
func (c *Catalog) OnCallDays(from, to time.Time) map[string]time.Duration {
	total := map[string]time.Duration{}
	for member, shifts := range c.onCallShifts(from, to) {
		total[member] = duration(shifts)
	}
	return total
}

// onCallShifts are each member's shifts in [from, to) across all rotations,
// overlaps merged.
func (c *Catalog) onCallShifts(from, to time.Time) map[string][]Shift {
	byMember := map[string][]Shift{}
	for i := range c.Rotations {
		for _, s := range c.Rotations[i].Shifts(from, to) {
			byMember[s.Member] = append(byMember[s.Member], s)
		}
	}
	for member, shifts := range byMember {
		byMember[member] = union(shifts)
	}
	return byMember
}

func duration(shifts []Shift) time.Duration {
	var total time.Duration
	for _, s := range shifts {
		total += s.End.Sub(s.Start)
	}
	return total
}

// ReportRow is one person's month of on-call.
type ReportRow struct {
	Person         string
	OnCall         time.Duration
	OffHoursPages  int
	OffHoursDetail []string // "INC-… P1 Tue 24 Nov 03:12"
}

// OnCallReport is the month starting at month (UTC): each member's time on call
// from the catalog, and the off-hours pages the incidents recorded, by person
// (named by Slack ID or e-mail as the catalog and pages name them). Rows are
// sorted by person.
func OnCallReport(c *Catalog, month time.Time, pages map[string][]OffHoursPage) []ReportRow {
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	rows := map[string]*ReportRow{}
	row := func(p string) *ReportRow {
		if rows[p] == nil {
			rows[p] = &ReportRow{Person: p}
		}
		return rows[p]
	}
	if c != nil {
		for member, d := range c.OnCallDays(from, to) {
			row(member).OnCall = d
		}
	}
	for _, id := range sortedKeys(pages) {
		for _, o := range pages[id] {
			if o.At.Before(from) || !o.At.Before(to) {
				continue
			}
			name := o.Person.Name
			if name == "" || rows[o.Person.SlackID] != nil {
				name = o.Person.SlackID
			}
			r := row(name)
			r.OffHoursPages++
			r.OffHoursDetail = append(r.OffHoursDetail, fmt.Sprintf("%s %s %s", id, o.Page, stamp(o.At)))
		}
	}
	out := make([]ReportRow, 0, len(rows))
	for _, p := range sortedKeys(rows) {
		out = append(out, *rows[p])
	}
	return out
}
