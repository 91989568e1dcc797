package oncall_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

const careCatalog = `
teams: [{name: payments, manager: U0MANAGER}]
services: [{name: checkout, team: payments, rotation: pay}]
rotations:
  - name: pay
    members: [ana@example.com, U0BENBEN]
    handoff: {weekday: monday, hour: 10}
    time_zone: Asia/Tokyo
    start: 2026-01-05
    working_hours: "10:00-19:00"
  - name: night
    members: [U0CEMCEM]
    handoff: {weekday: monday, hour: 10}
    time_zone: Europe/Berlin
    start: 2026-01-05
off_hours: {recovery: half a day off, notify_manager: true}
`

func TestCareOf(t *testing.T) {
	c := catalog(t, careCatalog)
	care, ok := c.CareOf("U0ANAANA", "ana@example.com")
	require.True(t, ok, "found by e-mail")
	assert.Equal(t, "Asia/Tokyo", care.Zone.String())
	assert.Equal(t, ib.WorkingHours{Start: 10, End: 19}, care.Hours)
	assert.Equal(t, "U0MANAGER", care.Manager, "the manager of the team owning the rotation's service")
	assert.Equal(t, "half a day off", care.Recovery)
	assert.True(t, care.NotifyManager)

	care, ok = c.CareOf("U0CEMCEM")
	require.True(t, ok)
	assert.Equal(t, ib.DefaultWorkingHours, care.Hours, "09:00–18:00 unless the rotation says")
	assert.Empty(t, care.Manager, "no service, no team, no manager")

	_, ok = c.CareOf("U0NOBODY")
	assert.False(t, ok)
	_, ok = (*oncall.Catalog)(nil).CareOf("U0BENBEN")
	assert.False(t, ok, "no catalog")

	sunToThu := catalog(t, `rotations: [{name: x, members: [U0OMAROMR], handoff: {weekday: sunday, hour: 9}, time_zone: Asia/Dubai, start: 2026-01-04,
  working_days: [sunday, monday, tuesday, wednesday, thursday]}]`)
	care, ok = sunToThu.CareOf("U0OMAROMR")
	require.True(t, ok)
	friday := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC) // 12:00 in Dubai
	assert.False(t, care.Hours.Contain(friday, care.Zone), "Friday is their weekend")
	assert.True(t, care.Hours.Contain(friday.AddDate(0, 0, 2), care.Zone), "Sunday is a working day")
	assert.Equal(t, time.Date(2026, 11, 29, 5, 0, 0, 0, time.UTC), care.Hours.NextStart(friday, care.Zone).UTC(), "Sunday 09:00 in Dubai")

	for _, bad := range []string{"9-17", "18:00-09:00", "09:00-25:00"} {
		_, err := oncall.ParseCatalog([]byte(`rotations: [{name: x, members: [a], handoff: {weekday: monday, hour: 9}, time_zone: UTC, start: 2026-01-05, working_hours: "` + bad + `"}]`))
		assert.ErrorContains(t, err, "working_hours", bad)
	}
}

func TestOnCallReport(t *testing.T) {
	c := catalog(t, careCatalog)
	dec := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ben := ib.Person{SlackID: "U0BENBEN"}
	pages := map[string][]ib.OffHoursPage{
		"INC-20261203-AAAA": {{Page: "P1", Person: ben, At: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)}},
		"INC-20261130-BBBB": {
			{Page: "P1", Person: ben, At: time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)}, // November: not counted
			{Page: "P2", Person: ib.Person{SlackID: "U0ANAANA", Name: "ana@example.com"}, At: time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC)},
		},
	}
	rows := oncall.OnCallReport(c, dec, pages)
	byPerson := map[string]oncall.ReportRow{}
	var total time.Duration
	for _, r := range rows {
		byPerson[r.Person] = r
		if r.Person != "U0CEMCEM" {
			total += r.OnCall
		}
	}
	assert.Equal(t, 31*24*time.Hour, total, "the two members of pay share December")
	assert.Equal(t, 31*24*time.Hour, byPerson["U0CEMCEM"].OnCall, "alone in night all month")
	assert.Equal(t, 1, byPerson["U0BENBEN"].OffHoursPages)
	assert.Equal(t, []string{"INC-20261203-AAAA P1 2026-12-03 02:00 UTC"}, byPerson["U0BENBEN"].OffHoursDetail)
	assert.Equal(t, 1, byPerson["ana@example.com"].OffHoursPages, "named as the catalog names them")
}
