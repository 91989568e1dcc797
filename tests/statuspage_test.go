package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakestatuspage"
)

// publicIncident finds the fake status page's incident opened for id.
func publicIncidents(id string) []fakestatuspage.Incident {
	var out []fakestatuspage.Incident
	for _, in := range statusPage.Incidents() {
		if m, ok := in.Metadata["incident_buddy"].(map[string]any); ok && m["id"] == id {
			out = append(out, in)
		}
	}
	return out
}

// /ib statuspage opens the public incident, then updates it; a create whose
// reply was lost still yields one public incident.
func TestStatusPageUpdates(t *testing.T) {
	gw := startGateway(t, &ibtemporal.Incidents{Client: tclient})
	alice := fake.UserByName("alice")
	id := declare(t, ib.Declaration{Title: "Checkout failures for EU customers", Severity: ib.S1, Declarer: ib.Person{SlackID: alice}})
	ch := roomReady(t, id).Channel.ID

	statusPage.LoseNextReplies(1) // the first create happens, its reply is lost
	assert.Contains(t, gw.ask(t, alice, ch, "statuspage investigating We are looking into failed checkouts."), "📣 Status page: ")
	waitFor(t, "the public incident is open", func() bool { return state(t, id).StatusPage.IncidentID != "" })
	assert.Contains(t, gw.ask(t, alice, ch, "statuspage identified A fix is being deployed."), "📣 Status page: ")
	waitFor(t, "the update is public", func() bool {
		p := publicIncidents(id)
		return len(p) == 1 && len(p[0].Updates) == 2
	})
	p := publicIncidents(id)
	require.Len(t, p, 1, "one public incident despite the lost reply")
	assert.Equal(t, "Checkout failures for EU customers", p[0].Name)
	assert.Equal(t, "identified", p[0].Status)
	assert.Equal(t, []fakestatuspage.Update{
		{Status: "investigating", Body: "We are looking into failed checkouts."},
		{Status: "identified", Body: "A fix is being deployed."},
	}, p[0].Updates)
	assert.Equal(t, map[string]string{"cmp-api": "major_outage"}, p[0].Components)
	assert.Equal(t, p[0].ID, state(t, id).StatusPage.IncidentID)
	assert.Contains(t, gw.ask(t, alice, ch, "statuspage fixed all good"), "Unknown status")
}

// The reminder fires when status page updates stop, and not while they go on.
// What counts is the incident's own record: no reminder comes sooner than the
// interval after the last update (or the declaration), however slowly a busy
// machine sends them, and one comes once the updates stop.
func TestStatusPageReminderFires(t *testing.T) {
	const interval = 3 * time.Second
	reminding := &ibtemporal.Incidents{Client: tclient, Settings: ib.Settings{StatusPageReminder: interval}}
	gw := startGateway(t, reminding)
	alice := fake.UserByName("alice")
	res, err := reminding.Declare(t.Context(), ib.Declaration{Title: "Reminders while the page is quiet", Severity: ib.S2, Declarer: ib.Person{SlackID: alice}})
	require.NoError(t, err)
	inc := roomReady(t, res.ID)

	reminders := func() int { return len(messagesAbout(inc.Channel.Name, "status page has had no update")) }
	for i := range 5 { // an update about every second, for about five seconds
		gw.ask(t, alice, inc.Channel.ID, "statuspage monitoring Still watching, update "+strings.Repeat("!", i+1))
		updates := i + 1
		waitFor(t, "the update on the timeline", func() bool { return count(state(t, res.ID).Timeline, ib.EventStatusPage) == updates })
		time.Sleep(time.Second) // the pace of the updates, not an order of events
	}
	waitFor(t, "a reminder once they stop", func() bool { return reminders() >= 1 })
	final := state(t, res.ID)
	last := final.DeclaredAt // the interval counts from the declaration, then from each update or reminder
	for _, e := range final.Timeline {
		switch e.Kind {
		case ib.EventStatusPage:
			last = e.At
		case ib.EventReminder:
			assert.GreaterOrEqual(t, e.At.Sub(last), interval, "a reminder only after %s without an update", interval)
			last = e.At
		}
	}
	assert.Equal(t, ib.EventReminder, final.Timeline[len(final.Timeline)-1].Kind, "on the timeline too")
}

// count is how many events of a kind a timeline has.
func count(timeline []ib.TimelineEvent, kind ib.EventKind) int {
	n := 0
	for _, e := range timeline {
		if e.Kind == kind {
			n++
		}
	}
	return n
}
