package ib_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

// The README's command table is the command table (ib.Verbs): a verb added,
// renamed or reworded there shows here until the README says the same.
func TestREADMECommandTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	want := ib.CommandTable("`IB_DEFAULT_SEVERITY`")
	assert.Contains(t, string(readme), want, "the README's command table should read:\n%s", want)
}
