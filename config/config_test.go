package config_test

import (
	"testing"
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	t.Run("Defaults", func(t *testing.T) {
		c, err := config.LoadConfig(env())
		require.NoError(t, err)
		assert.Equal(t, "localhost:7233", c.TemporalAddress)
		assert.Equal(t, "default", c.TemporalNamespace)
		assert.Equal(t, "https://slack.com/api/", c.SlackAPIURL)
		assert.Equal(t, "inc", c.ChannelPrefix)
		assert.Equal(t, "incidents", c.IncidentsChannel)
		assert.Equal(t, ib.S3, c.DefaultSeverity)
		assert.Equal(t, ib.PostmortemPolicy{Start: "next-morning", WorkdayStart: 9, Zone: "UTC", ReviewAfter: 168 * time.Hour, Rest: 12 * time.Hour,
			DraftDays: map[ib.Severity]int{ib.S1: 3, ib.S2: 5, ib.S3: 10, ib.S4: 10}}, c.Postmortem)
		assert.Equal(t, "postmortems", c.DocumentsDir)
		assert.False(t, c.GatewayWorker, "a gateway runs no worker unless told: it would run incidents on its own configuration")
	})
	t.Run("Overrides", func(t *testing.T) {
		c, err := config.LoadConfig(env("SLACK_API_URL", "http://127.0.0.1:9/api", "IB_DEFAULT_SEVERITY", "s2", "IB_INCIDENTS_CHANNEL", "#ops-incidents",
			"IB_CATALOG", "/etc/ib/catalog.yaml", "IB_STATUSPAGE_REMINDER", "45m", "IB_POSTMORTEM_EMOJI", ":pin:,pushpin",
			"STATUSPAGE_PAGE_ID", "p1", "STATUSPAGE_API_KEY", "k", "STATUSPAGE_COMPONENT_IDS", "c1, c2", "IB_GATEWAY_WORKER", "true"))
		require.NoError(t, err)
		assert.True(t, c.GatewayWorker)
		assert.Equal(t, "/etc/ib/catalog.yaml", c.CatalogFile)
		assert.Equal(t, 45*time.Minute, c.StatusPageReminder)
		assert.Equal(t, ib.PostmortemItems, c.CollectionEmoji["pin"])
		assert.Equal(t, ib.Papertrail, c.CollectionEmoji["receipt"])
		assert.Equal(t, []string{"c1", "c2"}, c.StatusPageComponents)
		assert.Equal(t, "p1", c.StatusPageID)
		assert.Equal(t, "http://127.0.0.1:9/api/", c.SlackAPIURL, "a trailing slash is added for slack-go")
		assert.Equal(t, ib.S2, c.DefaultSeverity)
		assert.Equal(t, "ops-incidents", c.IncidentsChannel)
	})
	t.Run("ErrEveryBadVariableNamed", func(t *testing.T) {
		_, err := config.LoadConfig(env("IB_DEFAULT_SEVERITY", "S9", "IB_CHANNEL_PREFIX", "Bad Prefix", "IB_LOG_LEVEL", "loud",
			"IB_STATUSPAGE_REMINDER", "soon", "STATUSPAGE_PAGE_ID", "p1", "IB_PAPERTRAIL_EMOJI", "pushpin",
			"IB_POSTMORTEM_START", "whenever", "IB_WORKDAY_START", "25", "IB_POSTMORTEM_DRAFT_DAYS", "S1=0", "IB_REVIEW_AFTER", "a week", "IB_GATEWAY_WORKER", "yes"))
		require.Error(t, err)
		for _, name := range []string{"IB_DEFAULT_SEVERITY", "IB_CHANNEL_PREFIX", "IB_LOG_LEVEL", "IB_STATUSPAGE_REMINDER", "STATUSPAGE_PAGE_ID", "IB_POSTMORTEM_EMOJI",
			"IB_POSTMORTEM_START", "IB_WORKDAY_START", "IB_POSTMORTEM_DRAFT_DAYS", "IB_REVIEW_AFTER", "IB_GATEWAY_WORKER"} {
			assert.ErrorContains(t, err, name)
		}
	})
}

// Two different titles can share an ID; SameTitle tells a repeated
// declaration from another incident that happens to meet its ID.
