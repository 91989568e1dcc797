package ib

import (
	"slices"
	"unicode/utf8"
)

// What an incident keeps is bounded, whatever people and customers type: its
// state travels whole in every answer to a query, in the postmortem draft's
// input and across continue-as-new, and Temporal refuses a payload over 2 MB
// (and warns from 256 KB), a search attribute value over 2 KB, and all of them
// over 40 KB. Each input is checked against its limit when its change is
// checked, with an error that says the limit; what accumulates (the timeline,
// collected messages) is compacted, the oldest detail first. Nothing is lost
// from the record: every timeline event is posted in the channel whole (unless
// more than 128 KB of posts wait at once, when the oldest waiting are
// shortened), and the channel's history is exported beside the postmortem
// draft.
const (
	MaxServices       = 20   // services an incident lists
	MaxServiceRunes   = 64   // one service's name
	MaxLinks          = 50   // links an incident keeps
	MaxURLBytes       = 1000 // one link's address
	MaxLabelRunes     = 100  // one link's label
	MaxNameRunes      = 80   // a person named by text (owner, commander)
	MaxLinkedTickets  = 100  // customer tickets linked to an incident
	MaxSuggested      = 200  // tickets offered, remembered so none is offered twice
	MaxSubjectRunes   = 200  // a ticket's subject, as the incident keeps it
	MaxParticipants   = 1000 // people who acted in the channel, by ID
	MaxEvidence       = 300  // collected messages
	MaxRevisions      = 5    // earlier texts kept of one collected message
	MaxTimeline       = 300  // timeline events kept; older ones are in the channel
	keepWhole         = 5    // the newest events and collected messages keep their whole text
	textBudget        = 96 << 10
	compactedEventLen = 280 // bytes of text an older event keeps at first
)

// Compact keeps the incident's state within its limits: at most MaxTimeline
// timeline events (the declaration and the newest), and, when its texts
// together pass their budget, older texts shortened step by step, the newest
// few whole.
func (inc *Incident) Compact() {
	if n := len(inc.Timeline); n > MaxTimeline {
		drop := n - MaxTimeline
		inc.Timeline = slices.Delete(inc.Timeline, 1, 1+drop)
		inc.Omitted += drop
	}
	for _, limit := range []int{compactedEventLen, 80, 0} {
		if inc.textSize() <= textBudget {
			return
		}
		inc.clipOlder(limit)
	}
}

// textSize is how many bytes of people's text the state holds.
func (inc *Incident) textSize() int {
	n := 0
	for _, e := range inc.Timeline {
		n += len(e.Text)
	}
	for _, e := range inc.Evidence {
		n += len(e.Text)
		for _, r := range e.Revisions {
			n += len(r.Text)
		}
	}
	return n
}

// clipOlder shortens every text but the newest few to at most limit bytes.
func (inc *Incident) clipOlder(limit int) {
	for i := range inc.Timeline[:max(0, len(inc.Timeline)-keepWhole)] {
		inc.Timeline[i].Text = ClipBytes(inc.Timeline[i].Text, limit)
	}
	for i := range inc.Evidence[:max(0, len(inc.Evidence)-keepWhole)] {
		e := &inc.Evidence[i]
		e.Text = ClipBytes(e.Text, limit)
		e.Revisions = e.Revisions[max(0, len(e.Revisions)-1):]
		for j := range e.Revisions {
			e.Revisions[j].Text = ClipBytes(e.Revisions[j].Text, limit)
		}
	}
}

// ClipBytes shortens text to at most limit bytes, on a rune's boundary,
// marking the cut.
func ClipBytes(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	cut := max(0, limit-len("…"))
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}
