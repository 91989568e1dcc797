package gateway

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	goslack "github.com/slack-go/slack"

	"github.com/slack-go/slack/slackevents"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
)

// Event hands an Events API event to the incident whose channel it happened
// in. Redeliveries (Slack's retries, Socket Mode's) are dropped by event ID here
// and, should two gateways both take one, again by the workflow. Events of
// channels that are no incident's, or of closed incidents, are ignored. A
// person's messages and reactions that collect nothing only tell the incident
// that they take part: once it has one of them, the rest are not handed over
// (each would cost the incident a signal and a workflow task; its channel's
// activity is counted from Slack when its postmortem is drafted). An error
// means the event could not be handed over and Slack should try again.
func (g *Gateway) Event(ctx context.Context, e slackevents.EventsAPIEvent) error {
	outer, ok := e.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || e.Type != slackevents.CallbackEvent {
		return nil
	}
	if g.events.seen(outer.EventID) {
		g.Log.Debug("dropped a redelivered event", zap.String("event_id", outer.EventID))
		return nil
	}
	channel, ce, ok := channelEvent(e.InnerEvent.Data, outer)
	if !ok {
		return nil
	}
	if ce.Reaction != "" {
		if ce.User == g.botUser(ctx) {
			return nil // the bot confirming a collected message
		}
		ce.Collection = g.CollectionEmoji[ce.Reaction]
	}
	presence := ce.User != "" && (ce.Kind == ib.MessagePosted || ce.Reaction != "" && ce.Collection == "")
	if presence && g.present.has(channel, ce.User) {
		g.events.remember(outer.EventID, time.Now())
		return nil
	}
	log := g.Log.With(zap.String("event_id", outer.EventID), zap.String("event", string(ce.Kind)), zap.String("channel", channel))
	id, err := g.Incidents.FindByChannel(ctx, channel)
	unindexed := ib.ErrorCode(err) == ib.ENOTFOUND
	if err == nil {
		err = g.Incidents.Notify(ctx, id, ce)
	}
	switch ib.ErrorCode(err) {
	case "":
		g.events.remember(outer.EventID, time.Now())
		if presence {
			g.present.add(channel, ce.User)
		}
		return nil
	case ib.ENOTFOUND:
		if unindexed && g.newIncidentChannel(ctx, channel) {
			// A channel made minutes ago may be an incident's that Temporal
			// has not indexed yet: Slack delivers the event again later.
			log.Debug("an event of a new channel that is no incident's yet; Slack will deliver it again")
			return err
		}
		log.Debug("ignored an event: no open incident in this channel")
		g.events.remember(outer.EventID, time.Now())
		return nil
	default:
		log.Warn("could not hand an event to its incident; Slack will deliver it again", zap.Error(err))
		return err
	}
}

// channelEvent picks out the events an incident cares about: reactions and
// people's messages, with their edits and deletions. The bot's own messages
// are not news to it.
func channelEvent(inner any, outer *slackevents.EventsAPICallbackEvent) (string, ib.ChannelEvent, bool) {
	e := ib.ChannelEvent{ID: outer.EventID, At: time.Unix(int64(outer.EventTime), 0).UTC()}
	switch ev := inner.(type) {
	case *slackevents.ReactionAddedEvent:
		e.Kind, e.User, e.Reaction, e.TS = ib.ReactionAdded, ev.User, ev.Reaction, ev.Item.Timestamp
		return ev.Item.Channel, e, true
	case *slackevents.ReactionRemovedEvent:
		e.Kind, e.User, e.Reaction, e.TS = ib.ReactionRemoved, ev.User, ev.Reaction, ev.Item.Timestamp
		return ev.Item.Channel, e, true
	case *slackevents.MessageEvent:
		if ev.BotID != "" || ev.SubType == "bot_message" {
			return "", e, false
		}
		switch ev.SubType {
		case "", "thread_broadcast", "file_share":
			e.Kind, e.User, e.TS, e.Text = ib.MessagePosted, ev.User, ev.TimeStamp, ev.Text
		case "message_changed":
			if ev.Message == nil || ev.Message.BotID != "" {
				return "", e, false
			}
			e.Kind, e.User, e.TS, e.Text = ib.MessageChanged, ev.Message.User, ev.Message.Timestamp, ev.Message.Text
		case "message_deleted":
			e.Kind, e.TS = ib.MessageDeleted, ev.DeletedTimeStamp
		default:
			return "", e, false
		}
		return ev.Channel, e, true
	}
	return "", e, false
}

// youngFor is how long after its creation a channel's events are kept for an
// incident that may not be indexed yet.
const youngFor = 10 * time.Minute

// newIncidentChannel says whether a channel may be a new incident's: named
// as incident channels are and created within youngFor, by Slack's
// conversations.info, asked once per channel. A channel Slack cannot tell of
// counts as one: an event is better delivered again than dropped.
func (g *Gateway) newIncidentChannel(ctx context.Context, channel string) bool {
	g.mu.Lock()
	c, known := g.channels[channel]
	g.mu.Unlock()
	if !known {
		info, err := g.API.GetConversationInfoContext(ctx, &goslack.GetConversationInfoInput{ChannelID: channel})
		if err != nil {
			return true
		}
		c = channelInfo{created: info.Created.Time(), incidentLike: strings.HasPrefix(info.Name, g.ChannelPrefix+"-")}
		g.mu.Lock()
		if g.channels == nil || len(g.channels) >= 10_000 {
			g.channels = map[string]channelInfo{}
		}
		g.channels[channel] = c
		g.mu.Unlock()
	}
	return c.incidentLike && time.Since(c.created) < youngFor
}

// channelInfo is what the gateway keeps of a channel that is no incident's.
type channelInfo struct {
	created      time.Time
	incidentLike bool
}

// rememberEvents is how long an event ID is remembered: Slack's last retry
// comes about 5 minutes after the first delivery.
const rememberEvents = 10 * time.Minute

// seenEvents remembers the IDs of handled events.
type seenEvents struct {
	mu  sync.Mutex
	ids map[string]time.Time
}

func (s *seenEvents) seen(id string) bool {
	if id == "" {
		return false // an event without an ID cannot be told from another
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.ids[id]
	return ok && time.Since(at) < rememberEvents
}

func (s *seenEvents) remember(id string, now time.Time) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]time.Time{}
	}
	// Slack sends at most 30,000 events an hour, 5,000 in a window: past twice
	// that, forget what is old.
	if len(s.ids) >= 10_000 {
		for k, at := range s.ids {
			if now.Sub(at) >= rememberEvents {
				delete(s.ids, k)
			}
		}
	}
	s.ids[id] = now
}

// retryNum reads X-Slack-Retry-Num, for logs.
func retryNum(h string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(h))
	return n
}

// toldOf remembers whom the gateway has told an incident of, by channel: a
// person's later messages tell the incident nothing new. Forgetting (a
// restart, another gateway, the bound) only means handing one more over,
// which the incident takes as it took the first.
type toldOf struct {
	mu   sync.Mutex
	seen map[string]bool // channel and user
}

func (p *toldOf) has(channel, user string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[channel+" "+user]
}

func (p *toldOf) add(channel, user string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil || len(p.seen) >= 100_000 {
		p.seen = map[string]bool{}
	}
	p.seen[channel+" "+user] = true
}
