package ib_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

// The calendar check: every piece of the domain that reads the calendar
// (working mornings and days, due dates, rotations, the postmortem plan) at
// the instants where calendars are awkward. Each instant is pinned, so these
// mean the same on any day the tests run.

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// at is a wall-clock time in a zone, as people there read it.
func at(t *testing.T, name, wall string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", wall, zone(t, name))
	require.NoError(t, err)
	return tm
}

func TestCalendarNextWorkingMorning(t *testing.T) {
	for _, tt := range []struct {
		name, zone, from, want string
	}{
		// 23:30 on New Year's Eve in zones ahead of UTC, where the UTC date is
		// still the 31st for hours.
		{"YearEndTokyoThursday", "Asia/Tokyo", "2026-12-31 23:30", "2027-01-01 09:00"},
		{"YearEndAucklandFriday", "Pacific/Auckland", "2027-12-31 23:30", "2028-01-03 09:00"},
		{"YearEndKiritimatiSaturday", "Pacific/Kiritimati", "2022-12-31 23:30", "2023-01-02 09:00"},
		// Europe's spring forward (Sunday 29 March 2026, 02:00 → 03:00) and fall
		// back (Sunday 25 October 2026, 03:00 → 02:00).
		{"BerlinBeforeSpringForward", "Europe/Berlin", "2026-03-27 18:00", "2026-03-30 09:00"},
		{"BerlinInTheRepeatedHour", "Europe/Berlin", "2026-10-25 02:30", "2026-10-26 09:00"},
		// The US's spring forward (8 March 2026) and fall back (1 November 2026).
		{"NewYorkBeforeSpringForward", "America/New_York", "2026-03-06 18:00", "2026-03-09 09:00"},
		{"NewYorkFallBackSunday", "America/New_York", "2026-11-01 01:30", "2026-11-02 09:00"},
		// A leap day is a working day like any other.
		{"LeapDayTuesday", "UTC", "2028-02-28 10:00", "2028-02-29 09:00"},
		{"AfterLeapDay", "Europe/London", "2028-02-29 17:00", "2028-03-01 09:00"},
		{"ExactlyAtNineIsNotAfter", "UTC", "2026-12-01 09:00", "2026-12-02 09:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ib.NextWorkingMorning(at(t, tt.zone, tt.from), zone(t, tt.zone), 9)
			want := at(t, tt.zone, tt.want)
			assert.True(t, want.Equal(got), "got %s, want %s", got, want)
		})
	}
}

func TestCalendarAddWorkingDays(t *testing.T) {
	for _, tt := range []struct {
		name, zone, from string
		days             int
		want             string
	}{
		{"OverNewYearsWeekend", "Asia/Tokyo", "2027-12-31 09:00", 1, "2028-01-03 09:00"},
		{"BackOverNewYear", "Pacific/Auckland", "2027-01-01 09:00", -1, "2026-12-31 09:00"},
		{"OntoLeapDay", "UTC", "2028-02-28 09:00", 1, "2028-02-29 09:00"},
		{"FromLeapDayBackToFriday", "UTC", "2028-02-29 09:00", -2, "2028-02-25 09:00"},
		// The local clock time is kept across a DST change, so a deadline set
		// for 09:00 stays at 09:00 for the people it concerns.
		{"KeepsNineAcrossSpringForward", "Europe/Berlin", "2026-03-26 09:00", 3, "2026-03-31 09:00"},
		{"KeepsNineAcrossFallBack", "America/New_York", "2026-10-29 09:00", 2, "2026-11-02 09:00"},
		{"FiveDaysFromWednesdayOverYearEnd", "Europe/Berlin", "2026-12-30 15:00", 5, "2027-01-06 15:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ib.AddWorkingDays(at(t, tt.zone, tt.from), tt.days, zone(t, tt.zone))
			want := at(t, tt.zone, tt.want)
			assert.True(t, want.Equal(got), "got %s, want %s", got, want)
		})
	}
}

func TestCalendarDueDates(t *testing.T) {
	tokyo := zone(t, "Asia/Tokyo")
	got, err := ib.ParseDate("2028-02-29", tokyo)
	require.NoError(t, err)
	assert.True(t, at(t, "Asia/Tokyo", "2028-02-29 09:00").Equal(got), "the working morning of a leap day: %s", got)
	_, err = ib.ParseDate("2027-02-29", tokyo)
	assert.Error(t, err, "2027 is no leap year")

	// Typed at 23:30 on New Year's Eve in Tokyo (14:30 UTC), "due tomorrow"
	// is the first of January there, not the UTC date's tomorrow.
	now := at(t, "Asia/Tokyo", "2026-12-31 23:30")
	due, err := ib.ParseDate(now.In(tokyo).AddDate(0, 0, 1).Format(time.DateOnly), tokyo)
	require.NoError(t, err)
	assert.Equal(t, "2027-01-01 09:00 JST", due.Format("2006-01-02 15:04 MST"))

	// A clock time typed just after midnight is the latest such moment: "23:40"
	// typed at 00:10 on 1 January is New Year's Eve.
	berlin := zone(t, "Europe/Berlin")
	got, err = ib.ParseTime("23:40", at(t, "Europe/Berlin", "2027-01-01 00:10"), berlin)
	require.NoError(t, err)
	assert.True(t, at(t, "Europe/Berlin", "2026-12-31 23:40").Equal(got), "%s", got)
	// And on a leap day.
	got, err = ib.ParseTime("23:55", at(t, "UTC", "2028-03-01 00:05"), time.UTC)
	require.NoError(t, err)
	assert.True(t, at(t, "UTC", "2028-02-29 23:55").Equal(got), "%s", got)
}

// The postmortem stage planned for an incident resolved late on New Year's
// Eve by a commander in Tokyo, and one resolved on a leap day.
func TestCalendarPostmortemPlan(t *testing.T) {
	for _, tt := range []struct {
		name, zone, resolved, stage, review string
	}{
		{"YearEndTokyo", "Asia/Tokyo", "2026-12-31 23:30", "2027-01-01 09:00", "2027-01-08 09:00"},
		{"LeapDayNewYork", "America/New_York", "2028-02-29 16:00", "2028-03-01 09:00", "2028-03-08 09:00"},
		{"FridayNightBeforeSpringForward", "Europe/Berlin", "2026-03-27 22:00", "2026-03-30 09:00", "2026-04-06 09:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inc := ib.NewIncident("INC-20261231-TEST", ib.Declaration{Title: "Calendar", Severity: ib.S2}, at(t, tt.zone, tt.resolved).Add(-time.Hour))
			inc.Status, inc.ResolvedAt = ib.Resolved, at(t, tt.zone, tt.resolved).UTC()
			inc.PlanPostmortem(ib.PostmortemPolicy{}, tt.zone)
			assert.True(t, at(t, tt.zone, tt.stage).Equal(inc.Postmortem.StartAt), "stage begins %s", inc.Postmortem.StartAt.In(zone(t, tt.zone)))
			assert.True(t, at(t, tt.zone, tt.review).Equal(inc.Postmortem.ReviewAt), "review %s", inc.Postmortem.ReviewAt.In(zone(t, tt.zone)))
		})
	}
}
