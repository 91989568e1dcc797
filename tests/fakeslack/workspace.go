package fakeslack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The workspace: what people do in the fake, over HTTP, for the fakeslack
// command and the page at the fake's address. Slash commands, clicks on a
// message's buttons and menus, and submitted forms go to the app connected
// with ConnectApp, signed as Slack signs them; the app's answers (its reply,
// or what it posts to the response_url later) are shown to the person who
// acted only, as Slack's "only visible to you" messages are.

// app is where the workspace sends what people do.
type app struct {
	base   string // the app's base URL: /slack/commands, /slack/interactivity
	secret string // its signing secret
	self   string // the fake's own base URL, for response_urls
}

// Ephemeral is a message only one person sees: an answer to what they did.
type Ephemeral struct {
	User    string    `json:"user"`
	Channel string    `json:"channel"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
}

// Outcome is what became of a command, a click or a form: the app's first
// answer, the form it opened, or the errors it found in a form.
type Outcome struct {
	Answer string            `json:"answer,omitempty"`
	View   string            `json:"view,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
}

// answerWait is how long a command or click waits for the app's first
// answer; later answers still reach the page.
const answerWait = 5 * time.Second

// ConnectApp makes the workspace send people's commands, clicks and forms to
// an app at base, signed with secret; self is the fake's own base URL.
// Events go where DeliverEventsTo says.
func (s *Server) ConnectApp(base, secret, self string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app = &app{base: strings.TrimSuffix(base, "/"), secret: secret, self: strings.TrimSuffix(self, "/")}
}

// Ephemerals are the answers shown to one person, oldest first.
func (s *Server) Ephemerals(user string) []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ephemeral
	for _, e := range s.ephemeral {
		if e.User == user {
			out = append(out, e)
		}
	}
	return out
}

// Command types "/ib <text>" as a person in a channel.
func (s *Server) Command(ctx context.Context, user, channelID, text string) (Outcome, error) {
	a, u, ch, err := s.actor(user, channelID)
	if err != nil {
		return Outcome{}, err
	}
	key, trigger := s.expectAnswer(user, ch)
	status, body, err := SendSlashCommand(ctx, a.base+"/slack/commands", a.secret, SlashCommand{
		Text: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "/ib")), UserID: user, UserName: u.Name,
		ChannelID: ch, ResponseURL: ResponseURL(a.self, key), TriggerID: trigger,
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("is the app running at %s? %w", a.base, err)
	}
	if status != http.StatusOK {
		return Outcome{}, fmt.Errorf("the app answered %d: %s", status, strings.TrimSpace(body))
	}
	var reply struct{ Text string }
	if json.Unmarshal([]byte(body), &reply) == nil && reply.Text != "" {
		s.respond(key, reply.Text)
	}
	return s.await(ctx, key, trigger), nil
}

// Click presses a button or picks an option of a menu (value: the option's
// value) in a message, as a person.
func (s *Server) Click(ctx context.Context, user, channelID, ts, actionID, value string) (Outcome, error) {
	a, u, ch, err := s.actor(user, channelID)
	if err != nil {
		return Outcome{}, err
	}
	s.mu.Lock()
	m, err := s.message(ch, ts)
	var blocks json.RawMessage
	if err == nil {
		blocks = m.Blocks
	}
	s.mu.Unlock()
	if err != nil {
		return Outcome{}, err
	}
	action, err := actionOf(blocks, actionID, value)
	if err != nil {
		return Outcome{}, err
	}
	key, trigger := s.expectAnswer(user, ch)
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": TeamID}, "user": map[string]any{"id": user, "name": u.Name},
		"channel": map[string]any{"id": ch}, "container": map[string]any{"type": "message", "message_ts": ts, "channel_id": ch},
		"message": map[string]any{"ts": ts}, "trigger_id": trigger, "response_url": ResponseURL(a.self, key),
		"actions": []any{action},
	}
	if _, err := s.interact(ctx, a, payload); err != nil {
		return Outcome{}, err
	}
	return s.await(ctx, key, trigger), nil
}

// Submit fills in and submits a form the app opened for a person: values are
// by block ID, a string or, for a multiple choice, a list of option values.
func (s *Server) Submit(ctx context.Context, user, viewID string, values map[string]any) (Outcome, error) {
	a, u, _, err := s.actor(user, "")
	if err != nil {
		return Outcome{}, err
	}
	s.mu.Lock()
	i := slices.IndexFunc(s.views, func(v View) bool { return v.ID == viewID && v.User == user && !v.Closed })
	var v View
	if i >= 0 {
		v = s.views[i]
	}
	s.mu.Unlock()
	if i < 0 {
		return Outcome{}, fmt.Errorf("%s has no open form %s", u.Name, viewID)
	}
	state, err := formState(v.Raw, values)
	if err != nil {
		return Outcome{}, err
	}
	body, err := s.interact(ctx, a, map[string]any{
		"type": "view_submission", "team": map[string]any{"id": TeamID}, "user": map[string]any{"id": user, "name": u.Name},
		"view": map[string]any{"id": v.ID, "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata, "state": state},
	})
	if err != nil {
		return Outcome{}, err
	}
	var reply struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	_ = json.Unmarshal([]byte(body), &reply)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch reply.Action {
	case "errors":
		return Outcome{View: v.ID, Errors: reply.Errors}, nil
	case "update":
		s.views[i].Raw = reply.View
		return Outcome{View: v.ID}, nil
	}
	s.views[i].Closed = true
	return Outcome{}, nil
}

// actor finds the connected app, a person and a channel (by ID or name).
func (s *Server) actor(user, channel string) (*app, User, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[user]
	switch {
	case s.app == nil:
		return nil, User{}, "", fmt.Errorf("no app is connected to the fake Slack (ConnectApp, or fakeslack serve --app)")
	case u == nil:
		return nil, User{}, "", fmt.Errorf("no user %s in the fake Slack", user)
	case channel == "":
		return s.app, *u, "", nil
	}
	ch := s.lookup(channel)
	if ch == nil {
		return nil, User{}, "", fmt.Errorf("no channel %s in the fake Slack", channel)
	}
	return s.app, *u, ch.ID, nil
}

// expectAnswer makes a response_url key and a trigger for what a person does
// in a channel, so that the app's answers and forms come back to them.
func (s *Server) expectAnswer(user, channel string) (key, trigger string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, trigger = s.newID("R"), TriggerID()
	s.answerTo[key] = Ephemeral{User: user, Channel: channel}
	s.triggers[trigger] = user
	return key, trigger
}

// await waits a little for the app's first answer or form.
func (s *Server) await(ctx context.Context, key, trigger string) Outcome {
	deadline := time.Now().Add(answerWait)
	for {
		s.mu.Lock()
		var o Outcome
		if r := s.responses[key]; len(r) > 0 {
			o.Answer = r[0].text
		}
		for _, v := range s.views {
			if v.Trigger == trigger {
				o.View = v.ID
			}
		}
		s.mu.Unlock()
		if o.Answer != "" || o.View != "" || time.Now().After(deadline) || ctx.Err() != nil {
			return o
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// interact posts an interaction payload to the app, signed, and returns its
// answer's body.
func (s *Server) interact(ctx context.Context, a *app, payload map[string]any) (string, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	req, err := NewSignedRequest(ctx, a.base+"/slack/interactivity", "application/x-www-form-urlencoded",
		url.Values{"payload": {string(raw)}}.Encode(), a.secret)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("is the app running at %s? %w", a.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the app answered %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

// element is an interactive element of Block Kit, as far as the fake reads it.
type element struct {
	Type     string   `json:"type"`
	ActionID string   `json:"action_id"`
	Value    string   `json:"value"`
	Options  []option `json:"options"`
	// What a form's input holds before anyone changes it; Slack submits it
	// as the input's value.
	InitialValue   string   `json:"initial_value"`
	InitialOption  *option  `json:"initial_option"`
	InitialOptions []option `json:"initial_options"`
}

// initial is what an input submits when nobody changed it.
func (e *element) initial() any {
	switch {
	case e.InitialValue != "":
		return e.InitialValue
	case e.InitialOption != nil:
		return e.InitialOption.Value
	case len(e.InitialOptions) > 0:
		var values []any
		for _, o := range e.InitialOptions {
			values = append(values, o.Value)
		}
		return values
	}
	return nil
}

type option struct {
	Value string `json:"value"`
}

type block struct {
	Type      string    `json:"type"`
	BlockID   string    `json:"block_id"`
	Elements  []element `json:"elements"`
	Accessory *element  `json:"accessory"`
	Element   *element  `json:"element"`
	Optional  bool      `json:"optional"`
}

// actionOf is the action Slack reports when someone uses the element with
// actionID among a message's blocks.
func actionOf(raw json.RawMessage, actionID, value string) (map[string]any, error) {
	var blocks []block
	_ = json.Unmarshal(raw, &blocks)
	for _, b := range blocks {
		candidates := b.Elements
		if b.Accessory != nil {
			candidates = append(candidates, *b.Accessory)
		}
		for _, e := range candidates {
			if e.ActionID != actionID {
				continue
			}
			action := map[string]any{"type": e.Type, "action_id": e.ActionID, "block_id": b.BlockID, "action_ts": fmt.Sprint(time.Now().Unix())}
			switch e.Type {
			case "button":
				action["value"] = e.Value
			case "static_select", "overflow", "radio_buttons":
				if !slices.ContainsFunc(e.Options, func(o option) bool { return o.Value == value }) {
					return nil, fmt.Errorf("the menu %s has no option %q", actionID, value)
				}
				action["selected_option"] = map[string]any{"value": value}
			default:
				return nil, fmt.Errorf("the fake Slack cannot use a %s yet", e.Type)
			}
			return action, nil
		}
	}
	return nil, fmt.Errorf("the message has no button or menu %s", actionID)
}

// formState is a view's state.values as Slack sends them on submission, from
// values by block ID.
func formState(raw json.RawMessage, values map[string]any) (map[string]any, error) {
	var view struct {
		Blocks []block `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &view); err != nil {
		return nil, err
	}
	state := map[string]any{}
	for _, b := range view.Blocks {
		if b.Type != "input" || b.Element == nil {
			continue
		}
		e, v := b.Element, values[b.BlockID]
		if _, given := values[b.BlockID]; !given {
			v = e.initial()
		}
		var got map[string]any
		switch e.Type {
		case "plain_text_input":
			text, _ := v.(string)
			got = map[string]any{"type": e.Type, "value": text}
		case "static_select", "radio_buttons":
			got = map[string]any{"type": e.Type}
			if text, _ := v.(string); text != "" {
				got["selected_option"] = map[string]any{"value": text}
			}
		case "users_select":
			got = map[string]any{"type": e.Type}
			if who, _ := v.(string); who != "" {
				got["selected_user"] = who
			}
		case "multi_static_select", "multi_external_select":
			var options []map[string]any
			for _, one := range listOf(v) {
				options = append(options, map[string]any{"value": one})
			}
			got = map[string]any{"type": e.Type, "selected_options": options}
		default:
			return nil, fmt.Errorf("the fake Slack cannot fill in a %s yet", e.Type)
		}
		state[b.BlockID] = map[string]any{e.ActionID: got}
	}
	return map[string]any{"values": state}, nil
}

func listOf(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return strings.Split(v, ",")
	case []any:
		var out []string
		for _, one := range v {
			out = append(out, fmt.Sprint(one))
		}
		return out
	}
	return nil
}

// respond keeps an answer posted to a response_url and shows it to the
// person it answers. It runs without s.mu.
func (s *Server) respond(key, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepResponse(key, text)
}

// keepResponse runs under s.mu.
func (s *Server) keepResponse(key, text string) {
	s.responses[key] = append(s.responses[key], response{text: text, at: time.Now()})
	if to, ok := s.answerTo[key]; ok {
		to.Text, to.At = text, time.Now()
		s.ephemeral = append(s.ephemeral, to)
	}
}

// Actions lists the buttons and menus of a message's blocks, one line each:
// the action_id, and the value a click sends or the options a menu offers.
func Actions(raw json.RawMessage) []string {
	var blocks []block
	_ = json.Unmarshal(raw, &blocks)
	var out []string
	for _, b := range blocks {
		elements := b.Elements
		if b.Accessory != nil {
			elements = append(elements, *b.Accessory)
		}
		for _, e := range elements {
			switch {
			case e.Type == "button" && e.ActionID != "":
				out = append(out, fmt.Sprintf("[button] %s", e.ActionID))
			case len(e.Options) > 0:
				var values []string
				for _, o := range e.Options {
					values = append(values, o.Value)
				}
				out = append(out, fmt.Sprintf("[menu] %s: %s", e.ActionID, strings.Join(values, " | ")))
			}
		}
	}
	return out
}
