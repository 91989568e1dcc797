package fakeslack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// What people do in the fake workspace. Each action changes the state as
// Slack would and, when the fake delivers events (DeliverEventsTo), sends the
// app the event Slack would send.

// PostAs posts a message as a person, in a thread when threadTS is set, with
// files' names; it returns the message's timestamp.
func (s *Server) PostAs(user, channelID, text, threadTS string, files ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil {
		return "", fmt.Errorf("no channel %s", channelID)
	}
	msg := Message{TS: s.nextTS(), User: user, Text: text, ThreadTS: threadTS, Files: files}
	ch.Messages = append(ch.Messages, msg)
	s.deliver(messageEvent(ch.ID, msg))
	return msg.TS, nil
}

// EditAs changes a message's text, as its author would.
func (s *Server) EditAs(channelID, ts, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.message(channelID, ts)
	if err != nil {
		return err
	}
	m.Text, m.Edited = text, true
	e := map[string]any{"type": "message", "subtype": "message_changed", "channel": channelID, "ts": s.nextTS(),
		"message": map[string]any{"type": "message", "user": m.User, "text": text, "ts": ts}}
	s.deliver(e)
	return nil
}

// DeleteAs deletes a message.
func (s *Server) DeleteAs(channelID, ts string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if _, err := s.message(channelID, ts); err != nil {
		return err
	}
	ch.Messages = slices.DeleteFunc(ch.Messages, func(m Message) bool { return m.TS == ts })
	s.deliver(map[string]any{"type": "message", "subtype": "message_deleted", "channel": channelID, "deleted_ts": ts, "ts": s.nextTS()})
	return nil
}

// ReactAs adds a person's reaction to a message.
func (s *Server) ReactAs(user, channelID, ts, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.react(user, channelID, ts, emoji, true); code != "" {
		return fmt.Errorf("%s", code)
	}
	return nil
}

// UnreactAs takes a person's reaction back.
func (s *Server) UnreactAs(user, channelID, ts, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.react(user, channelID, ts, emoji, false); code != "" {
		return fmt.Errorf("%s", code)
	}
	return nil
}

// Reactions returns who reacted to a message with which emoji.
func (s *Server) Reactions(channelID, ts string) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.message(channelID, ts)
	if err != nil {
		return nil
	}
	return cloneReactions(m.Reactions)
}

// react adds or removes a reaction and returns Slack's error code, if any.
// It runs under s.mu.
func (s *Server) react(user, channelID, ts, emoji string, add bool) string {
	m, err := s.message(channelID, ts)
	if err != nil {
		return "message_not_found"
	}
	users := m.Reactions[emoji]
	has := slices.Contains(users, user)
	switch {
	case add && has:
		return "already_reacted"
	case !add && !has:
		return "no_reaction"
	case add:
		if m.Reactions == nil {
			m.Reactions = map[string][]string{}
		}
		m.Reactions[emoji] = append(users, user)
	default:
		m.Reactions[emoji] = slices.DeleteFunc(users, func(u string) bool { return u == user })
		if len(m.Reactions[emoji]) == 0 {
			delete(m.Reactions, emoji)
		}
	}
	kind := "reaction_added"
	if !add {
		kind = "reaction_removed"
	}
	s.deliver(map[string]any{"type": kind, "user": user, "reaction": emoji, "item_user": m.User,
		"item": map[string]any{"type": "message", "channel": channelID, "ts": ts}, "event_ts": s.nextTS()})
	return ""
}

// message finds a message, in a thread or not. It runs under s.mu.
func (s *Server) message(channelID, ts string) (*Message, error) {
	ch := s.channels[channelID]
	if ch == nil {
		return nil, fmt.Errorf("no channel %s", channelID)
	}
	for i := range ch.Messages {
		if ch.Messages[i].TS == ts {
			return &ch.Messages[i], nil
		}
	}
	return nil, fmt.Errorf("no message %s in %s", ts, channelID)
}

func messageEvent(channelID string, m Message) map[string]any {
	e := map[string]any{"type": "message", "channel": channelID, "user": m.User, "text": m.Text, "ts": m.TS, "channel_type": "channel"}
	if m.ThreadTS != "" {
		e["thread_ts"] = m.ThreadTS
	}
	if m.User == BotUserID {
		e["bot_id"] = BotID
	}
	return e
}

// events delivers Events API callbacks to an app, one at a time and in order,
// signed with its signing secret, as Slack does.
type events struct {
	url, secret string
	queue       chan []byte
	seq         int
	delivered   int
	failed      int
}

// DeliverEventsTo makes the fake send every event to an app's Events API URL.
func (s *Server) DeliverEventsTo(url, signingSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = &events{url: url, secret: signingSecret, queue: make(chan []byte, 100_000)}
	go s.sendEvents(s.events)
}

// EventsDelivered counts events the app acknowledged with 2xx, and those it
// did not.
func (s *Server) EventsDelivered() (ok, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events == nil {
		return 0, 0
	}
	return s.events.delivered, s.events.failed
}

// deliver queues an event for the app. It runs under s.mu.
func (s *Server) deliver(inner map[string]any) {
	if s.events == nil {
		return
	}
	s.events.seq++
	body, _ := json.Marshal(map[string]any{
		"token": "fake-verification-token", "team_id": TeamID, "api_app_id": "A00000001",
		"type": "event_callback", "event_id": fmt.Sprintf("Ev%010d", s.events.seq), "event_time": time.Now().Unix(),
		"event": inner,
	})
	s.events.queue <- body
}

// eventRetries are when Slack delivers an event again after a delivery that
// failed or was not acknowledged in time: at once, after a minute, after five
// (on the fake's clock).
var eventRetries = []time.Duration{0, time.Minute, 5 * time.Minute}

func (s *Server) sendEvents(ev *events) {
	for body := range ev.queue {
		if s.post(ev, body, 0) {
			continue
		}
		go s.retryEvent(ev, body)
	}
}

// retryEvent delivers a failed event again as Slack does, with
// X-Slack-Retry-Num, and counts it failed only once every retry failed.
func (s *Server) retryEvent(ev *events, body []byte) {
	for i, after := range eventRetries {
		time.Sleep(s.scaled(after))
		if s.post(ev, body, i+1) {
			return
		}
	}
	s.mu.Lock()
	ev.failed++
	s.mu.Unlock()
}

// post delivers one event, signed now; retry is its X-Slack-Retry-Num.
func (s *Server) post(ev *events, body []byte, retry int) bool {
	ok := false
	req, err := NewSignedRequest(context.Background(), ev.url, "application/json", string(body), ev.secret)
	if err == nil {
		if retry > 0 {
			req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
			req.Header.Set("X-Slack-Retry-Reason", "http_error")
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			ok = resp.StatusCode/100 == 2
			resp.Body.Close()
		}
	}
	if ok {
		s.mu.Lock()
		ev.delivered++
		s.mu.Unlock()
	}
	return ok
}
