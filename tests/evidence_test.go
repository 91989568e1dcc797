package tests

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// 🧾 keeps a message in the papertrail, 📌 for the postmortem. People react in
// the fake Slack; its events reach the incident through the real gateway; the
// bot fetches each message (threads too), confirms with its own reaction, and
// follows removals, edits and deletions.
func TestReactionsCollectEvidence(t *testing.T) {
	alice, bob, carol := fake.UserByName("alice"), fake.UserByName("bob"), fake.UserByName("carol")
	id := declare(t, ib.Declaration{Title: "Evidence from reactions", Severity: ib.S2, Declarer: ib.Person{SlackID: alice}})
	ch := roomReady(t, id).Channel.ID

	post := func(user, text, thread string, files ...string) string {
		ts, err := fake.PostAs(user, ch, text, thread, files...)
		require.NoError(t, err)
		return ts
	}
	cpu := post(bob, "DB CPU at 100% since 03:20", "")
	lag := post(carol, "replica lag is 40 s", cpu, "grafana-replica-lag.png")
	rollback := post(alice, "rolling back deploy 4711", "")
	chatter := post(bob, "coffee anyone?", "")

	require.NoError(t, fake.ReactAs(bob, ch, cpu, "receipt"))
	require.NoError(t, fake.ReactAs(carol, ch, lag, "receipt"))
	require.NoError(t, fake.ReactAs(alice, ch, rollback, "pushpin"))
	require.NoError(t, fake.ReactAs(bob, ch, cpu, "pushpin"))
	require.NoError(t, fake.ReactAs(alice, ch, chatter, "thumbsup"))

	var inc ib.Incident
	waitFor(t, "four items collected and fetched", func() bool {
		inc = state(t, id)
		fetched := 0
		for _, e := range inc.Evidence {
			if e.Fetched {
				fetched++
			}
		}
		return len(inc.Evidence) == 4 && fetched == 4
	})
	paper, pins := inc.Collected(ib.Papertrail), inc.Collected(ib.PostmortemItems)
	require.Len(t, paper, 2)
	require.Len(t, pins, 2)
	assert.Equal(t, cpu, paper[0].TS)
	assert.Equal(t, bob, paper[0].Author)
	assert.Equal(t, "DB CPU at 100% since 03:20", paper[0].Text)
	assert.Contains(t, paper[0].Permalink, "/archives/"+ch+"/p")
	assert.Equal(t, "replica lag is 40 s", paper[1].Text, "thread replies count")
	assert.Equal(t, []string{"grafana-replica-lag.png"}, paper[1].Files)
	assert.Contains(t, paper[1].Permalink, "thread_ts="+cpu)
	assert.Equal(t, []string{rollback, cpu}, []string{pins[0].TS, pins[1].TS})
	waitFor(t, "the bot confirms with its own reaction", func() bool {
		return slices.Contains(fake.Reactions(ch, cpu)["receipt"], fakeslack.BotUserID) &&
			slices.Contains(fake.Reactions(ch, lag)["receipt"], fakeslack.BotUserID) &&
			slices.Contains(fake.Reactions(ch, rollback)["pushpin"], fakeslack.BotUserID)
	})

	// Removal: the item stays while someone else still holds the reaction.
	require.NoError(t, fake.ReactAs(carol, ch, cpu, "receipt"))
	waitFor(t, "carol holds it too", func() bool { inc = state(t, id); return len(inc.Collected(ib.Papertrail)[0].HeldBy) == 2 })
	require.NoError(t, fake.UnreactAs(bob, ch, cpu, "receipt"))
	require.NoError(t, fake.UnreactAs(carol, ch, cpu, "receipt"))
	waitFor(t, "the CPU message leaves the papertrail", func() bool { inc = state(t, id); return len(inc.Collected(ib.Papertrail)) == 1 })
	waitFor(t, "and the bot takes back its reaction", func() bool { return len(fake.Reactions(ch, cpu)["receipt"]) == 0 })
	inc = state(t, id)
	assert.Len(t, inc.Collected(ib.PostmortemItems), 2, "the 📌 on it stays")

	// Edits and deletions follow, with the history kept.
	require.NoError(t, fake.EditAs(ch, rollback, "rolled back deploy 4711; errors gone"))
	require.NoError(t, fake.DeleteAs(ch, lag))
	waitFor(t, "the edit and the deletion reach the incident", func() bool {
		inc = state(t, id)
		pins, paper := inc.Collected(ib.PostmortemItems), inc.Collected(ib.Papertrail)
		return pins[0].Text == "rolled back deploy 4711; errors gone" && paper[0].Deleted
	})
	assert.Equal(t, "rolling back deploy 4711", inc.Collected(ib.PostmortemItems)[0].Revisions[0].Text)
	assert.Equal(t, "replica lag is 40 s", inc.Collected(ib.Papertrail)[0].Text, "a deleted message is kept for the record")
}
