package slack_test

import (
	"bytes"
	"encoding/json"
	"testing"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/require"
)

// renderText is the JSON of blocks as Slack receives it (without Go's HTML
// escaping, which Slack's JSON would undo anyway).
func renderText(t *testing.T, blocks []goslack.Block) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(blocks))
	return b.String()
}
