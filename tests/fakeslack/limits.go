package fakeslack

// Slack's rate tiers: calls per minute per method per workspace.
const (
	tier1 = 1
	tier2 = 20
	tier3 = 50
	tier4 = 100
)

// tiers gives each method its tier, as Slack documents them.
var tiers = map[string]int{
	"auth.test":                    tier4,
	"apps.connections.open":        tier1,
	"conversations.create":         tier2,
	"conversations.list":           tier2,
	"conversations.setTopic":       tier2,
	"conversations.setPurpose":     tier2,
	"conversations.rename":         tier2,
	"conversations.invite":         tier3,
	"conversations.join":           tier3,
	"conversations.info":           tier3,
	"conversations.history":        tier3,
	"conversations.replies":        tier3,
	"conversations.open":           tier3,
	"reactions.remove":             tier2,
	"conversations.members":        tier4,
	"chat.update":                  tier3,
	"chat.getPermalink":            tier4,
	"users.info":                   tier4,
	"users.lookupByEmail":          tier3,
	"users.list":                   tier2,
	"chat.postMessage":             600, // "special": limited per channel, see postsPerChannel
	"reactions.add":                tier3,
	"pins.add":                     tier2,
	"views.open":                   tier4,
	"views.update":                 tier4,
	"chat.postEphemeral":           tier4,
	"files.getUploadURLExternal":   tier4,
	"files.completeUploadExternal": tier4,
	"files.list":                   tier3,
}

// chat.postMessage allows about one message per second per channel, with short
// bursts: modelled as postBurst messages per postBurst seconds.
const postBurst = 3
