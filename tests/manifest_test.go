package tests

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/incident-buddy/ib/integrations/slack"
)

// The app manifest must ask for what the code uses, no more: scopes, events,
// the command and the gateway's routes.
func TestSlackAppManifest(t *testing.T) {
	raw, err := os.ReadFile("../slack-app-manifest.yaml")
	require.NoError(t, err)
	var m struct {
		Features struct {
			SlashCommands []struct{ Command, URL string } `yaml:"slash_commands"`
		}
		OAuthConfig struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			EventSubscriptions struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				IsEnabled  bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(raw, &m))

	assert.ElementsMatch(t, slices.Collect(maps.Keys(slack.Scopes)), m.OAuthConfig.Scopes.Bot, "scopes")
	assert.ElementsMatch(t, slack.BotEvents, m.Settings.EventSubscriptions.BotEvents, "events")
	require.Len(t, m.Features.SlashCommands, 1)
	assert.Equal(t, "/ib", m.Features.SlashCommands[0].Command)
	assert.True(t, strings.HasSuffix(m.Features.SlashCommands[0].URL, slack.Routes["commands"]))
	assert.True(t, strings.HasSuffix(m.Settings.EventSubscriptions.RequestURL, slack.Routes["events"]))
	assert.True(t, m.Settings.Interactivity.IsEnabled)
	assert.True(t, strings.HasSuffix(m.Settings.Interactivity.RequestURL, slack.Routes["interactivity"]))
}
