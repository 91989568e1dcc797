package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// User is a member of the fake workspace.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	RealName string `json:"real_name,omitempty"`
	Email    string `json:"email,omitempty"`
	TZ       string `json:"tz,omitempty"`
	IsBot    bool   `json:"is_bot,omitempty"`
	// Deleted is a deactivated account: listed, but it cannot join channels.
	Deleted bool `json:"deleted,omitempty"`
}

// Channel is a channel of the fake workspace.
type Channel struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Creator  string          `json:"creator"`
	Created  int64           `json:"created"`
	Topic    string          `json:"topic"`
	Purpose  string          `json:"purpose"`
	Archived bool            `json:"is_archived"`
	Members  map[string]bool `json:"-"`
	Messages []Message       `json:"messages"` // oldest first
	// When it was created and when people were last invited, to the
	// nanosecond, for measurements.
	CreatedAt time.Time `json:"-"`
	InvitedAt time.Time `json:"-"`
}

// Message is a message in a channel.
type Message struct {
	TS        string              `json:"ts"`
	ThreadTS  string              `json:"thread_ts,omitempty"`
	User      string              `json:"user"`
	Text      string              `json:"text"`
	Files     []string            `json:"files,omitempty"`
	Blocks    json.RawMessage     `json:"blocks,omitempty"`
	Metadata  json.RawMessage     `json:"metadata,omitempty"`
	Edited    bool                `json:"edited,omitempty"`
	Reactions map[string][]string `json:"reactions,omitempty"` // emoji → users
	PostedAt  time.Time           `json:"-"`                   // to the nanosecond, for measurements
}

// AddUser adds a user and returns its ID.
func (s *Server) AddUser(u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	u.ID = fmt.Sprintf("U%08d", s.seq)
	s.users[u.ID] = &u
	return u.ID
}

// Users returns every user, sorted by name.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []User
	for _, u := range s.users {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// User finds a user by ID.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[id]; u != nil {
		return *u, true
	}
	return User{}, false
}

// UserByName finds a user's ID by handle ("alice").
func (s *Server) UserByName(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, u := range s.users {
		if u.Name == name {
			return id
		}
	}
	return ""
}

// Deactivate deactivates a member's account, as an admin does when someone
// leaves: Slack still lists them, but will not let them into a channel.
func (s *Server) Deactivate(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[userID]; u != nil {
		u.Deleted = true
	}
}

// Channels returns a copy of every channel, in creation order.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.copyChannel(s.channels[id]))
	}
	return out
}

// ChannelByName returns a copy of the named channel.
func (s *Server) ChannelByName(name string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.byName(name); ch != nil {
		return s.copyChannel(ch), true
	}
	return Channel{}, false
}

// Members lists the user IDs in a channel, sorted.
func (s *Server) Members(channelID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return nil
	}
	var ids []string
	for id := range ch.Members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// CreateChannelAs creates a channel as another user, as a person would.
func (s *Server) CreateChannelAs(name, creator, purpose string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.newChannel(name, creator)
	ch.Purpose = purpose
	return ch.ID
}

func (s *Server) copyChannel(ch *Channel) Channel {
	c := *ch
	c.Messages = slices.Clone(ch.Messages)
	for i, m := range c.Messages {
		// A copy is read outside s.mu (the page's state, the tests): it must
		// not share the reactions that people and the bot change under it.
		if m.Reactions != nil {
			c.Messages[i].Reactions = cloneReactions(m.Reactions)
		}
	}
	c.Members = map[string]bool{}
	for k, v := range ch.Members {
		c.Members[k] = v
	}
	return c
}

// cloneReactions is a copy of a message's reactions that shares nothing.
func cloneReactions(r map[string][]string) map[string][]string {
	out := make(map[string][]string, len(r))
	for emoji, users := range r {
		out[emoji] = slices.Clone(users)
	}
	return out
}

// newID is a new ID for a channel, view or file: unique across the fake's
// restarts, as Slack's are forever, so that an incident from an earlier run
// never finds its old channel's ID given to a new one. People keep theirs.
// It runs under s.mu.
func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%s%04d", prefix, strings.ToUpper(strconv.FormatInt(s.started.UnixMilli(), 36)), s.seq)
}

func (s *Server) newChannel(name, creator string) *Channel {
	ch := &Channel{
		ID: s.newID("C"), Name: name, Creator: creator,
		Created: time.Now().Unix(), CreatedAt: time.Now(), Members: map[string]bool{creator: true},
	}
	s.channels[ch.ID] = ch
	s.order = append(s.order, ch.ID)
	return ch
}

func (s *Server) byName(name string) *Channel {
	for _, id := range s.order {
		if s.channels[id].Name == name {
			return s.channels[id]
		}
	}
	return nil
}

// lookup finds a channel by ID, name or #name, as chat.postMessage accepts; a
// user's ID is the bot's direct conversation with them, opened on first use.
func (s *Server) lookup(ref string) *Channel {
	if ch, ok := s.channels[ref]; ok {
		return ch
	}
	if u := s.users[ref]; u != nil {
		name := "dm-" + u.Name
		if ch := s.byName(name); ch != nil {
			return ch
		}
		ch := s.newChannel(name, BotUserID)
		ch.Members[ref] = true
		return ch
	}
	return s.byName(strings.TrimPrefix(ref, "#"))
}

// nextTS is a message timestamp: seconds.micro, unique and increasing.
func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", time.Now().Unix(), s.seq%1000000)
}

// serveState shows the whole fake workspace as JSON, for people running it.
func (s *Server) serveState(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"note":     "FAKE Slack: the state of a fake workspace for tests and local runs",
		"users":    s.Users(),
		"channels": s.Channels(),
	})
}

// args are a call's arguments, from a form body, a query string or JSON.
type args map[string]any

func readArgs(r *http.Request) (args, error) {
	a := args{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		// An empty body is an empty set of arguments, as Slack takes it.
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil && err != io.EOF {
			return nil, err
		}
		return a, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, v := range r.Form {
		a[k] = v[0]
	}
	return a, nil
}

func (a args) str(key string) string {
	switch v := a[key].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func (a args) list(key string) []string {
	var out []string
	for _, v := range strings.Split(a.str(key), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
