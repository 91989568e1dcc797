package tests

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakepagerduty"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// /ib page reaches the on-call of a service by direct message, escalates to
// the next in the rotation when nobody acknowledges (a short real timer here),
// and stops once acknowledged. Outside an open incident, paging is refused.
func TestPageEscalatesAndIsAcknowledged(t *testing.T) {
	// Long enough for the acknowledgement below to beat the next escalation
	// on a busy machine; short enough to wait out.
	const escalateAfter = 5 * time.Second
	paging := &ibtemporal.Incidents{Client: tclient, Settings: ib.Settings{EscalateAfter: escalateAfter}}
	gw := startGateway(t, paging)
	alice, general := fake.UserByName("alice"), channelID(t, "general")

	assert.Contains(t, gw.ask(t, alice, general, "page checkout DB is down"), "allowed only during an open incident")

	res, err := paging.Declare(t.Context(), ib.Declaration{Title: "Payments failing at checkout", Severity: ib.S2, Declarer: ib.Person{SlackID: alice}})
	require.NoError(t, err)
	inc := roomReady(t, res.ID)
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "page checkout DB is down"), "Paging checkout")

	r, _ := testCatalog.Rotation("payments") // its hand-off is days away
	now := time.Now()
	first := r.OnCall(now)
	second, _ := r.Next(now)
	pagesOf := func(email string) (pages []fakeslack.Message) {
		for _, m := range messagesAbout("dm-"+strings.TrimSuffix(email, "@example.com"), "You are paged") {
			if strings.Contains(m.Text+string(m.Blocks), res.ID) { // not another incident's
				pages = append(pages, m)
			}
		}
		return pages
	}
	waitFor(t, "the on-call gets the page", func() bool { return len(pagesOf(first)) == 1 })
	page := pagesOf(first)[0]
	assert.Contains(t, string(page.Blocks), `"ib_ack_page"`)
	assert.Contains(t, string(page.Blocks), "DB is down")

	waitFor(t, "unacknowledged, it escalates to the next in the rotation", func() bool { return len(pagesOf(second)) == 1 })
	secondID := fake.UserByName(strings.TrimSuffix(second, "@example.com"))
	status, _ := gw.interact(t, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": secondID}, "trigger_id": fakeslack.TriggerID(),
		"response_url": fakeslack.ResponseURL(fakeBase, "ack-"+res.ID),
		"actions":      []map[string]any{{"type": "button", "action_id": "ib_ack_page", "block_id": "ib_page", "value": res.ID + "|P1"}},
	})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, responses(t, "ack-"+res.ID, 1)[0], "You acknowledged the page")

	got := state(t, res.ID)
	require.Len(t, got.Pages, 1)
	assert.Equal(t, secondID, got.Pages[0].AckedBy.SlackID)
	assert.Equal(t, 1, got.Pages[0].Level)
	escalated := got.Timeline[slices.IndexFunc(got.Timeline, func(e ib.TimelineEvent) bool { return strings.Contains(e.Text, "escalated to") })].At
	waitFor(t, "the time of the next escalation passes", func() bool { return time.Now().After(escalated.Add(escalateAfter)) })
	settled(t, tclient, res.ID)
	assert.False(t, state(t, res.ID).Pages[0].Exhausted, "no escalation after the acknowledgement")

	// The rotation has a PagerDuty routing key: one alert, acknowledged with the page.
	alert := func() fakepagerduty.Alert {
		for _, a := range pagerDuty.Alerts() {
			if a.DedupKey == "incident-buddy/"+res.ID+"/checkout" {
				return a
			}
		}
		return fakepagerduty.Alert{}
	}
	waitFor(t, "the PagerDuty alert is acknowledged", func() bool { return alert().Status == "acknowledged" })
	assert.Contains(t, alert().Summary, "Payments failing at checkout — DB is down")
	assert.Equal(t, "error", alert().Severity, "S2")

	_, err = change(t, res.ID, &ib.Resolve{})
	require.NoError(t, err)
	closeResolved(t, res.ID)
	assert.Equal(t, "resolved", alert().Status, "resolved with the incident")
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "page checkout again"), "allowed only during an open incident")
}
