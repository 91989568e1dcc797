package ib

import "slices"

// MessageKind names what a message the bot posts is about. The Slack adapter
// renders each kind; the domain only decides what is said and when.
type MessageKind string

const (
	MsgHeader       MessageKind = "header"       // the incident's card at the top of its channel
	MsgAnnouncement MessageKind = "announcement" // "an incident was declared", in the incidents channel
	MsgEvent        MessageKind = "event"        // timeline events, in the incident's channel
	MsgResolved     MessageKind = "resolved"     // "the incident is resolved", in the incidents channel
	MsgReopened     MessageKind = "reopened"     // "the incident is reopened", in the incidents channel
	MsgRaised       MessageKind = "raised"       // "the incident is now S1/S2", in the incidents channel
	MsgPage         MessageKind = "page"         // a page, by direct message to the person paged
	MsgNotice       MessageKind = "notice"       // a reminder or a word to people, in the channel or by direct message
	MsgSuggestion   MessageKind = "suggestion"   // customer tickets that may be about the incident, each with a Link button
	MsgUninvited    MessageKind = "uninvited"    // who could not be invited to the channel, and why

	// Messages of a service's alert watch, about no incident (Watch says what).
	MsgAlert        MessageKind = "alert"         // an alert, to the service's owner
	MsgFlapping     MessageKind = "flapping"      // an alert resolving on its own again and again
	MsgDeclare      MessageKind = "declare"       // a Declare? suggestion with its buttons
	MsgUnknownAlert MessageKind = "unknown-alert" // an alert of no catalog service, for the catalog's owners
)

// Message is one message the bot posts about an incident.
type Message struct {
	// Key identifies the message among everything the bot ever posts, so that a
	// retried post can find the first try's message instead of posting twice.
	Key      string          `json:"key"`
	Kind     MessageKind     `json:"kind"`
	Incident Summary         `json:"incident"`
	Events   []TimelineEvent `json:"events,omitempty"` // for MsgEvent: one line each, oldest first
	Page     *Page           `json:"page,omitempty"`   // for MsgPage
	Text     string          `json:"text,omitempty"`   // for MsgNotice
	// People are named at the end of a notice posted in the channel, so that
	// Slack tells them.
	People []Person `json:"people,omitempty"`
	// Tickets are the customer tickets a suggestion offers.
	Tickets []TicketEvent `json:"tickets,omitempty"`
	// Uninvited are the people a MsgUninvited names.
	Uninvited []Uninvited `json:"uninvited,omitempty"`
	// Watch is what a watch's message says; Links are the service's runbooks
	// and dashboards.
	Watch *WatchNotice `json:"watch,omitempty"`
	Links []Link       `json:"links,omitempty"`
	// Keys are the keys of the timeline posts merged into this one (its own
	// first), kept with it so that a retry sees which of them are out.
	Keys []string `json:"keys,omitempty"`
}

// Merged is several timeline posts as one message, in their order: their
// events under the first's key and summary, every post's key kept in Keys.
func Merged(posts []Message) Message {
	m := posts[0]
	m.Events = slices.Clip(m.Events)
	m.Keys = nil
	for _, p := range posts[1:] {
		m.Events = append(m.Events, p.Events...)
	}
	if len(posts) > 1 {
		for _, p := range posts {
			m.Keys = append(m.Keys, p.Key)
		}
	}
	return m
}

// NewMessage makes the message of the given kind about an incident. keySuffix
// tells apart several messages of one kind (timeline events).
func NewMessage(kind MessageKind, s Summary, keySuffix string) Message {
	key := s.ID + ":" + string(kind)
	if keySuffix != "" {
		key += ":" + keySuffix
	}
	return Message{Key: key, Kind: kind, Incident: s}
}
