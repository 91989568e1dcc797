package ib_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

func TestCollect(t *testing.T) {
	var inc ib.Incident
	react := func(kind ib.ChannelEventKind, user, ts string, c ib.Collection) (*ib.Evidence, *ib.Evidence) {
		return inc.Collect(ib.ChannelEvent{Kind: kind, User: user, TS: ts, Reaction: "receipt", Collection: c, At: declaredAt})
	}

	added, _ := react(ib.ReactionAdded, "U1", "1.1", ib.Papertrail)
	require.NotNil(t, added, "a new item is to be fetched")
	added, _ = react(ib.ReactionAdded, "U2", "1.1", ib.Papertrail)
	assert.Nil(t, added, "a second holder adds nothing")
	added, _ = react(ib.ReactionAdded, "U1", "1.1", "")
	assert.Nil(t, added, "other emoji collect nothing")
	assert.Equal(t, []string{"U1", "U2"}, inc.Evidence[0].HeldBy)

	_, gone := react(ib.ReactionRemoved, "U1", "1.1", ib.Papertrail)
	assert.Nil(t, gone, "U2 still holds it")
	_, gone = react(ib.ReactionRemoved, "U2", "1.1", ib.Papertrail)
	require.NotNil(t, gone, "withdrawn with its last holder")
	assert.Empty(t, inc.Evidence)

	react(ib.ReactionAdded, "U1", "2.2", ib.PostmortemItems)
	inc.Fill(ib.MessageContent{TS: "2.2", Found: true, Author: "U3", Text: strings.Repeat("é", 2*ib.MaxEvidenceText)})
	item := inc.Collected(ib.PostmortemItems)[0]
	assert.True(t, item.Fetched)
	assert.Equal(t, ib.MaxEvidenceText, utf8.RuneCountInString(item.Text), "the text kept is bounded (F10)")

	inc.Collect(ib.ChannelEvent{Kind: ib.MessageChanged, TS: "2.2", Text: "edited"})
	inc.Collect(ib.ChannelEvent{Kind: ib.MessageChanged, TS: "2.2", Text: "edited"})
	item = inc.Collected(ib.PostmortemItems)[0]
	assert.Equal(t, "edited", item.Text)
	assert.Len(t, item.Revisions, 1, "an edit that changes nothing is no revision")

	inc.Collect(ib.ChannelEvent{Kind: ib.MessageDeleted, TS: "2.2"})
	assert.True(t, inc.Collected(ib.PostmortemItems)[0].Deleted)

	react(ib.ReactionAdded, "U1", "3.3", ib.Papertrail)
	inc.Fill(ib.MessageContent{TS: "3.3", Found: false})
	assert.True(t, inc.Collected(ib.Papertrail)[0].Deleted, "a message Slack no longer has is kept as deleted")
}
