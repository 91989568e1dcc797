package slack_test

import (
	"encoding/json"
	"strings"
	"testing"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/require"
)

// renderText is the JSON of blocks as Slack reads it: Go escapes <, > and &
// as \u003c and so on, which any JSON reader turns back.
func renderText(t *testing.T, blocks []goslack.Block) string {
	t.Helper()
	b, err := json.Marshal(blocks)
	require.NoError(t, err)
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}
