package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

// A page that reaches its on-call at night (the night rotation's zone puts
// them at about 03:00) is recorded as off-hours, with the recovery reminder
// set for their next working morning and their manager named; and
// `starter oncall report` counts it for the month, read from the incidents in
// Temporal.
func TestOffHoursPageAndReport(t *testing.T) {
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	id := declare(t, ib.Declaration{Title: "Nightly batch jobs failing", Severity: ib.S3, Services: []string{"batch-jobs"}, Declarer: alice})
	roomReady(t, id)
	before := time.Now()
	_, err := change(t, id, &ib.SendPage{Target: "batch-jobs", Message: "jobs stuck", By: alice})
	require.NoError(t, err)
	var inc ib.Incident
	waitFor(t, "the off-hours page recorded", func() bool { inc = state(t, id); return len(inc.OffHours) == 1 })
	night, _ := testCatalog.Rotation("night")
	o := inc.OffHours[0]
	assert.Equal(t, night.OnCall(before), o.Person.SlackID, "the night rotation's on-call")
	assert.Equal(t, fake.UserByName("pia"), o.Manager.SlackID, "the data team's manager, as the catalog asks")
	assert.Equal(t, "half a day off", o.Recovery)
	loc, err := time.LoadLocation(o.Zone)
	require.NoError(t, err)
	assert.Equal(t, 9, o.RemindAt.In(loc).Hour(), "reminded at the start of the next working morning")
	assert.True(t, o.RemindAt.After(o.At))
	assert.False(t, o.Reminded)

	// The report, as an operator runs it.
	catalogFile := filepath.Join(t.TempDir(), "catalog.yaml")
	require.NoError(t, os.WriteFile(catalogFile, []byte(testCatalogYAML), 0o644))
	bin, err := starterBinary()
	require.NoError(t, err)
	cmd := exec.Command(bin, "oncall", "report", "--file", catalogFile, "--month", o.At.UTC().Format("2006-01"))
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+devServer.FrontendHostPort(), "TEMPORAL_NAMESPACE=default")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Regexp(t, regexp.MustCompile(o.Person.SlackID+`\s+(\d+ d \d+ h|—)\s+[1-9]\d*\n(\s+INC-\S+ P\d+ .*\n)*\s+`+id+` P1 `), string(out))
}
