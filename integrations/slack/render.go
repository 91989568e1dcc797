package slack

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	goslack "github.com/slack-go/slack"

	"github.com/incident-buddy/ib"
)

// Slack's limits on what these functions produce.
const (
	maxTopic      = 250
	maxHeaderText = 150
	maxFieldText  = 2000
	// maxEventLine keeps a post of up to maxEventsPerPost timeline lines under
	// a section's 3,000 characters.
	maxEventLine = 280
)

var SeverityEmoji = map[ib.Severity]string{ib.S1: "🔴", ib.S2: "🟠", ib.S3: "🟡", ib.S4: "🔵"}

// Topic is the channel topic: severity, status, commander and ID at a glance.
func Topic(s ib.Summary) string {
	return truncate(fmt.Sprintf("%s %s · %s · Commander: %s · %s",
		SeverityEmoji[s.Severity], s.Severity, TitleCase(string(s.Status)), Mention(s.Commander), s.ID), maxTopic)
}

// Render turns a message into its notification text and Block Kit blocks.
// link, when not empty, is the incident's page in the Temporal Web UI.
func Render(m ib.Message, link string) (string, []goslack.Block) {
	s := m.Incident
	switch m.Kind {
	case ib.MsgHeader:
		return fmt.Sprintf("%s %s: %s", s.Severity, s.ID, Escape(s.Title)), headerBlocks(s, link)
	case ib.MsgAnnouncement:
		return announcement(s)
	case ib.MsgRaised:
		text := fmt.Sprintf("%s Now %s: %s", SeverityEmoji[s.Severity], s.Severity, Escape(s.Title))
		body := fmt.Sprintf("%s *Raised to %s*: %s in %s\nCommander: %s", SeverityEmoji[s.Severity], s.Severity, Escape(s.Title), ChannelLink(s.Channel), Mention(s.Commander))
		return text, []goslack.Block{section(body), joinButton(s), contextLine(s.ID + " · " + s.Severity.Meaning())}
	case ib.MsgResolved:
		text := fmt.Sprintf("✅ Resolved: %s", Escape(s.Title))
		body := fmt.Sprintf("✅ *Resolved* after %s: %s in %s", humanDuration(s.ResolvedAt.Sub(s.DeclaredAt)), Escape(s.Title), ChannelLink(s.Channel))
		if s.Resolution != "" {
			body += "\n" + Escape(s.Resolution)
		}
		return text, []goslack.Block{section(body), contextLine(s.ID)}
	case ib.MsgReopened:
		text := fmt.Sprintf("🔁 Reopened: %s", Escape(s.Title))
		body := fmt.Sprintf("🔁 *Reopened*: %s %s in %s", s.Severity, Escape(s.Title), ChannelLink(s.Channel))
		if m.Text != "" {
			body += "\n" + Escape(m.Text)
		}
		return text, []goslack.Block{section(body), contextLine(s.ID)}
	case ib.MsgPage:
		return page(s, m.Page)
	case ib.MsgSuggestion:
		return suggestion(s, m.Tickets)
	case ib.MsgUninvited:
		return uninvited(s, m.Uninvited)
	case ib.MsgNotice:
		return notice(m)
	case ib.MsgAlert, ib.MsgFlapping, ib.MsgDeclare, ib.MsgUnknownAlert:
		return renderWatch(m)
	case ib.MsgEvent:
		lines := make([]string, len(m.Events))
		for i, e := range m.Events {
			lines[i] = truncate(EventLine(e), maxEventLine)
		}
		text := strings.Join(lines, "\n")
		return text, []goslack.Block{section(text)}
	}
	return string(m.Kind), nil
}

// announcement is the #incidents message of a declaration.
func announcement(s ib.Summary) (string, []goslack.Block) {
	text := fmt.Sprintf("%s %s incident declared: %s", SeverityEmoji[s.Severity], s.Severity, Escape(s.Title))
	body := fmt.Sprintf("%s *%s incident declared* in %s\n*%s*\nCommander: %s",
		SeverityEmoji[s.Severity], s.Severity, ChannelLink(s.Channel), Escape(s.Title), Mention(s.Commander))
	if s.Impact != "" {
		body += "\nImpact: " + Escape(s.Impact)
	}
	return text, []goslack.Block{section(body), joinButton(s), contextLine(s.ID + " · declared by " + Mention(s.Declarer))}
}

// joinButton takes whoever presses it into the incident's channel: Slack
// opens the channel, and anyone may join a public one.
func joinButton(s ib.Summary) goslack.Block {
	join := goslack.NewButtonBlockElement(ActionJoin, s.ID, plain("Join "+truncate("#"+s.Channel.Name, 60)))
	join.URL = "https://slack.com/app_redirect?channel=" + url.QueryEscape(s.Channel.ID)
	join.Style = goslack.StylePrimary
	return goslack.NewActionBlock("ib_join", join)
}

// page is a page's direct message, with its Acknowledge button.
func page(s ib.Summary, p *ib.Page) (string, []goslack.Block) {
	text := fmt.Sprintf("🚨 You are paged for %s %s: %s", s.Severity, s.ID, Escape(s.Title))
	body := fmt.Sprintf("🚨 *You are paged* for %s %s *%s*\nPaged by %s. Join %s.", SeverityEmoji[s.Severity], s.ID, Escape(s.Title), Mention(p.By), ChannelLink(s.Channel))
	if p.Message != "" {
		body += "\n> " + Escape(p.Message)
	}
	ack := goslack.NewButtonBlockElement(ActionAckPage, actionValue(s.ID, p.ID), plain("Acknowledge"))
	ack.Style = goslack.StylePrimary
	return text, []goslack.Block{section(body), goslack.NewActionBlock("ib_page", ack), contextLine(fmt.Sprintf("Page %s · unacknowledged pages go to the next person", p.ID))}
}

// suggestion offers customer tickets, each with a button to link it.
func suggestion(s ib.Summary, tickets []ib.TicketEvent) (string, []goslack.Block) {
	text := fmt.Sprintf("🎫 Customer tickets that may be about %s:", s.ID)
	blocks := []goslack.Block{section(text)}
	for _, t := range tickets {
		line := fmt.Sprintf("*%d* %s", t.ID, Escape(t.Subject))
		if t.URL != "" {
			line = fmt.Sprintf("<%s|*%d*> %s", safeURL(t.URL), t.ID, Escape(t.Subject))
		}
		link := goslack.NewButtonBlockElement(ActionLinkTicket, actionValue(s.ID, strconv.FormatInt(t.ID, 10)), plain("Link"))
		blocks = append(blocks, goslack.NewSectionBlock(mrkdwn(truncate(line, maxFieldText)), nil, goslack.NewAccessory(link)))
	}
	return text, append(blocks, contextLine("Linking makes the ticket an incident of the problem ticket, with a note for its agent."))
}

// notice is a reminder or a word to people, naming those it concerns.
// uninvited names, one per line, the people Slack would not let into the
// channel, so that someone can bring them in another way or fix their ID.
func uninvited(s ib.Summary, people []ib.Uninvited) (string, []goslack.Block) {
	lines := make([]string, len(people))
	for i, u := range people {
		lines[i] = "• " + Mention(ib.Person{SlackID: u.SlackID}) + " " + Escape(u.Reason)
	}
	text := fmt.Sprintf("⚠️ %s could not be invited to this channel; everyone else was.", ib.Count(len(people), "person", "people"))
	body := "⚠️ *Not invited*: Slack refused these people, and invited everyone else.\n" + strings.Join(lines, "\n") +
		"\nPage them another way if they are needed, and correct their Slack ID in the service catalog (`starter catalog check` lists the IDs Slack does not know)."
	return text, []goslack.Block{section(body), contextLine(s.ID + " · " + Escape(s.Title))}
}

func notice(m ib.Message) (string, []goslack.Block) {
	body := Escape(m.Text)
	if len(m.People) > 0 {
		who := make([]string, len(m.People))
		for i, p := range m.People {
			who[i] = Mention(p)
		}
		body += "\n" + strings.Join(who, " ")
	}
	return Escape(m.Text), []goslack.Block{section(body), contextLine(m.Incident.ID + " · " + Escape(m.Incident.Title))}
}

func headerBlocks(s ib.Summary, link string) []goslack.Block {
	fields := []*goslack.TextBlockObject{
		mrkdwn(fmt.Sprintf("*Severity*\n%s %s — %s", SeverityEmoji[s.Severity], s.Severity, s.Severity.Meaning())),
		mrkdwn(fmt.Sprintf("*Status*\n%s", TitleCase(string(s.Status)))),
		mrkdwn(fmt.Sprintf("*Commander*\n%s", Mention(s.Commander))),
		mrkdwn(fmt.Sprintf("*Customers' workloads affected*\n%s", answerText(s.CustomersAffected, s.CustomersAnsweredAt))),
		mrkdwn(timesText(s)),
	}
	if len(s.Services) > 0 {
		fields = append(fields, mrkdwn("*Services*\n"+Escape(strings.Join(s.Services, ", "))))
	}
	if len(s.Responders) > 0 {
		var who []string
		for _, r := range s.Responders {
			who = append(who, Mention(r.Person)+" ("+Escape(r.Rotation)+")")
		}
		fields = append(fields, mrkdwn("*On call*\n"+strings.Join(who, ", ")))
	}
	if impact := impactText(s.CustomerImpact); impact != "" {
		fields = append(fields, mrkdwn("*Customer impact*\n"+impact))
	}
	if t := ticketsText(s.Tickets); t != "" {
		fields = append(fields, mrkdwn("*Customer tickets*\n"+t))
	}
	if pm := postmortemText(s); pm != "" {
		fields = append(fields, mrkdwn("*Postmortem*\n"+pm))
	}
	blocks := []goslack.Block{
		goslack.NewHeaderBlock(goslack.NewTextBlockObject(goslack.PlainTextType, truncate(s.Title, maxHeaderText), true, false)),
		goslack.NewSectionBlock(nil, fields, nil),
	}
	for _, part := range []struct{ label, text string }{{"Impact", s.Impact}, {"Description", s.Description}, {"Resolution", s.Resolution}} {
		if part.text != "" {
			blocks = append(blocks, section(truncate("*"+part.label+"*\n"+Escape(part.text), maxFieldText)))
		}
	}
	if len(s.Links) > 0 {
		var links []string
		for _, l := range s.Links {
			label := l.Label
			if label == "" {
				label = l.URL
			}
			links = append(links, "<"+safeURL(l.URL)+"|"+Escape(label)+">")
		}
		blocks = append(blocks, section(truncate("*Links*\n"+strings.Join(links, " · "), maxFieldText)))
	}
	if s.Status != ib.Resolved {
		blocks = append(blocks, headerActions(s))
	}
	footer := s.ID + " · " + s.Stage.Title()
	if s.RecurrenceOf != "" {
		footer += " · a recurrence of " + s.RecurrenceOf
	}
	if len(s.Recurrences) > 0 {
		footer += " · recurred as " + strings.Join(s.Recurrences, ", ")
	}
	if link != "" {
		footer += " · <" + safeURL(link) + "|history in the Temporal Web UI>"
	}
	return append(blocks, contextLine(footer+" · managed by Incident Buddy: `/ib help`"))
}

// EventLine is a timeline event as one line of a post; a correction made
// after the resolution says so.
func EventLine(e ib.TimelineEvent) string {
	if e.Correction {
		return "✏️ Correction: " + eventLine(e)
	}
	return eventLine(e)
}

func eventLine(e ib.TimelineEvent) string {
	by, text := Mention(e.By), eventText(e)
	switch e.Kind {
	case ib.EventDetected:
		if e.By == ib.Bot {
			return fmt.Sprintf("👀 First detected %s (its first alert)", Date(e.At))
		}
		return fmt.Sprintf("👀 First detected %s (recorded by %s)", Date(e.At), by)
	case ib.EventAlert:
		return text
	case ib.EventMitigated:
		return fmt.Sprintf("🩹 Mitigated %s (recorded by %s)", Date(e.At), by)
	case ib.EventImpact:
		return fmt.Sprintf("📉 %s (by %s)", TitleCase(text), by)
	case ib.EventLink:
		url, label, _ := strings.Cut(e.Text, " ")
		if label == "" {
			label = url
		}
		return fmt.Sprintf("🔗 <%s|%s> (by %s)", safeURL(url), Escape(label), by)
	case ib.EventStatusPage:
		return fmt.Sprintf("📣 Status page: %s (by %s)", text, by)
	case ib.EventCommander:
		return fmt.Sprintf("🧑‍✈️ Commander %s (handed over by %s)", text, by)
	case ib.EventStage, ib.EventAction:
		if e.By == ib.Bot {
			return "📝 " + TitleCase(text)
		}
		return fmt.Sprintf("📝 %s (by %s)", TitleCase(text), by)
	case ib.EventReminder:
		return "⏰ " + text
	case ib.EventCustomers:
		return fmt.Sprintf("❓ %s (by %s)", TitleCase(text), by)
	case ib.EventDeclared:
		return fmt.Sprintf("🚨 Declared %s (by %s)", text, by)
	case ib.EventStatusChanged:
		return fmt.Sprintf("🔄 Status %s (by %s)", text, by)
	case ib.EventSeverityChanged:
		return fmt.Sprintf("🚨 Severity %s (by %s)", text, by)
	case ib.EventReopened:
		line := "🔁 Reopened by " + by
		if e.Text != "" {
			line += ": " + text
		}
		return line
	case ib.EventRecurrence:
		return "🔁 " + text
	case ib.EventResolved:
		line := "✅ Resolved by " + by
		if e.Text != "" {
			line += ": " + text
		}
		return line
	default:
		if e.By == ib.Bot {
			return "🤖 " + text
		}
		return fmt.Sprintf("📝 %s: %s", by, text)
	}
}

// eventText is an event's text as Slack shows it: escaped, the person it is
// about mentioned, and the times it names in each reader's zone.
func eventText(e ib.TimelineEvent) string {
	text := Escape(e.Text)
	if e.Whom.SlackID != "" && e.Whom.Label() != "" {
		text = strings.ReplaceAll(text, Escape(e.Whom.Label()), Mention(e.Whom))
	}
	for _, t := range e.Times {
		if !t.IsZero() {
			text = strings.ReplaceAll(text, ib.Stamp(t), Date(t))
		}
	}
	return text
}

// timesText is the incident's key times in one header field (Slack allows ten).
func timesText(s ib.Summary) string {
	lines := []string{"*Times*"}
	for _, f := range []struct {
		label string
		at    time.Time
	}{{"Detected", s.DetectedAt}, {"Declared", s.DeclaredAt}, {"Mitigated", s.MitigatedAt}, {"Resolved", s.ResolvedAt}} {
		if !f.at.IsZero() {
			lines = append(lines, f.label+" "+Date(f.at))
		}
	}
	return strings.Join(lines, "\n") + "\nDeclared by " + Mention(s.Declarer)
}

func answerText(a ib.Answer, answeredAt time.Time) string {
	switch a {
	case ib.Yes, ib.No:
		text := TitleCase(string(a))
		if !answeredAt.IsZero() {
			text += " (known since " + Date(answeredAt) + ")"
		}
		return text
	default:
		return "Not known yet"
	}
}

// impactText is when and how much customers suffered, or "".
func impactText(i ib.Impact) string {
	var parts []string
	switch {
	case !i.Start.IsZero() && !i.End.IsZero():
		parts = append(parts, fmt.Sprintf("%s – %s (%s)", Date(i.Start), Date(i.End), humanDuration(i.End.Sub(i.Start))))
	case !i.Start.IsZero():
		parts = append(parts, "since "+Date(i.Start))
	}
	if i.Count > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", i.Count, Escape(i.Unit)))
	}
	return strings.Join(parts, "\n")
}

func section(text string) goslack.Block { return goslack.NewSectionBlock(mrkdwn(text), nil, nil) }

func contextLine(text string) goslack.Block { return goslack.NewContextBlock("", mrkdwn(text)) }

func mrkdwn(text string) *goslack.TextBlockObject {
	return goslack.NewTextBlockObject(goslack.MarkdownType, text, false, false)
}

// Mention names a person so that Slack tells them: a real mention only for a
// Slack user's ID, anything else as plain text.
func Mention(p ib.Person) string {
	if ib.IsSlackUserID(p.SlackID) {
		return "<@" + p.SlackID + ">"
	}
	return Escape(p.Label())
}

// ChannelLink links a channel by its ID, or names it.
func ChannelLink(c ib.Channel) string {
	if channelIDPattern.MatchString(c.ID) {
		return "<#" + c.ID + ">"
	}
	return "#" + Escape(c.Name)
}

var channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// safeURL keeps an address from ending its link early: inside <url|label>,
// a <, > or | would close the link and start a mention or another link.
func safeURL(u string) string {
	return strings.NewReplacer("<", "%3C", ">", "%3E", "|", "%7C", " ", "%20", "\n", "", "\r", "").Replace(u)
}

// Date shows a time in each reader's own time zone.
func Date(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// Escape keeps user text from forming Slack mentions or links.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

func TitleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// postmortemText tells where a resolved incident's postmortem stands.
func postmortemText(s ib.Summary) string {
	pm := s.Postmortem
	var parts []string
	switch {
	case s.Status != ib.Resolved || pm.StartAt.IsZero():
		return ""
	case pm.Waived != "":
		parts = append(parts, "waived: "+Escape(pm.Waived))
	case s.Stage == ib.StageActive:
		parts = append(parts, "begins "+Date(pm.StartAt))
	}
	if pm.Owner != (ib.Person{}) && pm.Waived == "" {
		parts = append(parts, "owner "+Mention(pm.Owner))
	}
	switch {
	case !pm.ReviewedAt.IsZero():
		parts = append(parts, "reviewed")
	case !pm.DraftedAt.IsZero():
		parts = append(parts, "written; review "+Date(pm.ReviewAt))
	case !pm.DueAt.IsZero():
		parts = append(parts, "draft due "+Date(pm.DueAt)+", review "+Date(pm.ReviewAt))
	}
	open := 0
	for _, a := range pm.Actions {
		if a.Open() {
			open++
		}
	}
	if len(pm.Actions) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d action items open", open, len(pm.Actions)))
	}
	return strings.Join(parts, " · ")
}

// ticketsText is the incident's Zendesk side: its problem ticket, and how
// many customer tickets are linked and still open.
func ticketsText(t ib.Tickets) string {
	if t.ProblemID == 0 && len(t.Linked) == 0 {
		return ""
	}
	text := fmt.Sprintf("problem <%s|%d>", safeURL(t.ProblemURL), t.ProblemID)
	if len(t.Linked) > 0 {
		open := 0
		for _, l := range t.Linked {
			if !l.Solved() {
				open++
			}
		}
		text += fmt.Sprintf(" · %d linked, %d unsolved", len(t.Linked), open)
	}
	return text
}
