package tests

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakestatuspage"
)

// Incidents as people live them, off the happy path: facts corrected after
// the fix, a problem that comes back, pages that must stop, people named as
// Slack sends them, integrations that are not there.

// The impact window declared after the fix, the failed requests counted
// later, the status page set to resolved: corrections until the incident is
// closed, marked as such, with the metrics, header and draft following them.
// Resolving resolves the status page's incident the bot opened.
func TestCorrectionsAfterResolution(t *testing.T) {
	gw := startGateway(t, incidents)
	alice := fake.UserByName("alice")
	title := "Lived corrections after the fix"
	id := declare(t, ib.Declaration{Title: title, Severity: ib.S2, Services: []string{"checkout"}, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	inc := roomReady(t, id)
	in := inc.Channel.ID

	assert.NotContains(t, gw.ask(t, alice, in, "statuspage investigating We are looking into failed checkouts."), "❌")
	waitFor(t, "the status page has the incident", func() bool { return publicIncident(title) != nil })
	assert.Contains(t, gw.ask(t, alice, in, "resolve rolled back the deploy"), "is resolved")
	waitFor(t, "the status page's incident is resolved with it", func() bool {
		p := publicIncident(title)
		return p != nil && p.Status == "resolved"
	})
	assert.Contains(t, publicIncident(title).Updates[len(publicIncident(title).Updates)-1].Body, "rolled back the deploy")

	// Customers were hurt before anyone declared: the window is found later.
	declared := state(t, id).DeclaredAt.Truncate(time.Minute)
	start, end := declared.Add(-50*time.Minute).UTC(), declared.Add(-8*time.Minute).UTC()
	for _, text := range []string{
		"impact start " + start.Format("2006-01-02 15:04") + " end " + end.Format("2006-01-02 15:04") + " UTC",
		"impact count 1234 failed requests",
		"detected " + start.Format("2006-01-02 15:04") + " UTC",
		"customers yes",
		"statuspage resolved Checkout has been stable since the rollback.",
	} {
		assert.NotContains(t, gw.ask(t, alice, in, text), "❌", text)
	}
	settled(t, tclient, id)
	got := state(t, id)
	corrections := 0
	for _, e := range got.Timeline {
		if e.Correction {
			corrections++
		}
	}
	assert.Equal(t, 4, corrections, "the four facts set after the fix are corrections; the status page update is news")
	assert.Equal(t, 1234, got.CustomerImpact.Count)
	assert.Equal(t, 42*time.Minute, got.Metrics.CustomerImpact, "the metrics follow the corrected window")
	assert.Equal(t, start, got.DetectedAt)
	posted := 0
	for _, m := range messagesAbout(inc.Channel.Name, "Correction:") {
		posted += strings.Count(m.Text, "Correction:") // the timeline merges posts that come together
	}
	assert.Equal(t, 4, posted, "each correction is posted, once")
	assert.Contains(t, headerOf(t, got), "1234 failed requests", "the header follows")
	assert.Len(t, publicIncident(title).Updates, 3, "the status page took its update after the fix")

	// In the postmortem stage, a correction writes the draft again.
	assert.NotContains(t, gw.ask(t, alice, in, "postmortem"), "❌")
	waitFor(t, "the first draft", func() bool { return state(t, id).Postmortem.Drafts == 1 })
	assert.NotContains(t, gw.ask(t, alice, in, "mitigated "+end.Add(-5*time.Minute).Format("2006-01-02 15:04")+" UTC"), "❌")
	waitFor(t, "a draft of the corrected record", func() bool { return state(t, id).Postmortem.Drafts == 2 })
}

// publicIncident is the status page's incident of that name, if any.
func publicIncident(name string) *fakestatuspage.Incident {
	for _, p := range statusPage.Incidents() {
		if p.Name == name {
			return &p
		}
	}
	return nil
}

// A resolved incident is reopened when the problem comes back: active
// again, its postmortem stage set aside until it is resolved again. A
// declaration of the same title once it is resolved opens a new incident,
// linked both ways; repeated, it joins the new one.
func TestReopenAndRecurrence(t *testing.T) {
	gw := startGateway(t, incidents)
	alice := fake.UserByName("alice")
	title := "Lived recurrence of login errors"
	first := declare(t, ib.Declaration{Title: title, Severity: ib.S3, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	in := roomReady(t, first).Channel.ID

	assert.Contains(t, gw.ask(t, alice, in, "reopen"), "is not resolved")
	gw.ask(t, alice, in, "resolve restarted the pods")
	waitFor(t, "the postmortem stage is planned", func() bool { return !state(t, first).Postmortem.StartAt.IsZero() })
	assert.NotContains(t, gw.ask(t, alice, in, "reopen the errors are back"), "❌")
	got := state(t, first)
	assert.Equal(t, ib.Investigating, got.Status)
	assert.Equal(t, ib.StageActive, got.Stage)
	assert.True(t, got.Postmortem.StartAt.IsZero(), "the postmortem stage is set aside")
	assert.NotContains(t, gw.ask(t, alice, in, "note the errors came back at 10:02"), "❌", "an active incident again")
	waitFor(t, "#incidents hears of it", func() bool { return len(messagesAbout("incidents", "Reopened: "+title)) == 1 })

	gw.ask(t, alice, in, "resolve scaled the pool")
	waitFor(t, "planned again at the next resolution", func() bool { return !state(t, first).Postmortem.StartAt.IsZero() })

	answer := gw.ask(t, alice, channelID(t, "general"), "create S3 "+title)
	second := incidentIDPattern.FindString(answer)
	require.NotEmpty(t, second, answer)
	assert.NotEqual(t, first, second, "a new incident, not the resolved one")
	assert.Contains(t, answer, "recurrence of *"+first+"*")
	assert.Equal(t, first, roomReady(t, second).RecurrenceOf)
	waitFor(t, "the earlier incident names its recurrence", func() bool { return len(state(t, first).Recurrences) == 1 })
	assert.Equal(t, []string{second}, state(t, first).Recurrences)
	assert.Contains(t, gw.ask(t, alice, channelID(t, "general"), "create S3 "+title), second+"* is already open", "repeated, it joins the new one")
}

// F22: a page nobody acknowledged stops when its incident is resolved: the
// next person in the rotation is not woken, and PagerDuty's alert is
// resolved.
func TestResolutionStopsPages(t *testing.T) {
	const escalateAfter = 3 * time.Second
	paging := &ibtemporal.Incidents{Client: tclient, Settings: ib.Settings{EscalateAfter: escalateAfter}}
	gw := startGateway(t, paging)
	alice := fake.UserByName("alice")
	res, err := paging.Declare(t.Context(), ib.Declaration{Title: "Lived pages stop at resolution", Severity: ib.S3, Declarer: ib.Person{SlackID: alice}})
	require.NoError(t, err)
	inc := roomReady(t, res.ID)
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "page checkout DB is down"), "Paging checkout")
	waitFor(t, "the page is sent", func() bool { return pageOf(t, res.ID, "P1").Sent == 1 })
	gw.ask(t, alice, inc.Channel.ID, "resolve false alarm")
	settled(t, tclient, res.ID)
	p := pageOf(t, res.ID, "P1")
	assert.False(t, p.StoppedAt.IsZero(), "stopped at the resolution")
	assert.Contains(t, timelineText(state(t, res.ID)), "Page P1 stopped")

	time.Sleep(2 * escalateAfter) // when it would have escalated
	settled(t, tclient, res.ID)
	p = pageOf(t, res.ID, "P1")
	assert.Equal(t, 0, p.Level, "nobody else was woken")
	assert.Equal(t, 1, p.Sent)
	waitFor(t, "PagerDuty's alert is resolved", func() bool {
		for _, a := range pagerDuty.Alerts() {
			if strings.Contains(a.DedupKey, res.ID) {
				return a.Status == "resolved"
			}
		}
		return false
	})
}

func pageOf(t *testing.T, id, page string) ib.Page {
	inc := state(t, id)
	p, _ := inc.Page(page)
	return p
}

func timelineText(inc ib.Incident) string {
	var b strings.Builder
	for _, e := range inc.Timeline {
		b.WriteString(e.Text + "\n")
	}
	return b.String()
}

// People are named as Slack sends them with escaping on (<@U…|name>) and as
// text typed where it is off (@name), found through Slack's people; a name
// nobody goes by is refused with what to do.
func TestPeopleNamedAsSlackSendsThem(t *testing.T) {
	gw := startGateway(t, incidents)
	alice, bob, carol := fake.UserByName("alice"), fake.UserByName("bob"), fake.UserByName("carol")
	id := declare(t, ib.Declaration{Title: "Lived mentions", Severity: ib.S3, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	in := roomReady(t, id).Channel.ID

	assert.NotContains(t, gw.ask(t, alice, in, "page @bob please join"), "❌", "typed text")
	assert.NotContains(t, gw.ask(t, alice, in, "page <@"+carol+"|carol> please join"), "❌", "escaped by Slack")
	assert.Contains(t, gw.ask(t, alice, in, "page @nobody-here hi"), "Nobody in this Slack workspace goes by @nobody-here")
	waitFor(t, "both are paged", func() bool {
		got := state(t, id)
		return len(got.Pages) == 2 && got.Pages[0].Sent == 1 && got.Pages[1].Sent == 1
	})
	got := state(t, id)
	assert.Equal(t, bob, got.Pages[0].Chain[0].SlackID)
	assert.Equal(t, carol, got.Pages[1].Chain[0].SlackID)

	assert.NotContains(t, gw.ask(t, alice, in, "note ask <@"+bob+"|bob> about <https://grafana.example/d/x|the dashboard> &amp; the logs"), "❌")
	settled(t, tclient, id)
	assert.Contains(t, timelineText(state(t, id)), "ask @bob about the dashboard (https://grafana.example/d/x) & the logs", "free text reads as typed")
	assert.NotContains(t, gw.ask(t, alice, in, "link <https://grafana.example/d/y|Latency>"), "❌", "a link as Slack sends it")

	gw.ask(t, alice, in, "resolve done")
	assert.NotContains(t, gw.ask(t, alice, in, "postmortem owner @carol"), "❌")
	assert.Equal(t, carol, state(t, id).Postmortem.Owner.SlackID)
	due := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	assert.NotContains(t, gw.ask(t, alice, in, "action add add an alert on pool exhaustion @bob due:"+due), "❌")
	assert.Equal(t, bob, state(t, id).Postmortem.Actions[0].Owner.SlackID)
	assert.NotContains(t, gw.ask(t, alice, in, "commander @bob"), "❌")
	assert.Equal(t, bob, state(t, id).Commander.SlackID)
}

// A change whose integration is not configured is refused at once, saying
// what to set; nothing reminds of it.
func TestUnconfiguredIntegrationsRefused(t *testing.T) {
	bare := &ibtemporal.Incidents{Client: tclient, Settings: ib.Settings{StatusPageReminder: time.Second,
		Missing: []ib.Integration{ib.StatusPageIntegration, ib.ZendeskIntegration}}}
	gw := startGateway(t, bare)
	alice := fake.UserByName("alice")
	res, err := bare.Declare(t.Context(), ib.Declaration{Title: "Lived without a status page", Severity: ib.S1, Declarer: ib.Person{SlackID: alice}})
	require.NoError(t, err)
	in := roomReady(t, res.ID).Channel.ID

	assert.Contains(t, gw.ask(t, alice, in, "statuspage investigating We are on it."), "STATUSPAGE_PAGE_ID")
	assert.Contains(t, gw.ask(t, alice, in, "ticket 4242"), "ZENDESK_URL")
	time.Sleep(3 * time.Second) // three reminders' worth
	settled(t, tclient, res.ID)
	for _, e := range state(t, res.ID).Timeline {
		assert.NotEqual(t, ib.EventReminder, e.Kind, "no reminder of a status page that is not there: %s", e.Text)
	}
	assert.Empty(t, publicIncidentsOf(res.ID))
}

func publicIncidentsOf(id string) []fakestatuspage.Incident {
	var out []fakestatuspage.Incident
	for _, p := range statusPage.Incidents() {
		if strings.Contains(fmt.Sprint(p.Metadata), id) {
			out = append(out, p)
		}
	}
	return out
}

// Every S1 pages the rotations the catalog says it always pages, like any
// page; #incidents gets a Join button, hears again of an incident raised to
// S1 or S2, and the services' dashboards and runbooks are in the channel
// from the start.
func TestMajorIncidentsPageAndAnnounce(t *testing.T) {
	gw := startGateway(t, incidents)
	alice := fake.UserByName("alice")
	title := "Lived major incident"
	id := declare(t, ib.Declaration{Title: title, Severity: ib.S1, Services: []string{"checkout"}, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	inc := roomReady(t, id)
	waitFor(t, "the always-paged rotation is paged", func() bool {
		got := state(t, id)
		return len(got.Pages) == 1 && got.Pages[0].Sent == 1
	})
	page := state(t, id).Pages[0]
	assert.Equal(t, "cre", page.Target)
	cre, _ := testCatalog.Rotation("cre")
	assert.Equal(t, cre.OnCall(time.Now()), page.Chain[0].SlackID)

	header := headerOf(t, inc)
	assert.Contains(t, header, "https://grafana.example/d/checkout")
	assert.Contains(t, header, "https://wiki.example/runbooks/checkout")

	announced := messagesAbout("incidents", title)
	require.NotEmpty(t, announced)
	assert.Contains(t, string(announced[0].Blocks), "app_redirect?channel="+inc.Channel.ID, "a Join button")

	minor := declare(t, ib.Declaration{Title: "Lived minor incident raised", Severity: ib.S3, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	in := roomReady(t, minor).Channel.ID
	assert.NotContains(t, gw.ask(t, alice, in, "sev S2"), "❌")
	waitFor(t, "#incidents hears it is now major", func() bool { return len(messagesAbout("incidents", "Now S2: Lived minor incident raised")) == 1 })
	assert.NotContains(t, gw.ask(t, alice, in, "sev S1"), "❌")
	settled(t, tclient, minor)
	assert.Empty(t, messagesAbout("incidents", "Now S1: Lived minor incident raised"), "once major, not again")
}

// With a catalog too large for a menu, the declare form's services are
// searched as people type.
func TestDeclareFormSearchesServices(t *testing.T) {
	gw := startGateway(t, incidents)
	status, body := gw.interact(t, map[string]any{
		"type": "block_suggestion", "user": map[string]any{"id": fake.UserByName("alice")},
		"action_id": "services", "block_id": "services", "value": "CHECK",
	})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"value":"checkout"`)
	assert.NotContains(t, body, "batch-jobs")
}
