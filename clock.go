package ib

import (
	"regexp"
	"strings"
	"time"
)

var (
	clockPattern = regexp.MustCompile(`^\d{1,2}:\d{2}$`)
	datePattern  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// takeTime reads a time from the front of args: "03:25", "2026-11-23 03:25",
// or "2026-11-23T03:25[:00][Z|±hh:mm]". It returns the time's text (its words
// joined by a space) and the rest.
func takeTime(args []string) (string, []string, bool) {
	switch {
	case len(args) >= 2 && datePattern.MatchString(args[0]) && clockPattern.MatchString(args[1]):
		return args[0] + " " + args[1], args[2:], true
	case len(args) >= 1 && clockPattern.MatchString(args[0]):
		return args[0], args[1:], true
	case len(args) >= 1 && strings.Contains(args[0], "T") && datePattern.MatchString(strings.SplitN(args[0], "T", 2)[0]):
		return args[0], args[1:], true
	}
	return "", args, false
}

// takeZone reads an optional time zone from the front of args: an IANA name
// such as Europe/Berlin, or UTC.
func takeZone(args []string) (string, []string) {
	if len(args) > 0 && (strings.Contains(args[0], "/") || strings.EqualFold(args[0], "UTC")) {
		return args[0], args[1:]
	}
	return "", args
}

// LoadZone finds a time zone by name, with an error that says what to write.
func LoadZone(name string) (*time.Location, error) {
	if strings.EqualFold(name, "UTC") {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(EINVALID, "Unknown time zone %q: use a name such as Europe/Berlin, America/New_York or UTC.", name)
	}
	return loc, nil
}

// ParseTime reads a time someone typed, in loc unless it names its offset. A
// clock time alone ("03:25") is the latest such moment: typed at 04:10, 03:25
// is today; typed at 01:00, 23:40 is yesterday.
func ParseTime(text string, now time.Time, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return t, nil
		}
	}
	clock, err := time.Parse("15:04", text)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "%q is not a time: write 03:25, 2026-11-23 03:25, or add a zone: 03:25 Europe/Berlin.", text)
	}
	local := now.In(loc)
	t := time.Date(local.Year(), local.Month(), local.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
	if t.After(now.Add(time.Minute)) {
		t = t.AddDate(0, 0, -1)
	}
	return t, nil
}

// ParseTypedTime reads a time with an optional zone after it, as typed in a
// form: "03:25", "2026-11-23 03:25 Europe/Berlin". Without a zone it is read
// in loc.
func ParseTypedTime(text string, now time.Time, loc *time.Location) (time.Time, error) {
	when, rest, ok := takeTime(strings.Fields(text))
	zone, rest := takeZone(rest)
	if !ok || len(rest) > 0 {
		return time.Time{}, Errorf(EINVALID, "%q is not a time: write 03:25, 2026-11-23 03:25, or add a zone: 03:25 Europe/Berlin.", text)
	}
	if zone != "" {
		var err error
		if loc, err = LoadZone(zone); err != nil {
			return time.Time{}, err
		}
	}
	return ParseTime(when, now, loc)
}

// ParseDate reads a due date (2026-12-01) as the start of that working
// morning in loc.
func ParseDate(text string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(text), loc)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "%q is not a date: write it as 2026-12-01.", text)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), DefaultWorkdayStart, 0, 0, 0, loc), nil
}
