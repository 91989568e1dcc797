package ib

import (
	"slices"
	"time"
)

// ChannelEventKind names something that happened in an incident's channel.
type ChannelEventKind string

const (
	ReactionAdded   ChannelEventKind = "reaction_added"
	ReactionRemoved ChannelEventKind = "reaction_removed"
	MessagePosted   ChannelEventKind = "message"
	MessageChanged  ChannelEventKind = "message_changed"
	MessageDeleted  ChannelEventKind = "message_deleted"
)

// ChannelEvent is one thing that happened in an incident's channel, as the
// gateway hands it to the incident. ID is Slack's event ID: the same event
// delivered again (Slack's retries, a Socket Mode redelivery) has the same ID.
type ChannelEvent struct {
	ID       string           `json:"id"`
	Kind     ChannelEventKind `json:"kind"`
	User     string           `json:"user,omitempty"`     // who acted
	TS       string           `json:"ts,omitempty"`       // the message concerned
	Reaction string           `json:"reaction,omitempty"` // for reactions: the emoji's name
	Text     string           `json:"text,omitempty"`     // for messages: the text
	// Collection is where a reaction's emoji keeps its message ("" for other
	// emoji); the gateway sets it from the configured emoji.
	Collection Collection `json:"collection,omitempty"`
	At         time.Time  `json:"at"`
}

// ChannelActivity counts what people did in the incident's channel, a measure
// of the response for its postmortem. The gateway hands the incident only a
// person's first message and first reaction (other than a collecting one) in
// its channel, which is all it needs to know who takes part; the counts are
// read from the channel's history when the postmortem is drafted
// (CountActivity), and until then count what the incident was handed.
type ChannelActivity struct {
	Messages  int `json:"messages"`
	Reactions int `json:"reactions"`
}

// CountActivity counts people's messages (thread replies too) and reactions
// in a channel's history; the bot's own are left out.
func CountActivity(history []ChannelMessage) ChannelActivity {
	var a ChannelActivity
	for _, m := range history {
		if !m.Bot {
			a.Messages++
		}
		a.Reactions += m.Reactions
	}
	return a
}

// Observe takes note of a channel event: whoever acts in the channel takes part
// in the incident, and the activity is counted. What reactions and messages
// mean beyond that is decided by later steps of the incident's life
// (papertrail, postmortem items).
func (inc *Incident) Observe(e ChannelEvent) {
	switch e.Kind {
	case MessagePosted:
		inc.Activity.Messages++
	case ReactionAdded:
		inc.Activity.Reactions++
	}
	if e.User == "" {
		return
	}
	if i, found := slices.BinarySearch(inc.Participants, e.User); !found && len(inc.Participants) < MaxParticipants {
		inc.Participants = slices.Insert(inc.Participants, i, e.User)
	}
}
