package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

// Declaring with services pulls in whoever is on call for them, and the
// rotations an S1 always pages; e-mail members are found in Slack.
func TestRespondersOnDeclare(t *testing.T) {
	id := declare(t, ib.Declaration{Title: "Checkout broken for everyone", Severity: ib.S1, Services: []string{"checkout-api", "billing"}})
	inc := roomReady(t, id)

	want, _ := testCatalog.OnCallFor([]string{"checkout"}, ib.S1, inc.DeclaredAt)
	require.Len(t, want, 2, "the payments on-call and the customer reliability on-call")
	ch, _ := fake.ChannelByName(inc.Channel.Name)
	for i, r := range want {
		slackID := r.SlackID
		if strings.Contains(slackID, "@") {
			slackID = fake.UserByName(strings.TrimSuffix(slackID, "@example.com"))
		}
		assert.True(t, ch.Members[slackID], "%s (%s) is invited", r.SlackID, r.Rotation)
		assert.Equal(t, slackID, inc.Responders[i].SlackID, "named as a Slack user")
		assert.Equal(t, r.Rotation, inc.Responders[i].Rotation)
	}
	assert.Contains(t, timelineText(inc), "no service billing", "an unknown service is said, not ignored")
	waitFor(t, "the header names who is on call", func() bool {
		header := messagesAbout(inc.Channel.Name, id)
		return len(header) > 0 && strings.Contains(string(header[0].Blocks), "On call")
	})
}

// /ib service add pulls the added service's on-call into the incident.
func TestServiceAddPullsInItsOnCall(t *testing.T) {
	gw := startGateway(t, incidents)
	alice := fake.UserByName("alice")
	id := declare(t, ib.Declaration{Title: "Slow pages, cause unknown", Severity: ib.S3, Declarer: ib.Person{SlackID: alice}})
	inc := roomReady(t, id)
	require.Empty(t, inc.Responders)

	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "service add checkout-api"), "service affected: checkout")
	want, _ := testCatalog.OnCallFor([]string{"checkout"}, ib.S3, time.Now())
	oncall := fake.UserByName(strings.TrimSuffix(want[0].SlackID, "@example.com"))
	waitFor(t, "the checkout on-call is invited", func() bool {
		ch, _ := fake.ChannelByName(inc.Channel.Name)
		return ch.Members[oncall]
	})
	got := state(t, id)
	assert.Equal(t, []string{"checkout-api"}, got.Services)
	require.Len(t, got.Responders, 1)
	assert.Equal(t, oncall, got.Responders[0].SlackID)
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "service add checkout-api"), "already lists")
}

func TestOnCallInSlack(t *testing.T) {
	gw := startGateway(t, incidents)
	bob, general := fake.UserByName("bob"), channelID(t, "general")
	r, _ := testCatalog.Rotation("payments")
	answer := gw.ask(t, bob, general, "oncall checkout-api")
	assert.Contains(t, answer, "payments: "+r.OnCall(time.Now())+" now")
	assert.NotContains(t, answer, "cre:", "only the service's rotation")
	assert.Contains(t, gw.ask(t, bob, general, "oncall"), "cre:")
	assert.Contains(t, gw.ask(t, bob, general, "oncall billing"), `no service "billing"`)
}
