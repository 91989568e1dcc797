package slack

// Scopes are the bot token scopes Incident Buddy uses, each with what needs it.
// slack-app-manifest.yaml asks for exactly these; a test keeps them in step.
var Scopes = map[string]string{
	"channels:manage":  "conversations.create, setTopic, setPurpose, invite: opening the incident's channel",
	"channels:read":    "conversations.list: finding a channel by name after a retry",
	"channels:join":    "conversations.join: joining the incidents channel to announce",
	"channels:history": "conversations.history, conversations.replies: finding an earlier try's message; the channel export; message events",
	"chat:write":       "chat.postMessage, chat.update: the header, timeline and announcements",
	"commands":         "the /ib slash command",
	"files:write":      "files.getUploadURLExternal, files.completeUploadExternal: the postmortem draft in the channel",
	"files:read":       "files.list: finding a draft an earlier try uploaded",
	"reactions:read":   "reaction_added and reaction_removed events",
	"reactions:write":  "reactions.add, reactions.remove: confirming a collected message",
	"im:write":         "conversations.open: a page's direct message",
	"im:history":       "conversations.history in a direct message: finding a page an earlier try sent",
	"users:read":       "users.info: the time zone people type times in, and the commander's working mornings",
	"users:read.email": "users.lookupByEmail: catalog members named by e-mail",
}

// BotEvents are the events the gateway handles.
var BotEvents = []string{"message.channels", "reaction_added", "reaction_removed"}

// Routes are the HTTP paths of the gateway, as the manifest names them.
var Routes = map[string]string{
	"commands":      "/slack/commands",
	"interactivity": "/slack/interactivity",
	"events":        "/slack/events",
}
