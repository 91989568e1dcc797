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
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	for !day.After(t) || !isWorkday(day) {
		day = time.Date(day.Year(), day.Month(), day.Day()+1, hour, 0, 0, 0, loc)
	}
	return day
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

// WorkingHours are the hours someone is at work on working days, in their zone.
type WorkingHours struct {
	Start, End int // hours of the day, local: 9 and 18 mean 09:00–18:00
}

// DefaultWorkingHours are 09:00–18:00.
var DefaultWorkingHours = WorkingHours{Start: DefaultWorkdayStart, End: 18}

// Contain says whether t, read in loc, is within working hours on a working day.
func (h WorkingHours) Contain(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	return isWorkday(l) && l.Hour() >= h.Start && l.Hour() < h.End
}
