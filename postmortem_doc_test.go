package ib_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// controlPlaneOutage is a recorded incident resembling a real one: the control
// plane API failed after a change; detected at 03:25 by an alert nobody
// believed, declared at 03:55 when a customer ticket proved it, customers
// affected 03:25–04:07, fixed by reverting the change.
func controlPlaneOutage(t *testing.T) ib.Incident {
	t.Helper()
	day := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }
	bob := ib.Person{SlackID: "U0BOBBY", Name: "bob"}
	carol := ib.Person{SlackID: "U0CAROL", Name: "carol"}
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{
		Title: "Control plane API returning 503s", Severity: ib.S1, Services: []string{"control-plane-api"},
		Impact: "Customers cannot create, scale or delete clusters", Declarer: alice, Commander: alice,
	}, day(3, 55))
	inc.Responders = []ib.Responder{{Person: bob, Rotation: "platform", Service: "control-plane-api"}}
	apply := func(at time.Time, c ib.Change) {
		t.Helper()
		require.NoError(t, inc.Check(c, at), "%s", ib.VerbOf(c).Name)
		c.Apply(&inc, at)
	}
	apply(day(3, 58), &ib.SetDetected{At: day(3, 25), By: alice})
	apply(day(4, 1), &ib.AnswerCustomers{Answer: ib.Yes, By: alice})
	apply(day(4, 2), &ib.SendPage{Target: "control-plane-api", Message: "503s from the API | since 03:25", By: alice})
	inc.Paged("P1", []ib.Person{bob, carol}, day(4, 2), day(4, 7))
	inc.Escalate("P1", day(4, 7), day(4, 12))
	apply(day(4, 9), &ib.AckPage{Page: "P1", By: carol})
	apply(day(4, 5), &ib.SetStatus{Status: ib.Identified, By: alice})
	apply(day(4, 6), &ib.AddNote{Text: "Reverting change 4711 (connection pool limits)", By: bob})
	apply(day(4, 10), &ib.AddLink{URL: "https://git.example.com/platform/pull/4712", Label: "revert of 4711", By: bob})
	apply(day(4, 12), &ib.SetMitigated{At: day(4, 7), By: alice})
	apply(day(4, 15), &ib.SetImpactWindow{Start: day(3, 25), End: day(4, 7), By: alice})
	apply(day(4, 16), &ib.SetImpactSize{Count: 1832, Unit: "failed API requests", By: alice})
	for _, e := range []ib.ChannelEvent{
		{Kind: ib.ReactionAdded, User: "U0BOBBY", TS: "1795405560.000100", Reaction: "receipt", Collection: ib.Papertrail, At: day(4, 6)},
		{Kind: ib.ReactionAdded, User: "U0CAROL", TS: "1795405800.000200", Reaction: "pushpin", Collection: ib.PostmortemItems, At: day(4, 11)},
	} {
		inc.Observe(e)
		inc.Collect(e)
	}
	inc.Fill(ib.MessageContent{TS: "1795405560.000100", Found: true, Author: "bob", Text: "Error rate dropped after the revert started rolling out",
		Permalink: "https://example.slack.com/archives/C1/p1795405560000100"})
	inc.Fill(ib.MessageContent{TS: "1795405800.000200", Found: true, Author: "carol", Text: "Why did the 03:25 alert not page anyone?",
		Permalink: "https://example.slack.com/archives/C1/p1795405800000200"})
	apply(day(4, 20), &ib.Resolve{Summary: "Reverted change 4711; the API is healthy again", By: alice})
	inc.Channel = ib.Channel{ID: "C0INC0001", Name: "inc-20261123-control-plane-api-returning-503s"}
	inc.Tickets.ProblemID, inc.Tickets.ProblemURL = 4100, "https://acme.zendesk.com/agent/tickets/4100"
	inc.LinkTicket(ib.Ticket{ID: 4093, Subject: "Cannot scale our cluster", Status: "open", URL: "https://acme.zendesk.com/agent/tickets/4093",
		LinkedAt: day(3, 57), LinkedBy: alice})
	inc.PlanPostmortem(ib.PostmortemPolicy{}, "UTC")
	inc.StartPostmortem(inc.Postmortem.StartAt, ib.Person{Name: "Incident Buddy"})
	inc.AssignOwner(bob, ib.PostmortemPolicy{}, inc.Postmortem.StartAt)
	apply(day(9, 0), &ib.AddAction{Text: "Page on the control plane 5xx alert", Owner: "U0CAROL", Due: time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC), By: alice})
	return inc
}

func TestPostmortemDocumentGolden(t *testing.T) {
	inc := controlPlaneOutage(t)
	m := inc.ResponseMetrics()
	assert.Equal(t, 30*time.Minute, m.TimeToDeclare)
	assert.Equal(t, 36*time.Minute, m.TimeToKnowCustomers)
	assert.Equal(t, 42*time.Minute, m.TimeToMitigate)
	assert.Equal(t, 55*time.Minute, m.TimeToResolve)
	assert.Equal(t, 42*time.Minute, m.CustomerImpact)

	got, err := ib.RenderPostmortem("", inc)
	require.NoError(t, err)
	golden := filepath.Join("testdata", "postmortem-control-plane.md")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run `go test -run Golden -update .` to write the golden file")
	assert.Equal(t, string(want), got)
}

func TestPostmortemTemplateErrors(t *testing.T) {
	inc := controlPlaneOutage(t)
	_, err := ib.RenderPostmortem("{{.Title", inc)
	assert.Equal(t, ib.EINVALID, ib.ErrorCode(err))
	assert.Contains(t, ib.ErrorMessage(err), "does not parse")
	_, err = ib.RenderPostmortem("{{.NoSuchField}}", inc)
	assert.Contains(t, ib.ErrorMessage(err), "failed on INC-20261123-K7QF")
	out, err := ib.RenderPostmortem("{{.ID}} took {{minutes .Metrics.TimeToResolve}}", inc)
	require.NoError(t, err)
	assert.Equal(t, "INC-20261123-K7QF took 55 min", out)
}
