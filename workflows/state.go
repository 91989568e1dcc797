package workflows

import (
	"slices"
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// Carried is everything an incident's run hands to the next one: its whole
// record, what it still owes the outside world, and the channel events it
// has just taken. It is the workflow's state, so that nothing can be left out
// of the hand-over.
type Carried struct {
	ib.Incident
	// Owed is what the incident still owes, in the order it was owed; each
	// has its number (N), unique in the incident's life.
	Owed []Owed `json:"owed,omitempty"`
	// Owing is the number the next owed work gets.
	Owing int         `json:"owing,omitempty"`
	Seen  []SeenEvent `json:"seen,omitempty"` // latest channel events, to drop redeliveries
	// What a run of the first loop still had to do; a run of the owed
	// ledger takes it over once (migrate).
	FirstLoopState
}

// Owed is work the incident owes, with its number; Tried says that an
// earlier run may have done it, so its activity looks for what that run did
// first.
type Owed struct {
	ib.Owed
	N     int  `json:"n"`
	Tried bool `json:"tried,omitempty"`
}

// FirstLoopState is the state of incidents of the first loop, before the owed
// ledger (versions.go): their queues and flags of work still to do.
type FirstLoopState struct {
	Outbox []ib.Message `json:"outbox,omitempty"` // timeline posts not yet made
	Stale  bool         `json:"stale,omitempty"`  // topic and header to refresh
	// Collected messages still to fetch, and the bot's reactions still to set.
	ToFetch   []string                    `json:"to_fetch,omitempty"`
	Reactions []activities.ReactionChange `json:"reactions,omitempty"`
	// Status page updates still to post, and when the channel was last reminded.
	ToPublish  []activities.StatusPageInput `json:"to_publish,omitempty"`
	RemindedAt time.Time                    `json:"reminded_at,omitzero"`
	// After resolution: the resolution announced, a draft to write, the
	// postmortem's owner to tell.
	ResolutionAnnounced bool `json:"resolution_announced,omitempty"`
	DraftWanted         bool `json:"draft_wanted,omitempty"`
	TellOwner           bool `json:"tell_owner,omitempty"`
}

// SeenEvent is a channel event the incident has taken, remembered for as long
// as Slack may deliver it again.
type SeenEvent struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// owedBudget is how many bytes of people's text the messages still to post
// may hold: the ledger travels in the state, across continue-as-new too,
// under Temporal's limits however fast people write. Past it, the oldest
// owed posts keep the start of each text; the timeline and the incident's
// record are not touched.
const owedBudget = 128 << 10

// boundOwed keeps the owed messages' text within owedBudget.
func boundOwed(owed []Owed) {
	size := 0
	for _, o := range owed {
		size += owedText(o)
	}
	for i := 0; size > owedBudget && i < len(owed); i++ {
		m := owed[i].Message
		if m == nil {
			continue
		}
		size -= owedText(owed[i])
		clipped := *m
		clipped.Text = ib.ClipBytes(m.Text, 280)
		clipped.Events = slices.Clone(m.Events)
		for j := range clipped.Events {
			clipped.Events[j].Text = ib.ClipBytes(clipped.Events[j].Text, 280)
		}
		owed[i].Message = &clipped
		size += owedText(owed[i])
	}
}

// owedText is how many bytes of text owed work carries.
func owedText(o Owed) int {
	if o.Message == nil {
		return len(o.Text)
	}
	n := len(o.Message.Text) + len(o.Text)
	for _, e := range o.Message.Events {
		n += len(e.Text)
	}
	return n
}

// slackIDs are the Slack users to invite on declaration: commander, declarer
// and whoever is on call for the incident, each once.
func slackIDs(commander, declarer ib.Person, responders []ib.Responder) []string {
	persons := []ib.Person{commander, declarer}
	for _, r := range responders {
		persons = append(persons, r.Person)
	}
	var ids []string
	for _, p := range persons {
		if p.SlackID != "" && !slices.Contains(ids, p.SlackID) {
			ids = append(ids, p.SlackID)
		}
	}
	return ids
}

// remember adds an event to those seen, forgetting those seen longer ago
// than keepFor, and the oldest past keep of them.
func remember(seen []SeenEvent, id string, now time.Time, keepFor time.Duration, keep int) []SeenEvent {
	forget := 0
	for forget < len(seen) && (now.Sub(seen[forget].At) > keepFor || len(seen)-forget >= keep) {
		forget++
	}
	return append(seen[forget:], SeenEvent{ID: id, At: now})
}

// declarationOf restates the declaration for a continued run, which checks it
// as a new one does.
func declarationOf(s ib.Summary) ib.Declaration {
	return ib.Declaration{Title: s.Title, Severity: s.Severity, Impact: s.Impact, Description: s.Description,
		Services: s.Services, CustomersAffected: s.CustomersAffected, Commander: s.Commander, Declarer: s.Declarer}
}

// migrate takes over what a run of the first loop still had to do, as owed
// work of the ledger (versions.go): its queued posts and refresh, fetches and
// reactions, status page updates, the resolution's work when it was not
// announced yet, the draft and the word to the owner, and its pages' next
// steps.
func (w *incident) migrate() {
	fl := w.FirstLoopState
	w.FirstLoopState = FirstLoopState{}
	for _, m := range fl.Outbox {
		w.owe(ib.Owed{Kind: ib.OwePost, Message: &m})
	}
	if fl.Stale {
		w.owe(ib.Owed{Kind: ib.OweRefresh})
	}
	for _, ts := range fl.ToFetch {
		w.owe(ib.Owed{Kind: ib.OweFetch, Ref: ts})
	}
	for _, r := range fl.Reactions {
		w.owe(ib.Owed{Kind: ib.OweReaction, Ref: r.TS, Emoji: r.Emoji, Undo: !r.Add})
	}
	for _, u := range fl.ToPublish {
		w.owe(ib.Owed{Kind: ib.OweStatusPage, Status: u.Status, Text: u.Body})
	}
	if fl.RemindedAt.After(w.StatusPage.RemindedAt) {
		w.StatusPage.RemindedAt = fl.RemindedAt
	}
	w.migrateAftercare(fl)
	for _, p := range w.Pages {
		switch {
		case !p.Open():
		case p.Chain == nil:
			w.owe(ib.Owed{Kind: ib.OwePageChain, Ref: p.ID})
		case p.Sent <= p.Level:
			w.owe(ib.Owed{Kind: ib.OwePageSend, Ref: p.ID})
		}
	}
}

// migrateAftercare takes over the first loop's work after resolution.
func (w *incident) migrateAftercare(fl FirstLoopState) {
	if w.Status != ib.Resolved {
		return
	}
	if !fl.ResolutionAnnounced {
		w.owe(w.ResolutionOwed()...)
	} else if w.Postmortem.StartAt.IsZero() {
		w.owe(ib.Owed{Kind: ib.OwePlan})
	}
	if w.NeedsOwner() {
		w.owe(ib.Owed{Kind: ib.OweOwner})
	}
	if fl.DraftWanted {
		w.owe(ib.Owed{Kind: ib.OweDraft})
	}
	if fl.TellOwner {
		w.owe(ib.Owed{Kind: ib.OweOwnerNotice})
	}
}
