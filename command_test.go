package ib_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

func TestParseCommand(t *testing.T) {
	const id = "INC-20261123-K7QF"
	tests := []struct {
		name string
		text string
		want ib.Command
	}{
		{"Empty", "", ib.Command{Name: ib.CmdHelp}},
		{"Help", "help", ib.Command{Name: ib.CmdHelp}},
		{"CreateWithSeverity", "create S1 Checkout API returning 500s", ib.Command{Name: ib.CmdCreate, Severity: ib.S1, Text: "Checkout API returning 500s"}},
		{"CreateDefaultSeverity", "create Checkout slow", ib.Command{Name: ib.CmdCreate, Severity: ib.S3, Text: "Checkout slow"}},
		{"CreateLowercaseSeverity", "CREATE sev2 Login broken", ib.Command{Name: ib.CmdCreate, Severity: ib.S2, Text: "Login broken"}},
		{"CreateTitleStartingWithS", "create Search is slow", ib.Command{Name: ib.CmdCreate, Severity: ib.S3, Text: "Search is slow"}},
		{"CreateSpacesCollapsed", "  create   S4   a   b ", ib.Command{Name: ib.CmdCreate, Severity: ib.S4, Text: "a b"}},
		{"CreateUnicode", "create S2 Zahlungen schlagen fehl ✗ 東京", ib.Command{Name: ib.CmdCreate, Severity: ib.S2, Text: "Zahlungen schlagen fehl ✗ 東京"}},
		{"CreateEmojiOnly", "create 🔥🔥", ib.Command{Name: ib.CmdCreate, Severity: ib.S3, Text: "🔥🔥"}},
		{"StatusShow", "status", ib.Command{Name: ib.CmdStatus}},
		{"StatusSet", "status identified", ib.Command{Name: ib.CmdStatus, Status: ib.Identified}},
		{"StatusWithID", "status inc-20261123-k7qf Monitoring", ib.Command{Name: ib.CmdStatus, IncidentID: id, Status: ib.Monitoring}},
		{"Sev", "sev " + id + " s2", ib.Command{Name: ib.CmdSev, IncidentID: id, Severity: ib.S2}},
		{"Note", "note rolled back 1234", ib.Command{Name: ib.CmdNote, Text: "rolled back 1234"}},
		{"ResolveWithSummary", "resolve " + id + " reverted the change", ib.Command{Name: ib.CmdResolve, IncidentID: id, Text: "reverted the change"}},
		{"ResolveBare", "resolve", ib.Command{Name: ib.CmdResolve}},
		{"Show", "show " + id, ib.Command{Name: ib.CmdShow, IncidentID: id}},
		{"List", "list", ib.Command{Name: ib.CmdList}},
		{"PostmortemNow", "postmortem", ib.Command{Name: ib.CmdPostmortem}},
		{"PostmortemOwner", "postmortem " + id + " owner <@U0CAROL|carol>", ib.Command{Name: ib.CmdPostmortem, IncidentID: id, Sub: "owner", Target: "U0CAROL"}},
		{"PostmortemWaive", "postmortem waive a five-minute blip", ib.Command{Name: ib.CmdPostmortem, Sub: "waive", Text: "a five-minute blip"}},
		{"PostmortemDraft", "postmortem DRAFT", ib.Command{Name: ib.CmdPostmortem, Sub: "draft"}},
		{"ReviewDone", "review done agreed on three actions", ib.Command{Name: ib.CmdReview, Sub: "done", Text: "agreed on three actions"}},
		{"ActionAdd", "action add alert on error rate <@U0BOBBY> due:2026-12-01", ib.Command{Name: ib.CmdAction, Sub: "add", Text: "alert on error rate", Target: "U0BOBBY", When: "2026-12-01"}},
		{"ActionAddOwnerFirst", "action add @carol due:2026-12-01 write the runbook", ib.Command{Name: ib.CmdAction, Sub: "add", Text: "write the runbook", Target: "carol", When: "2026-12-01"}},
		{"ActionDone", "action " + id + " done 2", ib.Command{Name: ib.CmdAction, IncidentID: id, Sub: "done", Count: 2}},
		{"Close", "close", ib.Command{Name: ib.CmdClose}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ib.ParseCommand(tt.text, ib.S3)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		name, text, says string
	}{
		{"ErrUnknownCommand", "declare stuff", "Unknown command \"declare\""},
		{"ErrTitleRequired", "create", "needs a title"},
		{"ErrTitleRequiredAfterSeverity", "create S1", "needs a title"},
		{"ErrUnknownSeverity", "create S5 broken", "Unknown severity \"S5\""},
		{"ErrUnknownSeverityLong", "create sev12 broken", "Unknown severity"},
		{"ErrTitleTooLong", "create " + strings.Repeat("x", 5000), "5000 characters"},
		{"ErrUnknownStatus", "status fixed", "Unknown status \"fixed\""},
		{"ErrPostmortemWhat", "postmortem later", "takes owner, draft, done or waive"},
		{"ErrWaiveWithoutReason", "postmortem waive", "Say why"},
		{"ErrReviewWithoutDone", "review", "takes `done`"},
		{"ErrActionWithoutDue", "action add fix it <@U0BOBBY>", "what, who and when"},
		{"ErrActionDoneWhich", "action done two", "Which action item"},
		{"ErrCloseArgs", "close now please", "takes no arguments"},
		{"ErrStatusTwoWords", "status identified now", "takes one status word"},
		{"ErrSevMissing", "sev", "needs one severity"},
		{"ErrSevBad", "sev S0", "Unknown severity"},
		{"ErrNoteEmpty", "note", "needs some text"},
		{"ErrListArgs", "list everything", "takes no arguments"},
		{"ErrShowNotID", "show yesterday", "expects an incident ID"},
		{"ErrDetectedNoTime", "detected soon", "needs a time"},
		{"ErrImpactWhat", "impact lots", "takes start or count"},
		{"ErrImpactCount", "impact count many requests", "needs a number"},
		{"ErrLinkEmpty", "link", "needs a web address"},
		{"ErrCustomers", "customers maybe yes", "needs one answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ib.ParseCommand(tt.text, ib.S3)
			require.Error(t, err)
			assert.Equal(t, ib.EINVALID, ib.ErrorCode(err))
			assert.Contains(t, ib.ErrorMessage(err), tt.says)
		})
	}
}

func TestCommandChange(t *testing.T) {
	by := ib.Person{SlackID: "U1"}
	berlin, err := ib.LoadZone("Europe/Berlin")
	require.NoError(t, err)
	now := time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC) // 05:10 in Berlin
	change := func(text string, loc *time.Location) (ib.Change, bool, error) {
		t.Helper()
		cmd, err := ib.ParseCommand(text, ib.S3)
		require.NoError(t, err, text)
		return cmd.Change(by, now, loc)
	}

	ch, ok, err := change("status identified", time.UTC)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, ib.Change{Kind: ib.ChangeStatus, Status: ib.Identified, By: by}, ch)
	_, ok, _ = change("status", time.UTC)
	assert.False(t, ok, "status without a value only shows the incident")

	ch, _, _ = change("detected 03:25", time.UTC)
	assert.Equal(t, time.Date(2026, 11, 23, 3, 25, 0, 0, time.UTC), ch.Time.UTC())
	ch, _, _ = change("detected 04:25", berlin)
	assert.Equal(t, time.Date(2026, 11, 23, 3, 25, 0, 0, time.UTC), ch.Time.UTC(), "read in the typist's zone")
	ch, _, _ = change("detected 23:40", time.UTC)
	assert.Equal(t, time.Date(2026, 11, 22, 23, 40, 0, 0, time.UTC), ch.Time.UTC(), "a clock time later than now was yesterday")
	ch, _, _ = change("detected 2026-11-23 03:25 Europe/Berlin", time.UTC)
	assert.Equal(t, time.Date(2026, 11, 23, 2, 25, 0, 0, time.UTC), ch.Time.UTC(), "a zone typed with the time wins")
	ch, _, _ = change("mitigated", time.UTC)
	assert.Equal(t, now, ch.Time, "mitigated defaults to now")

	ch, _, _ = change("impact start 03:25 end 04:07 UTC", berlin)
	assert.Equal(t, ib.ChangeImpactTime, ch.Kind)
	assert.Equal(t, 42*time.Minute, ch.Until.Sub(ch.Time))
	ch, _, _ = change("impact count 1,234 failed requests", time.UTC)
	assert.Equal(t, ib.Change{Kind: ib.ChangeImpactSize, Count: 1234, Text: "failed requests", By: by}, ch)
	ch, _, _ = change("link https://grafana.example.com/d/abc DB dashboard", time.UTC)
	assert.Equal(t, ib.Change{Kind: ib.ChangeLink, URL: "https://grafana.example.com/d/abc", Text: "DB dashboard", By: by}, ch)
	ch, _, _ = change("customers YES", time.UTC)
	assert.Equal(t, ib.Yes, ch.Answer)

	_, _, err = change("detected 25:99", time.UTC)
	assert.ErrorContains(t, err, "not a time")
	_, _, err = change("detected 03:25 Mars/Olympus", time.UTC)
	assert.ErrorContains(t, err, "Unknown time zone")
}

func TestParseTimeAcrossDST(t *testing.T) {
	berlin, err := ib.LoadZone("Europe/Berlin")
	require.NoError(t, err)
	// The night Berlin falls back (2026-10-25): 02:30 happens twice; Go takes the first.
	got, err := ib.ParseTime("2026-10-25 01:30", time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), berlin)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC), got.UTC())
	got, err = ib.ParseTime("03:30", time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), berlin)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), got.UTC(), "after the change, CET is UTC+1")
}

func TestHelpListsEveryCommand(t *testing.T) {
	help := ib.Help("/ib ", ib.S3)
	for _, name := range []string{"create", "status", "sev", "note", "resolve", "list", "show", "help", "timeline", "detected", "mitigated", "impact", "customers", "link"} {
		assert.Contains(t, help, "/ib "+name)
	}
	assert.Contains(t, help, "defaults to S3")
	assert.Contains(t, help, ib.S1.Meaning())
}

// FuzzParseCommand: whatever people type, the parser answers with a command or
// a user-facing error, never a panic, and a created title is always valid.
func FuzzParseCommand(f *testing.F) {
	for _, seed := range []string{"", "create S1 Checkout down", "status INC-20261123-K7QF identified",
		"create \x00\x01", "create 🔥", "sev s9", "note " + strings.Repeat("ü", 4000), "create S1 \u202e evil"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := ib.ParseCommand(text, ib.S3)
		if err != nil {
			if ib.ErrorCode(err) != ib.EINVALID || ib.ErrorMessage(err) == "" {
				t.Fatalf("error without a user message: %v", err)
			}
			return
		}
		if cmd.Name == ib.CmdCreate {
			if !cmd.Severity.Valid() || cmd.Text == "" || utf8.RuneCountInString(cmd.Text) > ib.MaxTitleRunes || !utf8.ValidString(cmd.Text) {
				t.Fatalf("invalid create accepted: %+v", cmd)
			}
		}
	})
}
