package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

func TestParse(t *testing.T) {
	t.Run("CreateFromFlags", func(t *testing.T) {
		inv, err := parse([]string{"create", "--severity", "S1", "--title", "Checkout API returning 500s", "--impact", "EU checkouts fail", "--services", "checkout, payments"}, ib.S3)
		require.NoError(t, err)
		d := inv.declaration
		assert.Equal(t, "Checkout API returning 500s", d.Title)
		assert.Equal(t, ib.S1, d.Severity)
		assert.Equal(t, "EU checkouts fail", d.Impact)
		assert.Equal(t, []string{"checkout", "payments"}, d.Services)
		assert.NotEmpty(t, d.Declarer.Name)
	})
	t.Run("CreateFromWords", func(t *testing.T) {
		inv, err := parse([]string{"create", "S2", "Login", "broken"}, ib.S3)
		require.NoError(t, err)
		assert.Equal(t, "Login broken", inv.declaration.Title)
		assert.Equal(t, ib.S2, inv.declaration.Severity)
	})
	t.Run("CreateDefaultSeverity", func(t *testing.T) {
		inv, err := parse([]string{"create", "Login broken"}, ib.S4)
		require.NoError(t, err)
		assert.Equal(t, ib.S4, inv.declaration.Severity)
	})
	t.Run("Status", func(t *testing.T) {
		inv, err := parse([]string{"status", "INC-20261123-K7QF", "identified"}, ib.S3)
		require.NoError(t, err)
		assert.Equal(t, ib.Identified, inv.Status)
		assert.Equal(t, "INC-20261123-K7QF", inv.IncidentID)
	})
	t.Run("ListFlags", func(t *testing.T) {
		inv, err := parse([]string{"list", "--all", "--query", "IncidentSeverity='S1'"}, ib.S3)
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
			_, err := parse(args, ib.S3)
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
