package workflows

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/incident-buddy/ib"
)

// Posts owed faster than Slack takes them stay within the ledger's budget:
// the oldest waiting are shortened, the newest kept whole.
func TestOwedPostsWithinBudget(t *testing.T) {
	text := strings.Repeat("😀", ib.MaxTextRunes)
	var owed []Owed
	for i := range 100 {
		owed = append(owed, Owed{N: i, Owed: ib.Owed{Kind: ib.OwePost, Message: &ib.Message{
			Kind: ib.MsgEvent, Events: []ib.TimelineEvent{{Text: text}}}}})
		boundOwed(owed)
	}
	size := 0
	for _, o := range owed {
		size += owedText(o)
	}
	assert.LessOrEqual(t, size, owedBudget)
	assert.Equal(t, text, owed[99].Message.Events[0].Text, "the newest whole")
	assert.Less(t, len(owed[0].Message.Events[0].Text), 300, "the oldest shortened")
	assert.True(t, strings.HasPrefix(text, strings.TrimSuffix(owed[0].Message.Events[0].Text, "…")), "to its start")
}
