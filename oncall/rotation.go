package oncall

import (
	"slices"
	"time"
)

// Shift is a stretch of time one member is on call.
type Shift struct {
	Member     string
	Start, End time.Time
}

// handoff is the k-th hand-off (k may be negative): the hand-off weekday and
// hour in the rotation's time zone, counted by calendar so that a DST change
// moves no hand-off off its hour.
func (r *Rotation) handoff(k int) time.Time {
	e := r.epoch
	return time.Date(e.Year(), e.Month(), e.Day()+7*k, r.Handoff.Hour, 0, 0, 0, r.loc)
}

// turn is the k such that handoff(k) ≤ t < handoff(k+1).
func (r *Rotation) turn(t time.Time) int {
	k := int(t.Sub(r.epoch).Hours() / (24 * 7))
	for r.handoff(k).After(t) {
		k--
	}
	for !r.handoff(k + 1).After(t) {
		k++
	}
	return k
}

// OnCall is who is on call at t: an override covering t (the last listed wins),
// else the member whose turn it is. "" for a rotation without members.
func (r *Rotation) OnCall(t time.Time) string {
	for i := len(r.Override) - 1; i >= 0; i-- {
		if o := r.Override[i]; !t.Before(o.Start) && t.Before(o.End) {
			return o.Member
		}
	}
	if len(r.Members) == 0 {
		return ""
	}
	n := len(r.Members)
	return r.Members[((r.turn(t)%n)+n)%n]
}

// Next is who takes over after the current shift, and when.
func (r *Rotation) Next(t time.Time) (string, time.Time) {
	now := r.OnCall(t)
	for _, s := range r.Shifts(t, t.AddDate(0, 3, 0)) {
		if s.Member != now {
			return s.Member, s.Start
		}
	}
	return now, time.Time{}
}

// Shifts cuts [from, to) into shifts, overrides applied, each shift as long as
// one member stays on call.
func (r *Rotation) Shifts(from, to time.Time) []Shift {
	cuts := []time.Time{from, to}
	for k := r.turn(from) + 1; r.handoff(k).Before(to); k++ {
		cuts = append(cuts, r.handoff(k))
	}
	for _, o := range r.Override {
		for _, t := range []time.Time{o.Start, o.End} {
			if t.After(from) && t.Before(to) {
				cuts = append(cuts, t)
			}
		}
	}
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	cuts = slices.CompactFunc(cuts, func(a, b time.Time) bool { return a.Equal(b) })
	var shifts []Shift
	for i := 0; i+1 < len(cuts); i++ {
		who := r.OnCall(cuts[i])
		if n := len(shifts); n > 0 && shifts[n-1].Member == who {
			shifts[n-1].End = cuts[i+1]
			continue
		}
		shifts = append(shifts, Shift{Member: who, Start: cuts[i], End: cuts[i+1]})
	}
	return shifts
}
