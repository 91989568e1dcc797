package oncall_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib/oncall"
)

// The calendar check of the rotations (the domain's is in the root package's
// calendar_test.go): hand-offs in the hour a DST change skips or repeats,
// across a year end and a leap day, pinned so that they mean the same on any
// day the tests run.

// at is a wall-clock time in a zone, as people there read it.
func at(t *testing.T, name, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	tm, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	require.NoError(t, err)
	return tm
}

// A weekly rotation whose hand-off falls in the hour a DST change skips or
// repeats, across a year end and a leap day.
func TestCalendarRotations(t *testing.T) {
	c, err := oncall.ParseCatalog([]byte(`
rotations:
  - {name: berlin, members: [ana, ben, cem], handoff: {weekday: sunday, hour: 2}, time_zone: Europe/Berlin, start: 2026-03-01}
  - {name: tokyo, members: [aoi, ren], handoff: {weekday: friday, hour: 0}, time_zone: Asia/Tokyo, start: 2026-12-04}
  - {name: leap, members: [lea, max], handoff: {weekday: tuesday, hour: 9}, time_zone: UTC, start: 2028-02-01}
`))
	require.NoError(t, err)
	rotation := func(name string) *oncall.Rotation {
		r, ok := c.Rotation(name)
		require.True(t, ok)
		return r
	}
	for _, tt := range []struct {
		name, rotation, zone, at, want string
	}{
		// Turns: ana from Sun 1 Mar 02:00, ben from the 8th, cem from the 15th,
		// ana from the 22nd, ben from the 29th, the night 02:00 does not
		// exist: the hand-off happens at 03:00 CEST, when the clocks leave the
		// skipped hour.
		{"BeforeTheSkippedHour", "berlin", "Europe/Berlin", "2026-03-29 01:59", "ana"},
		{"AfterTheSkippedHour", "berlin", "Europe/Berlin", "2026-03-29 03:00", "ben"},
		// 25 October, 34 weeks on: 02:00 happens twice; the hand-off is at the
		// first.
		{"FallBackBefore", "berlin", "Europe/Berlin", "2026-10-25 01:59", "ana"},
		{"FallBackHandoff", "berlin", "Europe/Berlin", "2026-10-25 02:00", "ben"},
		// Tokyo hands over at Friday midnight: New Year's Day 2027 is a Friday.
		{"NewYearsEveTokyo", "tokyo", "Asia/Tokyo", "2026-12-31 23:30", "ren"},
		{"NewYearsDayTokyo", "tokyo", "Asia/Tokyo", "2027-01-01 00:00", "aoi"},
		// Tuesday 29 February 2028 is a hand-off day.
		{"LeapDayBeforeHandoff", "leap", "UTC", "2028-02-29 08:59", "max"},
		{"LeapDayHandoff", "leap", "UTC", "2028-02-29 09:00", "lea"},
		{"DayAfterLeapDay", "leap", "UTC", "2028-03-01 12:00", "lea"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rotation(tt.rotation).OnCall(at(t, tt.zone, tt.at)))
		})
	}
	next, when := rotation("tokyo").Next(at(t, "Asia/Tokyo", "2026-12-31 23:30"))
	assert.Equal(t, "aoi", next)
	assert.True(t, at(t, "Asia/Tokyo", "2027-01-01 00:00").Equal(when), "%s", when)
}
