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
	by := ib.Person{SlackID: "U0ALICE"}
	now := time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC)
	due := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) // the due date's working morning, in the typist's zone
	create := func(sev ib.Severity, title string) want {
		return want{verb: "create", decl: ib.Declaration{Title: title, Severity: sev}}
	}
	tests := []struct {
		name string
		text string
		want want
	}{
		{"Empty", "", want{verb: "help"}},
		{"Help", "help", want{verb: "help"}},
		{"CreateWithSeverity", "create S1 Checkout API returning 500s", create(ib.S1, "Checkout API returning 500s")},
		{"CreateDefaultSeverity", "create Checkout slow", create(ib.S3, "Checkout slow")},
		{"CreateLowercaseSeverity", "CREATE sev2 Login broken", create(ib.S2, "Login broken")},
		{"CreateTitleStartingWithS", "create Search is slow", create(ib.S3, "Search is slow")},
		{"CreateSpacesCollapsed", "  create   S4   a   b ", create(ib.S4, "a b")},
		{"CreateUnicode", "create S2 Zahlungen schlagen fehl ✗ 東京", create(ib.S2, "Zahlungen schlagen fehl ✗ 東京")},
		{"CreateEmojiOnly", "create 🔥🔥", create(ib.S3, "🔥🔥")},
		{"StatusShow", "status", want{verb: "status"}},
		{"StatusSet", "status identified", want{verb: "status", change: &ib.SetStatus{Status: ib.Identified, By: by}}},
		{"StatusWithID", "status inc-20261123-k7qf Monitoring", want{verb: "status", id: id, change: &ib.SetStatus{Status: ib.Monitoring, By: by}}},
		{"Sev", "sev " + id + " s2", want{verb: "severity", id: id, change: &ib.SetSeverity{Severity: ib.S2, By: by}}},
		{"Note", "note rolled back 1234", want{verb: "note", change: &ib.AddNote{Text: "rolled back 1234", By: by}}},
		{"ResolveWithSummary", "resolve " + id + " reverted the change", want{verb: "resolve", id: id, change: &ib.Resolve{Summary: "reverted the change", By: by}}},
		{"ResolveBare", "resolve", want{verb: "resolve", change: &ib.Resolve{By: by}}},
		{"Show", "show " + id, want{verb: "show", id: id}},
		{"List", "list", want{verb: "list"}},
		{"PostmortemNow", "postmortem", want{verb: "postmortem", change: &ib.StartPostmortem{By: by}}},
		{"PostmortemOwner", "postmortem " + id + " owner <@U0CAROL|carol>", want{verb: "postmortem-owner", id: id, change: &ib.SetPostmortemOwner{Owner: "U0CAROL", By: by}}},
		{"PostmortemWaive", "postmortem waive a five-minute blip", want{verb: "postmortem-waive", change: &ib.WaivePostmortem{Reason: "a five-minute blip", By: by}}},
		{"PostmortemDraft", "postmortem DRAFT", want{verb: "postmortem-draft", change: &ib.RequestDraft{By: by}}},
		{"ReviewDone", "review done agreed on three actions", want{verb: "review", change: &ib.RecordReview{Notes: "agreed on three actions", By: by}}},
		{"ActionAdd", "action add alert on error rate <@U0BOBBY> due:2026-12-01", want{verb: "action-add", change: &ib.AddAction{Text: "alert on error rate", Owner: "U0BOBBY", Due: due, By: by}}},
		{"ActionAddOwnerFirst", "action add <@U0CAROL|carol> due:2026-12-01 write the runbook", want{verb: "action-add", change: &ib.AddAction{Text: "write the runbook", Owner: "U0CAROL", Due: due, By: by}}},
		{"ActionDone", "action " + id + " done 2", want{verb: "action-done", id: id, change: &ib.FinishAction{N: 2, By: by}}},
		{"Close", "close", want{verb: "close", change: &ib.Close{By: by}}},
		{"TicketWaive", "ticket waive 12345 called the customer", want{verb: "ticket-waive", change: &ib.WaiveTicket{Ticket: 12345, Reason: "called the customer", By: by}}},
		{"Ack", "ack p1", want{verb: "ack-page", change: &ib.AckPage{Page: "P1", By: by}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ib.ParseCommand(tt.text, ib.S3, ib.Typist{By: by, Now: now})
			require.NoError(t, err)
			assert.Equal(t, tt.want.verb, got.Verb.Name)
			assert.Equal(t, tt.want.id, got.IncidentID)
			assert.Equal(t, tt.want.change, got.Change)
			if tt.want.verb == "create" {
				assert.Equal(t, tt.want.decl, got.Declaration)
			}
		})
	}
}

// want is what a command should parse to.
type want struct {
	verb   string
	id     string
	change ib.Change
	decl   ib.Declaration
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
			_, err := ib.ParseCommand(tt.text, ib.S3, ib.Typist{})
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
	change := func(text string, loc *time.Location) (ib.Change, error) {
		t.Helper()
		cmd, err := ib.ParseCommand(text, ib.S3, ib.Typist{By: by, Now: now, Zone: func() *time.Location { return loc }})
		return cmd.Change, err
	}
	at := func(c ib.Change) time.Time {
		switch c := c.(type) {
		case *ib.SetDetected:
			return c.At.UTC()
		case *ib.SetMitigated:
			return c.At
		}
		t.Fatalf("no time in %#v", c)
		return time.Time{}
	}

	ch, err := change("status identified", time.UTC)
	require.NoError(t, err)
	assert.Equal(t, &ib.SetStatus{Status: ib.Identified, By: by}, ch)
	ch, _ = change("status", time.UTC)
	assert.Nil(t, ch, "status without a value only shows the incident")

	ch, _ = change("detected 03:25", time.UTC)
	assert.Equal(t, time.Date(2026, 11, 23, 3, 25, 0, 0, time.UTC), at(ch))
	ch, _ = change("detected 04:25", berlin)
	assert.Equal(t, time.Date(2026, 11, 23, 3, 25, 0, 0, time.UTC), at(ch), "read in the typist's zone")
	ch, _ = change("detected 23:40", time.UTC)
	assert.Equal(t, time.Date(2026, 11, 22, 23, 40, 0, 0, time.UTC), at(ch), "a clock time later than now was yesterday")
	ch, _ = change("detected 2026-11-23 03:25 Europe/Berlin", time.UTC)
	assert.Equal(t, time.Date(2026, 11, 23, 2, 25, 0, 0, time.UTC), at(ch), "a zone typed with the time wins")
	ch, _ = change("mitigated", time.UTC)
	assert.Equal(t, now, at(ch), "mitigated defaults to now")

	ch, _ = change("impact start 03:25 end 04:07 UTC", berlin)
	window, ok := ch.(*ib.SetImpactWindow)
	require.True(t, ok, "%#v", ch)
	assert.Equal(t, 42*time.Minute, window.End.Sub(window.Start))
	ch, _ = change("impact count 1,234 failed requests", time.UTC)
	assert.Equal(t, &ib.SetImpactSize{Count: 1234, Unit: "failed requests", By: by}, ch)
	ch, _ = change("link https://grafana.example.com/d/abc DB dashboard", time.UTC)
	assert.Equal(t, &ib.AddLink{URL: "https://grafana.example.com/d/abc", Label: "DB dashboard", By: by}, ch)
	ch, _ = change("customers YES", time.UTC)
	assert.Equal(t, &ib.AnswerCustomers{Answer: ib.Yes, By: by}, ch)

	_, err = change("detected 25:99", time.UTC)
	assert.ErrorContains(t, err, "not a time")
	_, err = change("detected 03:25 Mars/Olympus", time.UTC)
	assert.ErrorContains(t, err, "Unknown time zone")
}

// Only commands with times in them ask for the typist's zone, so that a
// front door looks it up only for them.
func TestZoneAskedOnlyForTimes(t *testing.T) {
	for text, asks := range map[string]bool{"note hello": false, "status identified": false, "detected 03:25": true,
		"impact start 03:25": true, "action add x <@U0BOBBY> due:2026-12-01": true, "detected 03:25 UTC": false} {
		asked := false
		_, err := ib.ParseCommand(text, ib.S3, ib.Typist{Now: time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC),
			Zone: func() *time.Location { asked = true; return time.UTC }})
		require.NoError(t, err, text)
		assert.Equal(t, asks, asked, text)
	}
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
	for _, v := range ib.Verbs {
		assert.Contains(t, help, "/ib "+v.Usage()+" — ", "every row of the command table")
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
		cmd, err := ib.ParseCommand(text, ib.S3, ib.Typist{Now: time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC)})
		if err != nil {
			if ib.ErrorCode(err) != ib.EINVALID || ib.ErrorMessage(err) == "" {
				t.Fatalf("error without a user message: %v", err)
			}
			return
		}
		if d := cmd.Declaration; cmd.Is("create") {
			if !d.Severity.Valid() || d.Title == "" || utf8.RuneCountInString(d.Title) > ib.MaxTitleRunes || !utf8.ValidString(d.Title) {
				t.Fatalf("invalid create accepted: %+v", cmd)
			}
		}
	})
}
