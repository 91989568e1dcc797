package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	goslack "github.com/slack-go/slack"

	"github.com/incident-buddy/ib"
)

// Actions of a Declare? suggestion.
const (
	// ActionDeclareSuggested opens the declare form filled from the
	// suggestion (its value is a Suggested).
	ActionDeclareSuggested = "ib_declare_suggested"
	// ActionDismissSuggested dismisses it with the reason picked (its block
	// ID names the service).
	ActionDismissSuggested = "ib_dismiss_suggested"
	dismissBlock           = "ib_dismiss:"
)

// DismissReasons are the reasons a suggestion can be dismissed with; they
// are kept to tune the alerts.
var DismissReasons = []string{
	"Known and being handled",
	"Not customer impacting",
	"Noisy alert: it should be tuned",
	"Not our service",
}

// Suggested is what a Declare? button carries into the form: what the
// suggestion proposes, and what the declaration then records.
type Suggested struct {
	Service  string      `json:"service"`
	Title    string      `json:"title"`
	Severity ib.Severity `json:"severity"`
	Detected time.Time   `json:"detected"`
	Ticket   int64       `json:"ticket,omitempty"`
	Channel  string      `json:"channel,omitempty"` // where the form was opened, for the answer
}

// ParseSuggested reads a form's private metadata written by
// SuggestedDeclareModal; ok is false for any other form's.
func ParseSuggested(metadata string) (Suggested, bool) {
	var s Suggested
	if !strings.HasPrefix(metadata, "{") || json.Unmarshal([]byte(metadata), &s) != nil || s.Service == "" {
		return Suggested{}, false
	}
	return s, true
}

// SuggestedDeclareModal is the declare form filled from a suggestion: its
// title, severity and service, the detection time and the ticket kept for the
// declaration.
func SuggestedDeclareModal(defaultSeverity ib.Severity, customerQuestion string, services []string, s Suggested) goslack.ModalViewRequest {
	meta, _ := json.Marshal(s)
	m := DeclareModal(defaultSeverity, customerQuestion, string(meta), services)
	for _, b := range m.Blocks.BlockSet {
		in, ok := b.(*goslack.InputBlock)
		if !ok {
			continue
		}
		switch e := in.Element.(type) {
		case *goslack.PlainTextInputBlockElement:
			switch in.BlockID {
			case FieldTitle:
				e.InitialValue = s.Title
			case fieldServices:
				e.InitialValue = s.Service
			}
		case *goslack.SelectBlockElement:
			if in.BlockID == fieldSeverity && s.Severity.Valid() {
				for _, o := range e.Options {
					if o.Value == string(s.Severity) {
						e.InitialOption = o
					}
				}
			}
		case *goslack.MultiSelectBlockElement:
			if in.BlockID == fieldServices {
				e.InitialOptions = ServiceOptions([]string{s.Service})
			}
		}
	}
	from := fmt.Sprintf("From the suggestion: detected %s, at the first alert of %s; its recent alerts go on the timeline.", Date(s.Detected), Escape(s.Service))
	if s.Ticket > 0 {
		from += fmt.Sprintf(" Ticket %d is linked.", s.Ticket)
	}
	m.Blocks.BlockSet = append([]goslack.Block{contextLine(from)}, m.Blocks.BlockSet...)
	return m
}

// renderWatch renders the messages of a service's alert watch.
func renderWatch(m ib.Message) (string, []goslack.Block) {
	n := m.Watch
	if n == nil {
		return string(m.Kind), nil
	}
	service := "*" + Escape(n.Service) + "*"
	switch m.Kind {
	case ib.MsgAlert:
		if len(n.Alerts) == 1 {
			a := n.Alerts[0]
			text := fmt.Sprintf("🔔 %s alert for %s: %s", alertStatus(a), Escape(n.Service), Escape(a.Name))
			body := fmt.Sprintf("🔔 *%s* %s for %s\n%s", Escape(a.Name), alertStatus(a), service, alertLine(a))
			return text, append([]goslack.Block{section(body)}, linksAndWhy(m.Links, toldWhy)...)
		}
		names := make([]string, len(n.Alerts))
		lines := []string{fmt.Sprintf("🔔 *%s* for %s", ib.Count(len(n.Alerts), "alert", "alerts"), service)}
		for i, a := range n.Alerts {
			names[i] = Escape(a.Name)
			lines = append(lines, "• "+alertLine(a))
		}
		text := fmt.Sprintf("🔔 %s for %s: %s", ib.Count(len(n.Alerts), "alert", "alerts"), Escape(n.Service), strings.Join(names, ", "))
		return truncate(text, maxFieldText), append([]goslack.Block{section(truncate(strings.Join(lines, "\n"), maxFieldText))}, linksAndWhy(m.Links, toldWhy)...)
	case ib.MsgFlapping:
		first := n.Alerts[0]
		text := fmt.Sprintf("⚠️ Auto-resolve is hiding a problem: %s fired and resolved on its own %d times (%s)", Escape(first.Name), len(n.Alerts), Escape(n.Service))
		lines := []string{fmt.Sprintf("⚠️ *Auto-resolve is hiding a problem* in %s: *%s* fired and resolved on its own %s.",
			service, Escape(first.Name), ib.Count(len(n.Alerts), "time", "times"))}
		for _, a := range n.Alerts {
			lines = append(lines, "• "+alertLine(a))
		}
		return text, append([]goslack.Block{section(truncate(strings.Join(lines, "\n"), maxFieldText))},
			linksAndWhy(m.Links, "An alert that keeps resolving itself is a problem that keeps coming back. If customers write about it, consider declaring an incident.")...)
	case ib.MsgDeclare:
		return declareSuggestion(n)
	case ib.MsgUnknownAlert:
		a := n.Alerts[0]
		text := fmt.Sprintf("❔ Alert %s matches no service in the catalog", Escape(a.Name))
		body := fmt.Sprintf("❔ *%s* matches no service in the catalog, so nobody owns it.\nLabels: %s\n%s\nAdd a `service` label to the alert rule, or `alerts: match:` to the service in the catalog.",
			Escape(a.Name), Escape(a.Labels), alertLine(a))
		return text, []goslack.Block{section(truncate(body, maxFieldText))}
	}
	return string(m.Kind), nil
}

// toldWhy is why an owner gets an alert from Incident Buddy.
const toldWhy = "You are told as the service's owner on call: no incident is open, nobody was paged."

// declareSuggestion is the Declare? message, or what became of it.
func declareSuggestion(n *ib.WatchNotice) (string, []goslack.Block) {
	s := n.Suggestion
	text := fmt.Sprintf("🚨 Declare an incident? %s: %s", Escape(n.Service), s.Why)
	lines := []string{fmt.Sprintf("🚨 *Declare an incident?* %s for *%s*: %s.", SeverityEmoji[s.Severity]+" "+string(s.Severity), Escape(n.Service), s.Why)}
	for _, a := range s.Alerts {
		lines = append(lines, "• "+alertLine(a))
	}
	if t := s.Ticket; t != nil {
		line := fmt.Sprintf("• 🎫 Ticket *%d* %s", t.ID, Escape(t.Subject))
		if t.URL != "" {
			line = fmt.Sprintf("• 🎫 Ticket <%s|*%d*> %s", safeURL(t.URL), t.ID, Escape(t.Subject))
		}
		lines = append(lines, line)
	}
	blocks := []goslack.Block{section(truncate(strings.Join(lines, "\n"), maxFieldText))}
	switch s.State {
	case ib.SuggestionOpen:
		value := Suggested{Service: n.Service, Title: s.Title, Severity: s.Severity, Detected: s.DetectedAt}
		if s.Ticket != nil {
			value.Ticket = s.Ticket.ID
		}
		v, _ := json.Marshal(value)
		declare := goslack.NewButtonBlockElement(ActionDeclareSuggested, string(v), plain("Declare…"))
		declare.Style = goslack.StylePrimary
		var reasons []*goslack.OptionBlockObject
		for _, r := range DismissReasons {
			reasons = append(reasons, goslack.NewOptionBlockObject(r, plain(r), nil))
		}
		dismiss := goslack.NewOptionsSelectBlockElement(goslack.OptTypeStatic, plain("Dismiss because…"), ActionDismissSuggested, reasons...)
		blocks = append(blocks, goslack.NewActionBlock(dismissBlock+n.Service, declare, dismiss),
			contextLine(fmt.Sprintf("Detected %s · declaring fills the form with this, links the ticket and puts the alerts on the incident's timeline", Date(s.DetectedAt))))
	case ib.SuggestionDismissed:
		blocks = append(blocks, contextLine(fmt.Sprintf("Dismissed by %s: %s", Mention(s.By), Escape(s.Reason))))
	case ib.SuggestionWithdrawn:
		blocks = append(blocks, contextLine(fmt.Sprintf("Withdrawn: %s was declared for %s", s.Incident, Escape(n.Service))))
	}
	return text, blocks
}

// DismissedService is the service of a dismiss menu's block.
func DismissedService(blockID string) (string, bool) { return strings.CutPrefix(blockID, dismissBlock) }

func alertStatus(a ib.AlertEpisode) string {
	if a.Status == ib.AlertResolved {
		return "resolved"
	}
	return "firing"
}

// alertLine is one alert: what, since when, and whether it resolved.
func alertLine(a ib.AlertEpisode) string {
	what := Escape(a.Name)
	if a.URL != "" {
		what = fmt.Sprintf("<%s|%s>", safeURL(a.URL), what)
	}
	if a.Summary != "" {
		what += ": " + Escape(a.Summary)
	}
	if a.Status == ib.AlertResolved {
		return fmt.Sprintf("%s — fired %s, resolved on its own after %s", what, Date(a.StartsAt), humanDuration(a.EndsAt.Sub(a.StartsAt)))
	}
	return fmt.Sprintf("%s — firing since %s", what, Date(a.StartsAt))
}

// linksAndWhy are a service's runbooks and dashboards, and why this message
// came.
func linksAndWhy(links []ib.Link, why string) []goslack.Block {
	var parts []string
	for _, l := range links {
		parts = append(parts, fmt.Sprintf("<%s|%s>", safeURL(l.URL), Escape(l.Label)))
	}
	var blocks []goslack.Block
	if len(parts) > 0 {
		blocks = append(blocks, section(strings.Join(parts, " · ")))
	}
	return append(blocks, contextLine(why))
}
