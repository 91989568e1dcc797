package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// What people see around an incident, off the happy path.

// One stale ID and one deactivated account among the people to invite cost
// nobody else their invitation, and the channel is told who was left out
// and why.
func TestInvitationsDegradePerPerson(t *testing.T) {
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	gone := fake.AddUser(fakeslack.User{Name: "gone", Email: "gone@example.com"})
	fake.Deactivate(gone)
	id := declare(t, ib.Declaration{Title: "Invitations past a stale ID", Severity: ib.S3, Declarer: alice,
		Commander: ib.Person{SlackID: "U0STALE404", Name: "stale"}})
	inc := roomReady(t, id)
	_, err := change(t, id, &ib.HandOver{Commander: gone, By: ib.Person{SlackID: "U0STALE404"}})
	require.NoError(t, err)

	var notes []fakeslack.Message
	waitFor(t, "the channel is told who could not be invited", func() bool {
		notes = messagesAbout(inc.Channel.Name, "could not be invited")
		return len(notes) == 2
	})
	assert.Contains(t, fake.Members(inc.Channel.ID), alice.SlackID, "the declarer joined despite the stale commander")
	assert.NotContains(t, fake.Members(inc.Channel.ID), gone)
	assert.Contains(t, readable(notes[0].Blocks), "<@U0STALE404> is not a member of this workspace")
	assert.Contains(t, readable(notes[1].Blocks), "<@"+gone+"> cannot be invited (the account may be deactivated)")
}

// readable is a message's blocks as Slack reads them: Go writes <, > and &
// in JSON as \u003c and so on.
func readable(blocks []byte) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(blocks))
}

// The fake Slack as a workspace worked in from the terminal (what the
// fakeslack command sends): /ib create opens the declare form, which is
// filled in and submitted; a message and a reply in its thread are posted;
// the reply is marked with 🧾 (the newest a person posted), then unmarked.
func TestFakeWorkspaceFromTheTerminal(t *testing.T) {
	gw := startGateway(t, incidents)
	fake.ConnectApp(gw.url, signingSecret, fakeBase)
	do := func(what string, body map[string]any) map[string]any {
		t.Helper()
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		resp, err := http.Post(fakeBase+"/_fake/do/"+what, "application/json", bytes.NewReader(raw))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %v", what, out)
		return out
	}

	opened := do("post", map[string]any{"user": "alice", "channel": "general", "text": "/ib create"})
	require.NotEmpty(t, opened["view"], "the declare form opens")
	title := fmt.Sprintf("Terminal workspace %d", time.Now().UnixNano()%100000)
	bad := do("submit", map[string]any{"user": "alice", "values": map[string]any{"title": " ", "severity": "S2"}})
	assert.Contains(t, bad["errors"], "title", "an empty title is refused on its field, the form stays open")
	done := do("submit", map[string]any{"user": "alice", "values": map[string]any{
		"title": title, "severity": "S2", "customers_affected": "yes", "services": []string{"checkout"}}})
	assert.Empty(t, done["errors"])
	id := ib.IncidentID(title, today(t), 1)
	inc := roomReady(t, id)
	assert.Equal(t, ib.S2, inc.Severity)
	assert.Equal(t, []string{"checkout"}, inc.Services)

	parent := do("post", map[string]any{"user": "bob", "channel": inc.Channel.Name, "text": "the checkout pods restart every minute"})
	do("post", map[string]any{"user": "bob", "channel": inc.Channel.Name, "text": "OOM killed: memory limit 512Mi", "thread_ts": parent["ts"]})
	do("react", map[string]any{"user": "bob", "channel": inc.Channel.Name, "emoji": "receipt"})
	waitFor(t, "the reply in the thread is in the papertrail", func() bool {
		got := state(t, id)
		paper := got.Collected(ib.Papertrail)
		return len(paper) == 1 && strings.Contains(paper[0].Text, "OOM killed")
	})
	do("react", map[string]any{"user": "bob", "channel": inc.Channel.Name, "emoji": "receipt", "remove": true})
	waitFor(t, "taken out again", func() bool {
		got := state(t, id)
		return len(got.Collected(ib.Papertrail)) == 0
	})
	// A command typed in the incident's channel: its answer is alice's alone.
	do("post", map[string]any{"user": "alice", "channel": inc.Channel.Name, "text": "/ib status identified"})
	waitFor(t, "alice sees the answer, only to her", func() bool {
		for _, e := range fake.Ephemerals(fake.UserByName("alice")) {
			if strings.Contains(e.Text, "investigating → identified") {
				return true
			}
		}
		return false
	})
	assert.Equal(t, ib.Identified, state(t, id).Status)
}
