package slack_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack"
)

var update = flag.Bool("update", false, "write the golden files from what is rendered now")

// TestGoldenAnswersAndPosts plays an incident's life as typed in Slack and
// compares, byte for byte, each answer and each timeline post's payload (its
// text and blocks), then every other kind of message, with the golden file.
// A change of wording is a change of this file, reviewed like code:
// `go test ./integrations/slack -run Golden -update` writes it again.
func TestGoldenAnswersAndPosts(t *testing.T) {
	alice := ib.Person{SlackID: "U0ALICE01", Name: "alice"}
	bob := ib.Person{SlackID: "U0BOBBY01", Name: "bob"}
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) // pure rendering: a pinned instant
	inc := ib.NewIncident("INC-20260310-K7QF", ib.Declaration{Title: "Checkout API returning 500s", Severity: ib.S3,
		Commander: alice, Declarer: alice, Services: []string{"checkout"}}, at)
	inc.Channel = ib.Channel{ID: "C0INCIDENT", Name: "inc-20260310-checkout-api"}
	inc.Rules = ib.Rules{LivedIn: true}

	var out strings.Builder
	fmt.Fprintf(&out, "/ib create S3 Checkout API returning 500s\n  answer: %s\n", slack.DeclaredText(ib.Declared{ID: inc.ID},
		ib.Declaration{Title: inc.Title, Severity: ib.S3}, "inc"))
	typed := []string{
		"sev S2", "status identified", "note rolled back deploy 1234", "detected 08:40", "customers yes",
		"impact start 08:35 end 09:20", "impact count 1234 failed checkouts", "link https://grafana.example/d/checkout error rates",
		"commander <@U0BOBBY01|bob>", "mitigated 09:25", "status monitoring", "resolve reverted the deploy",
		"impact count 1300 failed checkouts", "postmortem owner <@U0ALICE01>", "reopen it came back",
	}
	for i, text := range typed {
		now := at.Add(time.Duration(i+1) * 5 * time.Minute)
		by := alice
		if inc.Commander.SlackID == bob.SlackID {
			by = bob
		}
		cmd, err := ib.ParseCommand(text, ib.S3, ib.Typist{By: by, Now: now, Zone: func() *time.Location { return time.UTC }})
		require.NoError(t, err, text)
		require.NoError(t, inc.Check(cmd.Change, now), text)
		applied := inc.Make(cmd.Change, now)
		answer := slack.Answer(cmd.Change, ib.Changed{Summary: inc.Summary, Event: applied.Answer()})
		fmt.Fprintf(&out, "/ib %s\n  answer: %s\n", text, answer)
		if e := applied.Answer(); e != nil {
			post := ib.NewMessage(ib.MsgEvent, inc.Summary, "")
			post.Events = append([]ib.TimelineEvent{*e}, applied.Also...)
			writePayload(t, &out, "post", post)
		}
	}

	s := inc.Summary
	notice := ib.NewMessage(ib.MsgNotice, s, "")
	notice.Text, notice.People = "Who follows up with the customers of ticket 4321?", []ib.Person{bob}
	suggestion := ib.NewMessage(ib.MsgSuggestion, s, "")
	suggestion.Tickets = []ib.TicketEvent{{ID: 4321, Subject: "Checkout fails with 500", Status: "open"}}
	uninvited := ib.NewMessage(ib.MsgUninvited, s, "")
	uninvited.Uninvited = []ib.Uninvited{{SlackID: "U0STALE01", Reason: "is not a member of this workspace (a stale ID in the catalog or rotation?)"}}
	for _, m := range []ib.Message{
		ib.NewMessage(ib.MsgHeader, s, ""), ib.NewMessage(ib.MsgAnnouncement, s, ""), ib.NewMessage(ib.MsgRaised, s, ""),
		ib.NewMessage(ib.MsgResolved, s, ""), ib.NewMessage(ib.MsgReopened, s, ""), notice, suggestion, uninvited,
	} {
		writePayload(t, &out, string(m.Kind), m)
	}

	// A service's watch: alerts to the owner, flapping, a Declare? suggestion
	// and what became of it, an alert of no service.
	crash := func(m int) ib.AlertEpisode {
		return ib.AlertEpisode{Alert: ib.Alert{Fingerprint: "f00d", Name: "KubePodCrashLooping", Service: "core-api", Status: ib.AlertResolved,
			StartsAt: at.Add(time.Duration(m) * time.Minute), EndsAt: at.Add(time.Duration(m+4) * time.Minute),
			Summary: "Core API pods are crash-looping", URL: "https://grafana.example/alerting/1"}}
	}
	links := []ib.Link{{URL: "https://wiki.example/runbooks/core-api", Label: "core-api runbook"}}
	flaps := []ib.AlertEpisode{crash(0), crash(7), crash(16)}
	group := []ib.AlertEpisode{crash(0), crash(0)}
	group[1].Name = "KubeContainerOOMKilled"
	suggested := &ib.Suggestion{At: at.Add(25 * time.Minute), Title: "core-api: Core API pods are crash-looping", Severity: ib.S2,
		DetectedAt: at, Alerts: flaps, Ticket: &ib.TicketEvent{ID: 4242, Subject: "Core API errors on deploy", URL: "https://acme.zendesk.com/agent/tickets/4242"},
		Why: "an alert keeps resolving on its own and a customer wrote about it", State: ib.SuggestionOpen}
	dismissed, withdrawn := *suggested, *suggested
	dismissed.State, dismissed.By, dismissed.Reason = ib.SuggestionDismissed, bob, "Known and being handled"
	withdrawn.State, withdrawn.Incident = ib.SuggestionWithdrawn, inc.ID
	unknown := crash(0)
	unknown.Service, unknown.Labels = "", "job=batch, team=blue"
	for _, w := range []struct {
		kind ib.MessageKind
		n    ib.WatchNotice
	}{
		{ib.MsgAlert, ib.WatchNotice{Kind: ib.NoticeAlert, Service: "core-api", Alerts: flaps[:1]}},
		{ib.MsgAlert, ib.WatchNotice{Kind: ib.NoticeAlert, Service: "core-api", Alerts: group}},
		{ib.MsgFlapping, ib.WatchNotice{Kind: ib.NoticeFlapping, Service: "core-api", Alerts: flaps}},
		{ib.MsgDeclare, ib.WatchNotice{Kind: ib.NoticeSuggest, Service: "core-api", Suggestion: suggested}},
		{ib.MsgDeclare, ib.WatchNotice{Kind: ib.NoticeSuggestion, Service: "core-api", Suggestion: &dismissed}},
		{ib.MsgDeclare, ib.WatchNotice{Kind: ib.NoticeSuggestion, Service: "core-api", Suggestion: &withdrawn}},
		{ib.MsgUnknownAlert, ib.WatchNotice{Kind: ib.NoticeUnknownAlert, Alerts: []ib.AlertEpisode{unknown}}},
	} {
		writePayload(t, &out, string(w.kind), ib.Message{Kind: w.kind, Watch: &w.n, Links: links})
	}

	golden := filepath.Join("testdata", "answers-and-posts.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(out.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "write it with -update")
	assert.Equal(t, string(want), out.String(), "the exact payloads changed; review the diff, then -update")
}

func writePayload(t *testing.T, out *strings.Builder, what string, m ib.Message) {
	t.Helper()
	text, blocks := slack.Render(m, "http://localhost:8233/namespaces/default/workflows/"+m.Incident.ID)
	b, err := json.MarshalIndent(blocks, "    ", "  ")
	require.NoError(t, err)
	fmt.Fprintf(out, "  %s text: %s\n  %s blocks: %s\n", what, text, what, b)
}
