package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/oncall"
)

// The postmortem goes to the owning rotation's on-call, or, while they
// recover from a page outside working hours, to the next in the rotation.
func TestPostmortemOwnerPassesOverRecovery(t *testing.T) {
	catalog, err := oncall.ParseCatalog([]byte(`
teams: [{name: payments}]
services: [{name: checkout, team: payments, rotation: payments}]
rotations:
  - {name: payments, members: [U0ANA0001, U0BEN0001, U0CEM0001], handoff: {weekday: monday, hour: 9}, time_zone: UTC, start: 2026-11-02}
`))
	require.NoError(t, err)
	a := &activities.Activities{Catalog: oncall.NewLiveCatalog(catalog), Log: zap.NewNop()}
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	r, _ := catalog.Rotation("payments")
	onCall := r.OnCall(at)
	next, _ := r.Next(at)
	require.NotEqual(t, onCall, next)

	got, err := a.ChoosePostmortemOwner(context.Background(), activities.OwnerInput{Services: []string{"checkout"}, At: at})
	require.NoError(t, err)
	assert.Equal(t, activities.OwnerChoice{Owner: ib.Person{SlackID: onCall}}, got)

	got, err = a.ChoosePostmortemOwner(context.Background(), activities.OwnerInput{Services: []string{"checkout"}, At: at,
		Recovering: []ib.Person{{SlackID: onCall}}})
	require.NoError(t, err)
	assert.Equal(t, activities.OwnerChoice{Owner: ib.Person{SlackID: next}, Passed: ib.Person{SlackID: onCall}}, got)

	got, err = a.ChoosePostmortemOwner(context.Background(), activities.OwnerInput{Services: []string{"checkout"}, At: at,
		Recovering: []ib.Person{{SlackID: onCall}, {SlackID: next}}})
	require.NoError(t, err)
	assert.Equal(t, ib.Person{}, got.Owner, "everyone recovering: the commander owns it")
}
