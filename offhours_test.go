package ib_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/incident-buddy/ib"
)

func TestOffHoursRecord(t *testing.T) {
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "API outage", Severity: ib.S1, Declarer: alice}, declaredAt)
	ben := ib.Person{SlackID: "U0BENBEN", Name: "ben"}
	manager := ib.Person{SlackID: "U0MANAGER"}
	e := inc.RecordOffHours(ib.OffHoursPage{Page: "P1", Person: ben, At: declaredAt, Zone: "Asia/Tokyo",
		RemindAt: time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC), Manager: manager, Recovery: "half a day off"})
	assert.Equal(t, "page P1 reached ben off-hours (Mon 12:55 Asia/Tokyo); recovery reminder Tue 24 Nov 10:00 JST", e.Text)
	assert.Equal(t, []int{0}, inc.PendingRecoveries())
	n, _ := inc.Recovered(0, time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	assert.Equal(t, []ib.Person{ben, manager}, n.To)
	assert.Contains(t, n.Text, "grants half a day off")
	assert.Empty(t, inc.PendingRecoveries())
}
