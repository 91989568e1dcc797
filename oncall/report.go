package oncall

import (
	"fmt"
	"time"

	"github.com/incident-buddy/ib"
)

// OnCallDays is how long each member was on call in [from, to), across all
// rotations, each hour counted once.
func (c *Catalog) OnCallDays(from, to time.Time) map[string]time.Duration {
	total := map[string]time.Duration{}
	for member, shifts := range c.onCallShifts(from, to, nil) {
		total[member] = duration(shifts)
	}
	return total
}

// onCallShifts are each person's shifts in [from, to) across all rotations,
// overlaps merged, by their identity (see Identity).
func (c *Catalog) onCallShifts(from, to time.Time, resolve Identity) map[string][]Shift {
	byMember := map[string][]Shift{}
	for i := range c.Rotations {
		for _, s := range c.Rotations[i].Shifts(from, to) {
			who := resolve.of(s.Member)
			byMember[who] = append(byMember[who], s)
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
func OnCallReport(c *Catalog, month time.Time, pages map[string][]ib.OffHoursPage) []ReportRow {
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
			r.OffHoursDetail = append(r.OffHoursDetail, fmt.Sprintf("%s %s %s", id, o.Page, ib.Stamp(o.At)))
		}
	}
	out := make([]ReportRow, 0, len(rows))
	for _, p := range sortedKeys(rows) {
		out = append(out, *rows[p])
	}
	return out
}
