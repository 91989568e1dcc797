package ib_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

var (
	declaredAt = time.Date(2026, 11, 23, 3, 55, 0, 0, time.UTC)
	alice      = ib.Person{SlackID: "U0ALICE", Name: "alice"}
)

func TestIncidentID(t *testing.T) {
	id := ib.IncidentID("Checkout API returning 500s", declaredAt, 1)
	assert.Regexp(t, `^INC-20261123-[0-9A-HJKMNP-TV-Z]{4}$`, id)
	assert.True(t, ib.IsIncidentID(id))
	assert.True(t, ib.IsIncidentID(strings.ToLower(id)))

	t.Run("SameTitleSameDay", func(t *testing.T) {
		assert.Equal(t, id, ib.IncidentID("  checkout API: returning 500s!", declaredAt.Add(10*time.Hour), 1))
	})
	t.Run("OtherDay", func(t *testing.T) {
		assert.NotEqual(t, id, ib.IncidentID("Checkout API returning 500s", declaredAt.Add(24*time.Hour), 1))
	})
	t.Run("NextAttempt", func(t *testing.T) {
		assert.NotEqual(t, id, ib.IncidentID("Checkout API returning 500s", declaredAt, 2))
	})
	t.Run("OtherTitle", func(t *testing.T) {
		assert.NotEqual(t, id, ib.IncidentID("Checkout API returning 502s", declaredAt, 1))
	})
}

var slackChannelName = regexp.MustCompile(`^[a-z0-9_-]{1,80}$`)

func TestChannelName(t *testing.T) {
	const id = "INC-20261123-K7QF"
	tests := []struct {
		name, title string
		attempt     int
		want        string
	}{
		{"OK", "Checkout API returning 500s", 1, "inc-20261123-checkout-api-returning-500s"},
		{"Punctuation", "  DB: replica lag > 5 min!!! ", 1, "inc-20261123-db-replica-lag-5-min"},
		{"Accents", "Café Zahlung fällt aus", 1, "inc-20261123-cafe-zahlung-fallt-aus"},
		{"EmojiOnly", "🔥🔥🔥", 1, "inc-20261123-k7qf"},
		{"NonLatin", "東京リージョン障害", 1, "inc-20261123-k7qf"},
		{"PunctuationOnly", "!!! ???", 1, "inc-20261123-k7qf"},
		{"SecondAttempt", "Checkout down", 2, "inc-20261123-checkout-down-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ib.ChannelName("inc", declaredAt, tt.title, id, tt.attempt)
			assert.Equal(t, tt.want, got)
			assert.Regexp(t, slackChannelName, got)
		})
	}
	t.Run("LongTitleCutAtWord", func(t *testing.T) {
		got := ib.ChannelName("incident", declaredAt, strings.Repeat("database ", 30), id, 12)
		assert.LessOrEqual(t, len(got), ib.MaxChannelName)
		assert.Regexp(t, slackChannelName, got)
		assert.True(t, strings.HasSuffix(got, "-database-12"), got)
	})
}

func FuzzChannelName(f *testing.F) {
	for _, seed := range []string{"Checkout down", "🔥", "", "ÅÄÖ", strings.Repeat("a-", 100), "\u0301\u0301"} {
		f.Add(seed, 1)
	}
	f.Fuzz(func(t *testing.T, title string, attempt int) {
		attempt = attempt%30 + 1
		if attempt < 1 {
			attempt = -attempt + 1
		}
		got := ib.ChannelName("inc", declaredAt, title, "INC-20261123-K7QF", attempt)
		if !slackChannelName.MatchString(got) || strings.Contains(got, "--") || strings.HasSuffix(got, "-") {
			t.Fatalf("unsafe channel name %q for %q", got, title)
		}
	})
}

func TestDeclarationValidate(t *testing.T) {
	d, err := ib.Declaration{Title: "  Login\x00 broken\x1b ", Severity: ib.S2, Declarer: alice}.Validate()
	require.NoError(t, err)
	assert.Equal(t, "Login broken", d.Title)
	assert.Equal(t, alice, d.Commander, "the declarer commands unless someone else is named")

	_, err = ib.Declaration{Title: "x", Severity: "S7"}.Validate()
	assert.Equal(t, ib.EINVALID, ib.ErrorCode(err))
	_, err = ib.Declaration{Title: "x", Severity: ib.S1, Impact: strings.Repeat("y", ib.MaxTextRunes+1)}.Validate()
	assert.ErrorContains(t, err, "impact")
}

func TestIncidentChanges(t *testing.T) {
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "Checkout down", Severity: ib.S2, Declarer: alice, Commander: alice}, declaredAt)
	require.Len(t, inc.Timeline, 1)
	assert.Equal(t, ib.EventDeclared, inc.Timeline[0].Kind)
	assert.Equal(t, ib.Investigating, inc.Status)
	assert.Equal(t, ib.StageActive, inc.Stage)

	refused := func(c ib.Change, code, says string) {
		t.Helper()
		err := inc.Check(c, declaredAt.Add(time.Hour))
		require.Error(t, err)
		assert.Equal(t, code, ib.ErrorCode(err))
		assert.Contains(t, ib.ErrorMessage(err), says)
	}
	refused(&ib.SetStatus{Status: ib.Investigating}, ib.ECONFLICT, "already investigating")
	refused(&ib.SetStatus{Status: "fixed"}, ib.EINVALID, "Unknown status")
	refused(&ib.SetSeverity{Severity: ib.S2}, ib.ECONFLICT, "already S2")
	refused(&ib.SetSeverity{Severity: "S0"}, ib.EINVALID, "Unknown severity")
	refused(&ib.AddNote{Text: "  "}, ib.EINVALID, "needs some text")
	refused(deleteIncident{}, ib.EINVALID, "Unknown change")

	at := declaredAt.Add(time.Minute)
	for _, c := range []ib.Change{
		&ib.SetStatus{Status: ib.Identified, By: alice},
		&ib.SetSeverity{Severity: ib.S1, By: alice},
		&ib.AddNote{Text: "rolled back", By: alice},
	} {
		require.NoError(t, inc.Check(c, at))
		c.Apply(&inc, at)
	}
	assert.Equal(t, ib.Identified, inc.Status)
	assert.Equal(t, ib.S1, inc.Severity)
	assert.Equal(t, "investigating → identified", inc.Timeline[1].Text)
	assert.Equal(t, "S2 → S1", inc.Timeline[2].Text)

	resolve := &ib.SetStatus{Status: ib.Resolved, By: alice}
	require.NoError(t, inc.Check(resolve, at))
	e := resolve.Apply(&inc, at.Add(time.Hour)).Event
	assert.Equal(t, ib.EventResolved, e.Kind)
	assert.Equal(t, ib.Resolved, inc.Status)
	assert.Equal(t, at.Add(time.Hour), inc.ResolvedAt)
	refused(&ib.Resolve{}, ib.ECONFLICT, "already resolved")
	refused(&ib.SetSeverity{Severity: ib.S3}, ib.ECONFLICT, "what is left is its postmortem")
	// What people learn while writing the postmortem still goes on the timeline.
	assert.NoError(t, inc.Check(&ib.AddNote{Text: "late finding"}, at))
}

// deleteIncident is a change no verb of the command table names.
type deleteIncident struct{}

func (deleteIncident) Check(*ib.Incident, time.Time) error      { return nil }
func (deleteIncident) Apply(*ib.Incident, time.Time) ib.Applied { return ib.Applied{} }
func (deleteIncident) Asker() ib.Person                         { return ib.Person{} }

func TestTimelineFacts(t *testing.T) {
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "API outage", Severity: ib.S1, Declarer: alice, CustomersAffected: ib.Unknown}, declaredAt)
	now := declaredAt.Add(30 * time.Minute)
	apply := func(c ib.Change) error {
		if err := inc.Check(c, now); err != nil {
			return err
		}
		c.Apply(&inc, now)
		return nil
	}
	require.NoError(t, apply(&ib.SetDetected{At: declaredAt.Add(-30 * time.Minute)}))
	assert.Equal(t, ib.EventDetected, inc.Timeline[0].Kind, "detected before declaring goes first")
	assert.ErrorContains(t, apply(&ib.SetMitigated{At: now.Add(time.Hour)}), "in the future")
	assert.ErrorContains(t, apply(&ib.SetImpactWindow{Start: now.Add(-time.Minute), End: now.Add(-2 * time.Minute)}), "must end after it starts")
	require.NoError(t, apply(&ib.SetImpactWindow{Start: declaredAt.Add(-30 * time.Minute), End: declaredAt.Add(12 * time.Minute)}))
	assert.Equal(t, 42*time.Minute, inc.CustomerImpact.End.Sub(inc.CustomerImpact.Start))
	assert.ErrorContains(t, apply(&ib.AddLink{URL: "javascript:alert(1)"}), "not a web address")
	require.NoError(t, apply(&ib.AddLink{URL: "https://github.com/acme/api/pull/4711", Label: "the revert"}))
	assert.Equal(t, []ib.Link{{URL: "https://github.com/acme/api/pull/4711", Label: "the revert"}}, inc.Links)

	assert.True(t, inc.CustomersAnsweredAt.IsZero(), "unknown is no answer")
	require.NoError(t, apply(&ib.AnswerCustomers{Answer: ib.Yes}))
	assert.Equal(t, now, inc.CustomersAnsweredAt, "the first answer's time is kept")
	assert.ErrorContains(t, apply(&ib.AnswerCustomers{Answer: ib.Yes}), "already yes")
}

func TestErrorMessage(t *testing.T) {
	assert.Equal(t, "", ib.ErrorMessage(nil))
	assert.Equal(t, "Bad.", ib.ErrorMessage(ib.Errorf(ib.EINVALID, "Bad.")))
	assert.NotContains(t, ib.ErrorMessage(assert.AnError), assert.AnError.Error(), "internal errors are not shown")
	assert.Equal(t, ib.EINTERNAL, ib.ErrorCode(assert.AnError))
	wrapped := &ib.Error{Code: ib.EUNAVAILABLE, Message: "Try again.", Err: assert.AnError}
	assert.ErrorIs(t, wrapped, assert.AnError)
	assert.Equal(t, "Try again.", ib.ErrorMessage(wrapped))
}

func TestSameTitleAndIDCollisions(t *testing.T) {
	assert.True(t, ib.SameTitle("Checkout API: 500s!", "checkout api 500s"))
	assert.False(t, ib.SameTitle("Checkout API 500s", "Checkout API 502s"))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	seen := map[string]string{}
	collisions := 0
	for i := range 3000 {
		title := fmt.Sprintf("Incident number %d", i)
		id := ib.IncidentID(title, day, 1)
		if other, ok := seen[id]; ok {
			collisions++
			assert.False(t, ib.SameTitle(title, other))
			assert.NotEqual(t, id, ib.IncidentID(title, day, 2), "the next attempt is another ID")
		}
		seen[id] = title
	}
	assert.Positive(t, collisions, "3,000 titles in a day do meet on IDs: the declaration must check the title")
}

// Text people paste cannot break or disguise what the incident shows:
// invalid UTF-8, controls, zero-width and bidirectional characters go.
func TestCleanTextStripsWhatDisguises(t *testing.T) {
	for in, want := range map[string]string{
		"\xff\xfe\xfd":                      "",
		"Login \u202eevil\u202c gnp.exe":    "Login evil gnp.exe",
		"Pay\u200bments down":               "Payments down",
		"  tabs\tand\nnewlines stay  \x00 ": "tabs\tand\nnewlines stay",
		"Zahlungsausfall für Kunden 東京 🔥":   "Zahlungsausfall für Kunden 東京 🔥",
	} {
		assert.Equal(t, want, ib.CleanText(in), "%q", in)
	}
	for _, title := range []string{"!!!", "???", "\xff\xfe", "\u202e\u200b", "-- …"} {
		_, err := ib.Declaration{Title: title, Severity: ib.S3}.Validate()
		assert.Equal(t, ib.EINVALID, ib.ErrorCode(err), "%q is refused", title)
	}
	d, err := ib.Declaration{Title: "🔥🔥", Severity: ib.S3}.Validate()
	require.NoError(t, err, "an emoji is a word")
	assert.Equal(t, "🔥🔥", d.Title)
}
