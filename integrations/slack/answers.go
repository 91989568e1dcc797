package slack

import (
	"fmt"

	"github.com/incident-buddy/ib"
)

// Answer is what the person who made a change is told: the change and what
// it did, in one line.
func Answer(c ib.Change, ch ib.Changed) string {
	id, s := ch.ID, ch.Summary
	if text := postmortemAnswer(id, c, s); text != "" {
		return text
	}
	switch c := c.(type) {
	case *ib.SendPage:
		return fmt.Sprintf("📟 Paging %s for *%s*; it escalates if nobody acknowledges.", Escape(c.Target), id)
	case *ib.AckPage:
		return fmt.Sprintf("✅ You acknowledged the page. Join %s.", ChannelLink(s.Channel))
	case *ib.Resolve:
		return fmt.Sprintf("✅ *%s* is resolved. Its postmortem stage begins on the commander's next working morning (`/ib postmortem` begins it now).", id)
	}
	return changeAnswer(ch)
}

// changeAnswer answers a change in one line: what it recorded, as the
// timeline says it, and where people see it.
func changeAnswer(ch ib.Changed) string {
	s := ch.Summary
	if ch.Event == nil {
		return fmt.Sprintf("✅ *%s* is now %s %s.", s.ID, s.Severity, s.Status)
	}
	where := "on its timeline"
	if s.Channel.ID != "" {
		where += " in " + ChannelLink(s.Channel)
	}
	switch ch.Event.Kind {
	case ib.EventStatusChanged, ib.EventSeverityChanged:
		where += "; its header and topic say " + string(s.Severity) + " " + TitleCase(string(s.Status))
	}
	return fmt.Sprintf("✅ *%s*: %s — %s.", s.ID, EventLine(*ch.Event), where)
}

// postmortemAnswer is the answer to a change of the postmortem stage (or a
// ticket's follow-up); "" for other changes.
func postmortemAnswer(id string, c ib.Change, s ib.Summary) string {
	pm := s.Postmortem
	switch c := c.(type) {
	case *ib.StartPostmortem:
		return fmt.Sprintf("📝 The postmortem stage of *%s* began: its owner is told, and a draft is uploaded to %s.", id, ChannelLink(s.Channel))
	case *ib.SetPostmortemOwner:
		return fmt.Sprintf("📝 %s now owns the postmortem of *%s* and is told so.", Mention(pm.Owner), id)
	case *ib.RequestDraft:
		return fmt.Sprintf("📝 A new draft of the postmortem of *%s* is being written from its record; it will be uploaded to %s.", id, ChannelLink(s.Channel))
	case *ib.FinishDraft:
		return fmt.Sprintf("📝 The postmortem of *%s* is written and goes to its review meeting, %s. After it: `/ib review done`.", id, Date(pm.ReviewAt))
	case *ib.WaivePostmortem:
		return fmt.Sprintf("The postmortem of *%s* is waived. `/ib close` closes the incident.", id)
	case *ib.RecordReview:
		return fmt.Sprintf("📅 The review of *%s* is recorded. Track what it decided with `/ib action add <text> @owner due:<yyyy-mm-dd>`; `/ib close` when they are done.", id)
	case *ib.AddAction:
		a := pm.Actions[len(pm.Actions)-1]
		return fmt.Sprintf("✅ Action %d of *%s* is %s's, due %s. They are reminded until `/ib action done %d`.", a.N, id, Mention(a.Owner), Date(a.Due), a.N)
	case *ib.FinishAction:
		return fmt.Sprintf("✅ Action %d of *%s* is done.", c.N, id)
	case *ib.Close:
		return fmt.Sprintf("🏁 *%s* is closed. Thank you all.", id)
	case *ib.WaiveTicket:
		return fmt.Sprintf("🎫 Ticket %d of *%s* needs no follow-up.", c.Ticket, id)
	}
	return ""
}
