package ib_test

import (
	"strings"
	"testing"
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
		{"ErrStatusTwoWords", "status identified now", "takes one status word"},
		{"ErrSevMissing", "sev", "needs one severity"},
		{"ErrSevBad", "sev S0", "Unknown severity"},
		{"ErrNoteEmpty", "note", "needs some text"},
		{"ErrListArgs", "list everything", "takes no arguments"},
		{"ErrShowNotID", "show yesterday", "expects an incident ID"},
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
	cmd, err := ib.ParseCommand("status identified", ib.S3)
	require.NoError(t, err)
	ch, ok := cmd.Change(by)
	require.True(t, ok)
	assert.Equal(t, ib.Change{Kind: ib.ChangeStatus, Status: ib.Identified, By: by}, ch)

	cmd, err = ib.ParseCommand("status", ib.S3)
	require.NoError(t, err)
	_, ok = cmd.Change(by)
	assert.False(t, ok, "status without a value only shows the incident")
}

func TestHelpListsEveryCommand(t *testing.T) {
	help := ib.Help("/ib ", ib.S3)
	for _, name := range []string{"create", "status", "sev", "note", "resolve", "list", "show", "help"} {
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
