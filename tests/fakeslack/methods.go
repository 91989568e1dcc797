package fakeslack

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// handler serves one Web API method under s.mu. A positive second result
// answers 429 with that Retry-After.
type handler func(s *Server, a args) (answer, int)

var handlers map[string]handler

func init() {
	// Assigned here, not in the declaration, because handlers refer to the map.
	handlers = map[string]handler{
		"auth.test":                    (*Server).authTest,
		"conversations.create":         (*Server).conversationsCreate,
		"conversations.list":           (*Server).conversationsList,
		"conversations.info":           (*Server).conversationsInfo,
		"conversations.setTopic":       (*Server).conversationsSetTopic,
		"conversations.setPurpose":     (*Server).conversationsSetPurpose,
		"conversations.invite":         (*Server).conversationsInvite,
		"conversations.join":           (*Server).conversationsJoin,
		"conversations.members":        (*Server).conversationsMembers,
		"conversations.history":        (*Server).conversationsHistory,
		"chat.postMessage":             (*Server).chatPostMessage,
		"chat.update":                  (*Server).chatUpdate,
		"users.info":                   (*Server).usersInfo,
		"users.list":                   (*Server).usersList,
		"users.lookupByEmail":          (*Server).usersLookupByEmail,
		"views.open":                   (*Server).viewsOpen,
		"chat.getPermalink":            (*Server).chatGetPermalink,
		"conversations.replies":        (*Server).conversationsReplies,
		"reactions.add":                (*Server).reactionsAdd,
		"conversations.open":           (*Server).conversationsOpen,
		"reactions.remove":             (*Server).reactionsRemove,
		"apps.connections.open":        (*Server).appsConnectionsOpen,
		"files.getUploadURLExternal":   (*Server).filesGetUploadURLExternal,
		"files.completeUploadExternal": (*Server).filesCompleteUploadExternal,
		"files.list":                   (*Server).filesList,
	}
}

// Slack's limits on what these methods accept.
const (
	maxChannelName = 80
	maxTopic       = 250
	maxPurpose     = 250
	maxMessageText = 40000
	maxBlocks      = 50
)

var channelName = regexp.MustCompile(`^[a-z0-9_-]+$`)

func fail(code string) (answer, int) { return answer{"error": code}, 0 }

func (s *Server) authTest(args) (answer, int) {
	return answer{"url": "https://fake.slack.test/", "team": "Fake Workspace", "user": "incident-buddy",
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID}, 0
}

func (s *Server) conversationsCreate(a args) (answer, int) {
	name := a.str("name")
	switch {
	case name == "":
		return fail("invalid_name_required")
	case utf8.RuneCountInString(name) > maxChannelName:
		return fail("invalid_name_maxlength")
	case !channelName.MatchString(name):
		return fail("invalid_name_specials")
	case s.byName(name) != nil:
		return fail("name_taken")
	}
	return answer{"channel": s.channelJSON(s.newChannel(name, BotUserID))}, 0
}

func (s *Server) conversationsList(a args) (answer, int) {
	limit, _ := strconv.Atoi(a.str("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	start, _ := strconv.Atoi(a.str("cursor"))
	excludeArchived := a.str("exclude_archived") == "true"
	var page []map[string]any
	i := start
	for ; i < len(s.order) && len(page) < limit; i++ {
		if ch := s.channels[s.order[i]]; !(excludeArchived && ch.Archived) {
			page = append(page, s.channelJSON(ch))
		}
	}
	next := ""
	if i < len(s.order) {
		next = strconv.Itoa(i)
	}
	return answer{"channels": page, "response_metadata": map[string]string{"next_cursor": next}}, 0
}

func (s *Server) conversationsInfo(a args) (answer, int) {
	ch := s.channels[a.str("channel")]
	if ch == nil {
		return fail("channel_not_found")
	}
	return answer{"channel": s.channelJSON(ch)}, 0
}

func (s *Server) conversationsSetTopic(a args) (answer, int) {
	return s.setChannelText(a, "topic", maxTopic, func(ch *Channel, v string) { ch.Topic = v })
}

func (s *Server) conversationsSetPurpose(a args) (answer, int) {
	return s.setChannelText(a, "purpose", maxPurpose, func(ch *Channel, v string) { ch.Purpose = v })
}

func (s *Server) setChannelText(a args, field string, limit int, set func(*Channel, string)) (answer, int) {
	ch, errCode := s.memberChannel(a.str("channel"))
	if errCode != "" {
		return fail(errCode)
	}
	v := a.str(field)
	if utf8.RuneCountInString(v) > limit {
		return fail("too_long")
	}
	set(ch, v)
	return answer{"channel": s.channelJSON(ch)}, 0
}

// conversationsInvite is all or nothing, like Slack without force: one user
// already in the channel fails the whole call.
func (s *Server) conversationsInvite(a args) (answer, int) {
	ch, errCode := s.memberChannel(a.str("channel"))
	if errCode != "" {
		return fail(errCode)
	}
	users := a.list("users")
	if len(users) == 0 {
		return fail("no_user")
	}
	if len(users) > 100 {
		return fail("too_many_users")
	}
	for _, u := range users {
		switch {
		case u == BotUserID:
			return fail("cant_invite_self")
		case s.users[u] == nil:
			return fail("user_not_found")
		case s.users[u].Deleted:
			return fail("cant_invite")
		case ch.Members[u]:
			return fail("already_in_channel")
		}
	}
	for _, u := range users {
		ch.Members[u] = true
	}
	ch.InvitedAt = time.Now()
	return answer{"channel": s.channelJSON(ch)}, 0
}

func (s *Server) conversationsJoin(a args) (answer, int) {
	ch := s.channels[a.str("channel")]
	if ch == nil {
		return fail("channel_not_found")
	}
	if ch.Archived {
		return fail("is_archived")
	}
	ch.Members[BotUserID] = true
	return answer{"channel": s.channelJSON(ch)}, 0
}

func (s *Server) conversationsMembers(a args) (answer, int) {
	ch := s.channels[a.str("channel")]
	if ch == nil {
		return fail("channel_not_found")
	}
	var ids []string
	for id := range ch.Members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return answer{"members": ids, "response_metadata": map[string]string{"next_cursor": ""}}, 0
}

// conversationsHistory returns messages newest first; metadata only when asked
// for with include_all_metadata, as Slack does.
func (s *Server) conversationsHistory(a args) (answer, int) {
	ch, errCode := s.memberChannel(a.str("channel"))
	if errCode != "" {
		return fail(errCode)
	}
	limit, _ := strconv.Atoi(a.str("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	withMeta := a.str("include_all_metadata") == "true" || a.str("include_all_metadata") == "1"
	window := timeWindow(a)
	// The cursor is the timestamp of the next (older) message to return.
	cursor := a.str("cursor")
	var msgs []map[string]any
	next := ""
	for i := len(ch.Messages) - 1; i >= 0; i-- {
		m := ch.Messages[i]
		if m.ThreadTS != "" && m.ThreadTS != m.TS || !window(m.TS) || cursor != "" && m.TS > cursor {
			continue // thread replies are not in the channel's history
		}
		if len(msgs) == limit {
			next = m.TS
			break
		}
		j := messageJSON(m, withMeta)
		if n := countReplies(ch, m.TS); n > 0 {
			j["thread_ts"], j["reply_count"] = m.TS, n
		}
		msgs = append(msgs, j)
	}
	return answer{"messages": msgs, "has_more": next != "", "response_metadata": map[string]string{"next_cursor": next}}, 0
}

func countReplies(ch *Channel, parent string) int {
	n := 0
	for _, m := range ch.Messages {
		if m.ThreadTS == parent && m.TS != parent {
			n++
		}
	}
	return n
}

// conversationsReplies returns a thread: its parent, then its replies, oldest
// first, within oldest/latest.
func (s *Server) conversationsReplies(a args) (answer, int) {
	ch, errCode := s.memberChannel(a.str("channel"))
	if errCode != "" {
		return fail(errCode)
	}
	parent, window := a.str("ts"), timeWindow(a)
	var msgs []map[string]any
	for _, m := range ch.Messages {
		if (m.TS == parent || m.ThreadTS == parent) && window(m.TS) {
			msgs = append(msgs, messageJSON(m, false))
		}
	}
	if msgs == nil && !slices.ContainsFunc(ch.Messages, func(m Message) bool { return m.TS == parent }) {
		return fail("thread_not_found")
	}
	return answer{"messages": msgs, "has_more": false, "response_metadata": map[string]string{"next_cursor": ""}}, 0
}

// timeWindow reads oldest, latest and inclusive, as Slack's history methods do.
func timeWindow(a args) func(ts string) bool {
	oldest, latest, inclusive := a.str("oldest"), a.str("latest"), a.str("inclusive") == "true" || a.str("inclusive") == "1"
	return func(ts string) bool {
		after := oldest == "" || ts > oldest || inclusive && ts == oldest
		before := latest == "" || ts < latest || inclusive && ts == latest
		return after && before
	}
}

// conversationsOpen opens (or finds) the bot's direct conversation with a user.
func (s *Server) conversationsOpen(a args) (answer, int) {
	users := a.list("users")
	if len(users) != 1 || s.users[users[0]] == nil {
		return fail("user_not_found")
	}
	return answer{"channel": s.channelJSON(s.lookup(users[0]))}, 0
}

func (s *Server) chatGetPermalink(a args) (answer, int) {
	channelID, ts := a.str("channel"), a.str("message_ts")
	m, err := s.message(channelID, ts)
	if err != nil {
		return fail("message_not_found")
	}
	link := fmt.Sprintf("https://fake.slack.test/archives/%s/p%s", channelID, strings.ReplaceAll(ts, ".", ""))
	if m.ThreadTS != "" && m.ThreadTS != ts {
		link += "?thread_ts=" + m.ThreadTS + "&cid=" + channelID
	}
	return answer{"channel": channelID, "permalink": link}, 0
}

func (s *Server) reactionsAdd(a args) (answer, int) {
	return s.reactionCall(a, true)
}

func (s *Server) reactionsRemove(a args) (answer, int) {
	return s.reactionCall(a, false)
}

func (s *Server) reactionCall(a args, add bool) (answer, int) {
	if _, errCode := s.memberChannel(a.str("channel")); errCode != "" {
		return fail(errCode)
	}
	if code := s.react(BotUserID, a.str("channel"), a.str("timestamp"), a.str("name"), add); code != "" {
		return fail(code)
	}
	return answer{}, 0
}

func (s *Server) chatPostMessage(a args) (answer, int) {
	ch := s.lookup(a.str("channel"))
	switch {
	case ch == nil:
		return fail("channel_not_found")
	case ch.Archived:
		return fail("is_archived")
	case !ch.Members[BotUserID]:
		return fail("not_in_channel")
	}
	msg, errCode := newMessage(a)
	if errCode != "" {
		return fail(errCode)
	}
	if !s.opts.NoLimits {
		if wait := s.limiter.Take("post:"+ch.ID, postBurst, postBurst*time.Second, time.Now()); wait > 0 {
			return answer{"ok": false, "error": "ratelimited"}, wait
		}
	}
	msg.TS, msg.PostedAt = s.nextTS(), time.Now()
	ch.Messages = append(ch.Messages, msg)
	s.deliver(messageEvent(ch.ID, msg))
	return answer{"channel": ch.ID, "ts": msg.TS, "message": messageJSON(msg, false)}, 0
}

func (s *Server) chatUpdate(a args) (answer, int) {
	ch := s.lookup(a.str("channel"))
	if ch == nil {
		return fail("channel_not_found")
	}
	ts := a.str("ts")
	i := slices.IndexFunc(ch.Messages, func(m Message) bool { return m.TS == ts })
	if i < 0 {
		return fail("message_not_found")
	}
	if ch.Messages[i].User != BotUserID {
		return fail("cant_update_message")
	}
	msg, errCode := newMessage(a)
	if errCode != "" {
		return fail(errCode)
	}
	msg.TS, msg.Edited = ts, true
	if msg.Metadata == nil {
		msg.Metadata = ch.Messages[i].Metadata
	}
	ch.Messages[i] = msg
	return answer{"channel": ch.ID, "ts": ts, "text": msg.Text}, 0
}

func (s *Server) usersInfo(a args) (answer, int) {
	u := s.users[a.str("user")]
	if u == nil {
		return fail("user_not_found")
	}
	return answer{"user": userJSON(u)}, 0
}

// usersList pages through the workspace's people in ID order, as Slack does
// with a cursor: at most limit (Slack suggests 200, allows 1,000) a page.
func (s *Server) usersList(a args) (answer, int) {
	limit, _ := strconv.Atoi(a.str("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	ids := slices.Sorted(maps.Keys(s.users))
	start, _ := strconv.Atoi(a.str("cursor"))
	var page []map[string]any
	i := min(start, len(ids))
	for ; i < len(ids) && len(page) < limit; i++ {
		page = append(page, userJSON(s.users[ids[i]]))
	}
	next := ""
	if i < len(ids) {
		next = strconv.Itoa(i)
	}
	return answer{"members": page, "response_metadata": map[string]string{"next_cursor": next}}, 0
}

func (s *Server) usersLookupByEmail(a args) (answer, int) {
	for _, u := range s.users {
		if u.Email != "" && u.Email == a.str("email") {
			return answer{"user": userJSON(u)}, 0
		}
	}
	return fail("users_not_found")
}

// memberChannel finds a channel the bot is in, or says why not.
func (s *Server) memberChannel(id string) (*Channel, string) {
	ch := s.channels[id]
	switch {
	case ch == nil:
		return nil, "channel_not_found"
	case ch.Archived:
		return nil, "is_archived"
	case !ch.Members[BotUserID]:
		return nil, "not_in_channel"
	}
	return ch, ""
}

func newMessage(a args) (Message, string) {
	msg := Message{User: BotUserID, Text: a.str("text")}
	if b := a.str("blocks"); b != "" {
		var blocks []json.RawMessage
		if json.Unmarshal([]byte(b), &blocks) != nil || len(blocks) > maxBlocks {
			return msg, "invalid_blocks"
		}
		msg.Blocks = json.RawMessage(b)
	}
	if m := a.str("metadata"); m != "" {
		var meta struct {
			EventType string `json:"event_type"`
		}
		if json.Unmarshal([]byte(m), &meta) != nil || meta.EventType == "" {
			return msg, "invalid_metadata_format"
		}
		msg.Metadata = json.RawMessage(m)
	}
	switch {
	case msg.Text == "" && msg.Blocks == nil:
		return msg, "no_text"
	case utf8.RuneCountInString(msg.Text) > maxMessageText:
		return msg, "msg_too_long"
	}
	return msg, ""
}

func (s *Server) channelJSON(ch *Channel) map[string]any {
	return map[string]any{
		"id": ch.ID, "name": ch.Name, "is_channel": true, "creator": ch.Creator, "created": ch.Created,
		"is_archived": ch.Archived, "is_member": ch.Members[BotUserID], "num_members": len(ch.Members),
		"topic":   map[string]any{"value": ch.Topic},
		"purpose": map[string]any{"value": ch.Purpose},
	}
}

func messageJSON(m Message, withMeta bool) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "user": m.User, "text": m.Text}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if len(m.Files) > 0 {
		var files []map[string]any
		for i, name := range m.Files {
			files = append(files, map[string]any{"id": fmt.Sprintf("F%08d", i+1), "name": name})
		}
		out["files"] = files
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.User == BotUserID {
		out["bot_id"] = BotID
	}
	var reactions []map[string]any
	for _, name := range slices.Sorted(maps.Keys(m.Reactions)) {
		if users := m.Reactions[name]; len(users) > 0 {
			reactions = append(reactions, map[string]any{"name": name, "users": users, "count": len(users)})
		}
	}
	if reactions != nil {
		out["reactions"] = reactions
	}
	if withMeta && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	return out
}

func userJSON(u *User) map[string]any {
	return map[string]any{
		"id": u.ID, "name": u.Name, "real_name": u.RealName, "is_bot": u.IsBot, "tz": u.TZ,
		"profile": map[string]any{"email": u.Email, "real_name": u.RealName, "display_name": u.Name},
	}
}
