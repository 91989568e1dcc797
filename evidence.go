package ib

import (
	"slices"
	"time"
)

// Collection is where a message marked with an emoji is kept.
type Collection string

const (
	// Papertrail (🧾 by default) keeps the record of what happened.
	Papertrail Collection = "papertrail"
	// PostmortemItems (📌 by default) keeps what the postmortem must discuss.
	PostmortemItems Collection = "postmortem"
)

// MaxEvidenceText bounds the text an incident keeps of a collected message. The
// message itself stays in Slack, behind its permalink; the incident keeps
// enough to read its record without Slack, and stays small however long its
// papertrail grows (failure mode F10).
const MaxEvidenceText = 500

// Evidence is a message kept in a collection.
type Evidence struct {
	Collection Collection `json:"collection"`
	TS         string     `json:"ts"` // the message's Slack timestamp: its ID in the channel
	Emoji      string     `json:"emoji"`
	// HeldBy are the people whose reaction keeps it in the collection.
	HeldBy  []string  `json:"held_by"`
	AddedAt time.Time `json:"added_at"`

	// Filled in once the message is fetched (Fetched).
	Fetched   bool       `json:"fetched"`
	Author    string     `json:"author,omitempty"`
	Text      string     `json:"text,omitempty"`
	Permalink string     `json:"permalink,omitempty"`
	Files     []string   `json:"files,omitempty"`
	Revisions []Revision `json:"revisions,omitempty"` // earlier texts, oldest first
	Deleted   bool       `json:"deleted,omitempty"`   // the message was deleted; kept for the record
}

// Revision is an earlier text of an edited message.
type Revision struct {
	Text     string    `json:"text"`
	Replaced time.Time `json:"replaced"`
}

// MessageContent is what Slack says a message is.
type MessageContent struct {
	TS        string   `json:"ts"`
	Found     bool     `json:"found"`
	Author    string   `json:"author,omitempty"`
	Text      string   `json:"text,omitempty"`
	Permalink string   `json:"permalink,omitempty"`
	Files     []string `json:"files,omitempty"`
}

// Collect applies a channel event to the collections. It reports whether a new
// item needs its message fetched (added) or an item left its collection
// (withdrawn), so the caller can fetch it, or take back the bot's own reaction.
func (inc *Incident) Collect(e ChannelEvent) (added, withdrawn *Evidence) {
	switch e.Kind {
	case ReactionAdded:
		if e.Collection == "" {
			return nil, nil
		}
		if i := inc.evidence(e.Collection, e.TS); i >= 0 {
			if !slices.Contains(inc.Evidence[i].HeldBy, e.User) {
				inc.Evidence[i].HeldBy = append(inc.Evidence[i].HeldBy, e.User)
			}
			return nil, nil
		}
		if len(inc.Evidence) >= MaxEvidence {
			return nil, nil // the collections are full; the message keeps its reaction in Slack
		}
		item := Evidence{Collection: e.Collection, TS: e.TS, Emoji: e.Reaction, HeldBy: []string{e.User}, AddedAt: e.At}
		inc.Evidence = append(inc.Evidence, item)
		return &item, nil
	case ReactionRemoved:
		i := inc.evidence(e.Collection, e.TS)
		if e.Collection == "" || i < 0 {
			return nil, nil
		}
		item := &inc.Evidence[i]
		item.HeldBy = slices.DeleteFunc(item.HeldBy, func(u string) bool { return u == e.User })
		if len(item.HeldBy) > 0 {
			return nil, nil
		}
		gone := *item
		inc.Evidence = slices.Delete(inc.Evidence, i, i+1)
		return nil, &gone
	case MessageChanged:
		for i := range inc.Evidence {
			if item := &inc.Evidence[i]; item.TS == e.TS && item.Text != clip(e.Text) {
				item.Revisions = append(item.Revisions, Revision{Text: item.Text, Replaced: e.At})
				item.Revisions = item.Revisions[max(0, len(item.Revisions)-MaxRevisions):]
				item.Text = clip(e.Text)
			}
		}
	case MessageDeleted:
		for i := range inc.Evidence {
			if inc.Evidence[i].TS == e.TS {
				inc.Evidence[i].Deleted = true
			}
		}
	}
	return nil, nil
}

// Fill records what a collected message is, once fetched. A message Slack no
// longer has is kept as deleted.
func (inc *Incident) Fill(m MessageContent) {
	for i := range inc.Evidence {
		item := &inc.Evidence[i]
		if item.TS != m.TS || item.Fetched {
			continue
		}
		item.Fetched = true
		if !m.Found {
			item.Deleted = true
			continue
		}
		item.Author, item.Text, item.Permalink, item.Files = m.Author, clip(m.Text), m.Permalink, m.Files
	}
}

// Collected lists a collection's items, in the order they were added.
func (inc *Incident) Collected(c Collection) []Evidence {
	var out []Evidence
	for _, e := range inc.Evidence {
		if e.Collection == c {
			out = append(out, e)
		}
	}
	return out
}

func (inc *Incident) evidence(c Collection, ts string) int {
	return slices.IndexFunc(inc.Evidence, func(e Evidence) bool { return e.Collection == c && e.TS == ts })
}

func clip(text string) string { return clipRunes(text, MaxEvidenceText) }
