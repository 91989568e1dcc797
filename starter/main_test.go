package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

func TestParse(t *testing.T) {
	t.Run("CreateFromFlags", func(t *testing.T) {
		inv, err := parse([]string{"create", "--severity", "S1", "--title", "Checkout API returning 500s", "--impact", "EU checkouts fail", "--services", "checkout, payments"}, ib.S3, nil)
		require.NoError(t, err)
		d := inv.declaration
		assert.Equal(t, "Checkout API returning 500s", d.Title)
		assert.Equal(t, ib.S1, d.Severity)
		assert.Equal(t, "EU checkouts fail", d.Impact)
		assert.Equal(t, []string{"checkout", "payments"}, d.Services)
		assert.NotEmpty(t, d.Declarer.Name)
	})
	t.Run("CreateFromWords", func(t *testing.T) {
		inv, err := parse([]string{"create", "S2", "Login", "broken"}, ib.S3, nil)
		require.NoError(t, err)
		assert.Equal(t, "Login broken", inv.declaration.Title)
		assert.Equal(t, ib.S2, inv.declaration.Severity)
	})
	t.Run("CreateDefaultSeverity", func(t *testing.T) {
		inv, err := parse([]string{"create", "Login broken"}, ib.S4, nil)
		require.NoError(t, err)
		assert.Equal(t, ib.S4, inv.declaration.Severity)
	})
	t.Run("Status", func(t *testing.T) {
		inv, err := parse([]string{"status", "INC-20261123-K7QF", "identified"}, ib.S3, nil)
		require.NoError(t, err)
		assert.Equal(t, &ib.SetStatus{Status: ib.Identified, By: currentUser()}, inv.Change)
		assert.Equal(t, "INC-20261123-K7QF", inv.IncidentID)
	})
	t.Run("ListFlags", func(t *testing.T) {
		inv, err := parse([]string{"list", "--all", "--query", "IncidentSeverity='S1'"}, ib.S3, nil)
		require.NoError(t, err)
		assert.True(t, inv.all)
		assert.Equal(t, "IncidentSeverity='S1'", inv.query)
	})
	for name, args := range map[string][]string{
		"ErrNoID":           {"resolve"},
		"ErrUnknownFlag":    {"create", "--sev", "S1", "x"},
		"ErrBadSeverity":    {"create", "--severity", "S9", "x"},
		"ErrUnknownCommand": {"declare", "x"},
		"ErrEmptyTitle":     {"create", "--severity", "S1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parse(args, ib.S3, nil)
			assert.Equal(t, ib.EINVALID, ib.ErrorCode(err), "%v", err)
			assert.NotEmpty(t, ib.ErrorMessage(err))
		})
	}
}

func TestRunUsageErrorsNeedNoTemporal(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1") // nothing listens there
	var out, errOut bytes.Buffer
	assert.Equal(t, exitUsage, run(context.Background(), []string{"sev", "INC-20261123-K7QF", "S9"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "Unknown severity")

	out.Reset()
	assert.Equal(t, exitOK, run(context.Background(), []string{"help"}, &out, &errOut))
	assert.Contains(t, out.String(), "starter create")
	assert.Contains(t, out.String(), "TEMPORAL_ADDRESS")

	for _, args := range [][]string{{"catalog", "check", "--help"}, {"oncall", "report", "--help"}, {"oncall", "-h"}} {
		out.Reset()
		errOut.Reset()
		assert.Equal(t, exitOK, run(context.Background(), args, &out, &errOut), "%v: %s", args, errOut.String())
		assert.Contains(t, out.String(), "-file", "%v shows its flags", args)
		assert.Empty(t, errOut.String(), "%v: no error, and Temporal not asked", args)
	}
}

func TestCatalogCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, exitOK, run(context.Background(), []string{"catalog", "check", "--file", "../catalog.example.yaml"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "✓ ../catalog.example.yaml: 3 teams, 2 services, 3 rotations")

	out.Reset()
	assert.Equal(t, exitOK, run(context.Background(), []string{"oncall", "--file", "../catalog.example.yaml", "checkout"}, &out, &errOut))
	assert.Contains(t, out.String(), "payments-primary")
	assert.NotContains(t, out.String(), "platform-primary", "only the service's rotation")

	bad := t.TempDir() + "/catalog.yaml"
	require.NoError(t, os.WriteFile(bad, []byte("teams: [{name: t}]\nservices: [{name: s, team: nobody, rotation: r}]\nrotations: [{name: r, members: [a, b], handoff: {weekday: monday, hour: 9}, time_zone: UTC, start: 2026-01-05}]\n"), 0o644))
	errOut.Reset()
	assert.Equal(t, exitError, run(context.Background(), []string{"catalog", "check", "--file", bad}, &out, &errOut))
	assert.Contains(t, errOut.String(), `✗ Service "s" names team "nobody"`)

	errOut.Reset()
	t.Setenv("IB_CATALOG", "")
	assert.Equal(t, exitError, run(context.Background(), []string{"catalog", "check"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "Which catalog?")
}

// offHoursService is an incident service holding a few incidents' off-hours
// pages, for the report.
type offHoursService struct {
	ib.IncidentService
	query     string
	incidents map[string][]ib.OffHoursPage
}

func (s *offHoursService) List(_ context.Context, f ib.ListFilter) ([]ib.ListEntry, error) {
	s.query = f.Query
	var out []ib.ListEntry
	for id := range s.incidents {
		out = append(out, ib.ListEntry{ID: id})
	}
	return out, nil
}

func (s *offHoursService) Get(_ context.Context, id string) (ib.Incident, error) {
	inc := ib.Incident{}
	inc.ID, inc.OffHours = id, s.incidents[id]
	return inc, nil
}

func TestOnCallReport(t *testing.T) {
	svc := &offHoursService{incidents: map[string][]ib.OffHoursPage{
		"INC-20261203-AAAA": {{Page: "P1", Person: ib.Person{SlackID: "U00000002"}, At: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)}},
		"INC-20261204-BBBB": nil,
	}}
	var out, errs strings.Builder
	cfg, err := config.LoadConfig(func(string) string { return "" })
	require.NoError(t, err)
	code := onCallReport(context.Background(), svc, []string{"--file", "../catalog.example.yaml", "--month", "2026-12"}, cfg, &out, &errs)
	require.Equal(t, exitOK, code, errs.String())
	assert.Equal(t, "StartTime < '2027-01-01T00:00:00Z' AND (ExecutionStatus = 'Running' OR CloseTime >= '2026-12-01T00:00:00Z')", svc.query,
		"every incident open during the month")
	assert.Contains(t, out.String(), "On call in December 2026")
	assert.Regexp(t, `U00000002\s+\d+ d \d+ h\s+1\n\s+INC-20261203-AAAA P1 2026-12-03 02:00 UTC`, out.String())
	assert.Regexp(t, `U00000005\s+\d+ d \d+ h\s+0\n`, out.String(), "everyone in a rotation is listed")

	errs.Reset()
	code = onCallReport(context.Background(), svc, []string{"--file", "../catalog.example.yaml", "--month", "December"}, cfg, &out, &errs)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs.String(), "not a month such as 2026-12")
}

// With Slack at hand, the catalog check counts a person listed by Slack ID in
// one rotation and by e-mail in another once, and names whom Slack does not
// know.
func TestCatalogCheckAsksSlack(t *testing.T) {
	fake := fakeslack.New(fakeslack.Options{NoLimits: true})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-fake")
	t.Setenv("SLACK_API_URL", srv.URL+"/api/")
	alice := fake.UserByName("alice")
	// alice's weeks: one in each rotation, back to back, from five weeks ago on.
	a, b := time.Now().UTC().AddDate(0, 0, -35), time.Now().UTC().AddDate(0, 0, -28)
	file := t.TempDir() + "/catalog.yaml"
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`
teams: [{name: t}]
services: [{name: s, team: t, rotation: a}]
rotations:
  - {name: a, members: [%s, b1, b2, b3, b4], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: %s}
  - {name: b, members: [Alice@Example.com, c1, c2, c3, U0STALE404], handoff: {weekday: monday, hour: 0}, time_zone: UTC, start: %s}
`, alice, a.Format(time.DateOnly), b.Format(time.DateOnly))), 0o644))
	var out, errOut bytes.Buffer
	assert.Equal(t, exitError, run(context.Background(), []string{"catalog", "check", "--file", file, "--months", "12"}, &out, &errOut))
	// Each rotation alone keeps her to 7 days a month; as one person, two
	// weeks back to back put her over it in some month of the next twelve.
	assert.Contains(t, errOut.String(), "✗ "+alice+" (listed as "+alice+" and Alice@Example.com) would be on call ")
	assert.Contains(t, errOut.String(), "✗ Slack does not know U0STALE404")
}
