package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

// zoneOnlySlack answers the one Slack call CareFor makes for people outside
// the catalog: their profile's zone.
type zoneOnlySlack struct {
	ib.Slack
	zones map[string]string
}

func (s zoneOnlySlack) UserZone(_ context.Context, id string) (string, error) {
	return s.zones[id], nil
}

func TestCareFor(t *testing.T) {
	c, err := oncall.ParseCatalog([]byte(`
teams: [{name: payments, manager: U0MANAGER}]
services: [{name: checkout, team: payments, rotation: pay}]
rotations:
  - {name: pay, members: [U0BENBEN], handoff: {weekday: monday, hour: 10}, time_zone: Asia/Tokyo, start: 2026-01-05, working_hours: "10:00-19:00"}
off_hours: {recovery: half a day off, recovery_time: 5h, notify_manager: true}
`))
	require.NoError(t, err)
	a := &Activities{Catalog: oncall.NewLiveCatalog(c), Slack: zoneOnlySlack{zones: map[string]string{"U0OUTSIDE": "America/New_York"}}, Log: zap.NewNop()}
	ctx := context.Background()
	ben := ib.Person{SlackID: "U0BENBEN"}

	// Monday 2026-11-23 03:00 UTC is 12:00 in Tokyo: working hours.
	got, err := a.CareFor(ctx, CareInput{Person: ben, At: time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.False(t, got.OffHours)

	// 12:00 UTC is 21:00 in Tokyo: off-hours; reminded at 10:00 Tokyo the next day.
	got, err = a.CareFor(ctx, CareInput{Person: ben, At: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, CareResult{OffHours: true, Zone: "Asia/Tokyo", RemindAt: time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC),
		Manager: ib.Person{SlackID: "U0MANAGER"}, Recovery: "half a day off", RecoveredAt: time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)}, got,
		"recovering five hours from the morning")

	// Someone outside the catalog: their Slack profile's zone, 09:00–18:00, no manager.
	got, err = a.CareFor(ctx, CareInput{Person: ib.Person{SlackID: "U0OUTSIDE"}, At: time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, CareResult{OffHours: true, Zone: "America/New_York", RemindAt: time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC),
		Recovery: oncall.DefaultRecovery, RecoveredAt: time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC).Add(oncall.DefaultRecoveryTime)}, got,
		"a Saturday: reminded on Monday morning")
}
