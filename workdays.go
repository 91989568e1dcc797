package ib

import "time"

// Working days are Monday to Friday, read in the zone of whoever they concern:
// reminders and deadlines land in working hours, and nobody is asked to act on a
// Saturday.

// DefaultWorkdayStart is the hour working mornings begin when nothing else is
// configured.
const DefaultWorkdayStart = 9

func isWorkday(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// NextWorkingMorning is the first start of a working day (hour:00 in loc)
// strictly after t: an incident resolved at 03:00 on a Tuesday reaches its
// postmortem at 09:00 that Tuesday, one resolved at 10:00 on Wednesday.
func NextWorkingMorning(t time.Time, loc *time.Location, hour int) time.Time {
	return WorkingHours{Start: hour}.NextStart(t, loc)
}

// AddWorkingDays moves t by n working days (back for a negative n), keeping its
// local clock time across DST changes. Weekends are skipped, not counted.
func AddWorkingDays(t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := l
	for n > 0 {
		d = time.Date(d.Year(), d.Month(), d.Day()+step, l.Hour(), l.Minute(), l.Second(), 0, loc)
		if isWorkday(d) {
			n--
		}
	}
	return d
}

// WorkingHours are the hours someone is at work on their working days, in
// their zone.
type WorkingHours struct {
	Start, End int // hours of the day, local: 9 and 18 mean 09:00–18:00
	// Days are the working days, by time.Weekday; none set means Monday to
	// Friday.
	Days [7]bool
}

// DefaultWorkingHours are 09:00–18:00, Monday to Friday.
var DefaultWorkingHours = WorkingHours{Start: DefaultWorkdayStart, End: 18}

func (h WorkingHours) workday(t time.Time) bool {
	if h.Days == [7]bool{} {
		return isWorkday(t)
	}
	return h.Days[t.Weekday()]
}

// Contain says whether t, read in loc, is within working hours on a working day.
func (h WorkingHours) Contain(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	return h.workday(l) && l.Hour() >= h.Start && l.Hour() < h.End
}

// NextStart is the first start of working hours (Start:00 in loc, on a working
// day) strictly after t.
func (h WorkingHours) NextStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), h.Start, 0, 0, 0, loc)
	for i := 0; i < 8 && (!day.After(t) || !h.workday(day)); i++ {
		day = time.Date(day.Year(), day.Month(), day.Day()+1, h.Start, 0, 0, 0, loc)
	}
	return day
}
