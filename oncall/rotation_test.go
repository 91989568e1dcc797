package oncall_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

func catalog(t *testing.T, yaml string) *oncall.Catalog {
	t.Helper()
	c, err := oncall.ParseCatalog([]byte(yaml))
	require.NoError(t, err)
	return c
}

const berlinRotation = `
teams: [{name: payments}]
services: [{name: checkout, team: payments, rotation: pay}]
rotations:
  - name: pay
    members: [ana, ben, cem, dan, eva]
    handoff: {weekday: monday, hour: 10}
    time_zone: Europe/Berlin
    start: 2026-01-01
    overrides:
      - {start: "2026-12-24T10:00:00+01:00", end: "2026-12-27T10:00:00+01:00", member: zoe}
`

func TestRotationOnCall(t *testing.T) {
	r, _ := catalog(t, berlinRotation).Rotation("pay")
	berlin, _ := ib.LoadZone("Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		require.NoError(t, err)
		return tm
	}
	for _, tt := range []struct {
		name, at, want string
	}{
		{"BeforeFirstHandoff", "2026-01-05 09:59", "eva"}, // the turn before the first one
		{"FirstHandoff", "2026-01-05 10:00", "ana"},       // 2026-01-01 is a Thursday: first Monday is the 5th
		{"SecondWeek", "2026-01-12 10:00", "ben"},
		{"WrapsAround", "2026-02-09 10:00", "ana"},               // five weeks later
		{"SpringForwardWeekend", "2026-03-29 23:00", "ben"},      // turn 11 began 2026-03-23
		{"HandoffAfterSpringForward", "2026-03-30 10:00", "cem"}, // still 10:00 local, now CEST
		{"FallBackWeekend", "2026-10-25 02:30", "ben"},
		{"HandoffAfterFallBack", "2026-10-26 10:00", "cem"},
		{"OverrideStarts", "2026-12-24 10:00", "zoe"},
		{"OverrideEnds", "2026-12-27 10:00", "ana"}, // back to turn 50 (from 2026-12-21)
		{"MonthBoundary", "2026-12-31 23:59", "ben"},
		{"NewYear", "2027-01-01 00:00", "ben"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, r.OnCall(at(tt.at)))
		})
	}
	t.Run("HandoffKeepsLocalHourAcrossDST", func(t *testing.T) {
		shifts := r.Shifts(at("2026-03-23 10:00"), at("2026-04-06 10:00"))
		require.Len(t, shifts, 2)
		assert.Equal(t, 10, shifts[1].Start.In(berlin).Hour())
		assert.Equal(t, 167*time.Hour, shifts[0].End.Sub(shifts[0].Start), "the week with spring-forward has 167 hours")
	})
	t.Run("Next", func(t *testing.T) {
		who, when := r.Next(at("2026-12-21 12:00"))
		assert.Equal(t, "zoe", who)
		assert.True(t, at("2026-12-24 10:00").Equal(when), "%s", when)
	})
}

func TestCatalogCheck(t *testing.T) {
	from := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	t.Run("ExampleIsValid", func(t *testing.T) {
		data, err := os.ReadFile("../catalog.example.yaml")
		require.NoError(t, err)
		c, err := oncall.ParseCatalog(data)
		require.NoError(t, err)
		assert.Empty(t, c.Check(from, 3))
	})
	t.Run("ErrUnknownReferences", func(t *testing.T) {
		c := catalog(t, `
teams: [{name: payments}]
services: [{name: checkout, team: paymnts, rotation: nobody}]
rotations: [{name: pay, members: [], handoff: {weekday: monday, hour: 9}, time_zone: UTC, start: 2026-01-05}]
always_paged: {S1: [cre], S9: [pay]}
`)
		text := joined(c.Check(from, 3))
		for _, want := range []string{`team "paymnts"`, `rotation "nobody"`, `rotation "cre"`, `severity "S9"`, `"pay" has no members`} {
			assert.Contains(t, text, want)
		}
	})
	t.Run("ErrOverOneWeekAMonth", func(t *testing.T) {
		c := catalog(t, `
teams: [{name: t}]
services: [{name: s, team: t, rotation: small}]
rotations: [{name: small, members: [ana, ben, cem, dan], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: 2026-06-01}]
`)
		// Four members, weekly: whoever ends October also takes the last full week of November.
		errs := c.Check(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 1)
		require.Len(t, errs, 2)
		assert.Equal(t, "ben would be on call 8 days 0 h in 2026-11 (2026-11-01 00:00 UTC – 2026-11-02 00:00 UTC, 2026-11-23 00:00 UTC – 2026-11-30 00:00 UTC); nobody may be on call more than 7 days in a calendar month. Add members to the rotation or an override.",
			ib.ErrorMessage(errs[0]))
		assert.Contains(t, ib.ErrorMessage(errs[1]), "cem would be on call 8 days 0 h in 2026-11")
	})
	t.Run("ErrAcrossRotations", func(t *testing.T) {
		c := catalog(t, `
teams: [{name: t}]
services: [{name: s, team: t, rotation: a}]
rotations:
  - {name: a, members: [ana, b1, b2, b3, b4], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: 2026-11-02}
  - {name: b, members: [ana, c1, c2, c3, c4], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: 2026-11-09}
`)
		text := joined(c.Check(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 1))
		assert.Contains(t, text, "ana would be on call 14 days", "a week in each of two rotations is two weeks")
	})
	t.Run("ErrOnePersonListedTwoWays", func(t *testing.T) {
		c := catalog(t, `
teams: [{name: t}]
services: [{name: s, team: t, rotation: a}]
rotations:
  - {name: a, members: [U0ANA0001, b1, b2, b3, b4], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: 2026-11-02}
  - {name: b, members: [Ana@Example.com, c1, c2, c3, c4], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: 2026-11-09}
  - {name: c, members: [ana@example.com, d1, d2, d3, d4], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: 2026-11-16}
`)
		nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		assert.Contains(t, joined(c.Check(nov, 1)), "ana@example.com (listed as Ana@Example.com and ana@example.com) would be on call 14 days",
			"an e-mail is one person in any case")
		slack := func(email string) string { return map[string]string{"ana@example.com": "U0ANA0001"}[email] }
		assert.Contains(t, joined(c.CheckPeople(nov, 1, slack)), "U0ANA0001 (listed as U0ANA0001 and Ana@Example.com and ana@example.com) would be on call 21 days",
			"resolved through Slack, the Slack ID and the e-mail are one person")
	})
	t.Run("ErrBadRotation", func(t *testing.T) {
		_, err := oncall.ParseCatalog([]byte(`rotations: [{name: x, members: [a], handoff: {weekday: someday, hour: 9}, time_zone: UTC, start: 2026-01-05}]`))
		assert.ErrorContains(t, err, `"someday" is not a day of the week`)
		_, err = oncall.ParseCatalog([]byte(`rotations: [{name: x, members: [a], handoff: {weekday: monday, hour: 9}, time_zone: Mars/Base, start: 2026-01-05}]`))
		assert.ErrorContains(t, err, "is not a time zone")
		_, err = oncall.ParseCatalog([]byte(`servics: []`))
		assert.ErrorContains(t, err, "not valid YAML of the expected shape")
	})
}

// Any schedule Check accepts puts nobody on call more than 7 days in any
// calendar month, by an independent count, hour by hour.
func TestPolicyProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"}
	days := []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	accepted := 0
	for i := range 60 {
		var b strings.Builder
		b.WriteString("teams: [{name: t}]\nservices: [{name: s, team: t, rotation: r0}]\nrotations:\n")
		rotations := 1 + rng.IntN(2)
		for r := range rotations {
			var members []string
			for range 3 + rng.IntN(5) {
				members = append(members, fmt.Sprintf("p%d", rng.IntN(12)))
			}
			fmt.Fprintf(&b, "  - {name: r%d, members: [%s], handoff: {weekday: %s, hour: %d}, time_zone: %s, start: 2026-0%d-0%d}\n",
				r, strings.Join(dedupe(members), ", "), days[rng.IntN(7)], rng.IntN(24), zones[rng.IntN(len(zones))], 1+rng.IntN(9), 1+rng.IntN(9))
		}
		c := catalog(t, b.String())
		if len(c.Check(from, 3)) > 0 {
			continue
		}
		accepted++
		for m := range 3 {
			start, end := from.AddDate(0, m, 0), from.AddDate(0, m+1, 0)
			hours := map[string]int{}
			for h := start; h.Before(end); h = h.Add(time.Hour) {
				onCall := map[string]bool{}
				for j := range c.Rotations {
					onCall[c.Rotations[j].OnCall(h)] = true
				}
				for who := range onCall {
					hours[who]++
				}
			}
			for who, n := range hours {
				assert.LessOrEqual(t, n, 7*24, "catalog %d accepted, yet %s is on call %d hours in %s:\n%s", i, who, n, start.Format("2006-01"), b.String())
			}
		}
	}
	assert.Greater(t, accepted, 5, "the property was checked on enough accepted schedules")
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func joined(errs []error) string {
	var parts []string
	for _, e := range errs {
		parts = append(parts, ib.ErrorMessage(e))
	}
	return strings.Join(parts, "\n")
}

func TestLiveCatalogReload(t *testing.T) {
	good := `
teams: [{name: t}]
services: [{name: s, team: t, rotation: r}]
rotations: [{name: r, members: [a, b, c, d, e], handoff: {weekday: monday, hour: 9}, time_zone: UTC, start: 2026-01-05}]
`
	files := map[string]string{"catalog.yaml": good}
	read := func(path string) ([]byte, error) { return []byte(files[path]), nil }
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	first, err := oncall.LoadCatalog("catalog.yaml", read, now)
	require.NoError(t, err)
	live := oncall.NewLiveCatalog(first)

	files["catalog.yaml"] = strings.Replace(good, "[a, b, c, d, e]", "[a, b]", 1) // breaks the policy
	err = live.Reload("catalog.yaml", read, now)
	assert.ErrorContains(t, err, "is refused")
	assert.Same(t, first, live.Get(), "the last good catalog stays in use")

	files["catalog.yaml"] = strings.Replace(good, "[a, b, c, d, e]", "[a, b, c, d, e, f]", 1)
	require.NoError(t, live.Reload("catalog.yaml", read, now))
	r, _ := live.Get().Rotation("r")
	assert.Len(t, r.Members, 6, "a good catalog replaces it")

	var none *oncall.LiveCatalog
	assert.Nil(t, none.Get())
}
