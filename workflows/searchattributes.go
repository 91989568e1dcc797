package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"go.temporal.io/sdk/temporal"

	"github.com/incident-buddy/ib"
)

// Search attributes kept current by the workflow, so incidents can be filtered in
// the Web UI and with `temporal workflow list --query "IncidentSeverity='S1'"`.
// The server must have them registered (the Makefile's dev server does).
var (
	// TitleKey is the incident's title as text, so the Web UI's list can show
	// it as a column and `IncidentTitle = 'Checkout'` finds incidents by a word of their title.
	TitleKey     = temporal.NewSearchAttributeKeyString("IncidentTitle")
	SeverityKey  = temporal.NewSearchAttributeKeyKeyword("IncidentSeverity")
	StatusKey    = temporal.NewSearchAttributeKeyKeyword("IncidentStatus")
	StageKey     = temporal.NewSearchAttributeKeyKeyword("IncidentStage")
	CommanderKey = temporal.NewSearchAttributeKeyKeyword("IncidentCommander")
	ServicesKey  = temporal.NewSearchAttributeKeyKeywordList("IncidentServices")
	// ChannelKey is the incident channel's ID, so the gateway finds the incident
	// a command was typed in with one indexed lookup.
	ChannelKey = temporal.NewSearchAttributeKeyKeyword("IncidentChannel")
	// The response's metrics, in whole minutes (0 until known), so that
	// `IncidentImpactMinutes > 30` finds the incidents customers felt most.
	ImpactMinutesKey  = temporal.NewSearchAttributeKeyInt64("IncidentImpactMinutes")
	ResolveMinutesKey = temporal.NewSearchAttributeKeyInt64("IncidentResolveMinutes")
	// TicketsKey lists the linked Zendesk tickets, so that news of a ticket
	// finds its incident.
	TicketsKey = temporal.NewSearchAttributeKeyKeywordList("IncidentTickets")
)

// SearchAttributeKeys are every search attribute incidents use. The worker
// registers those a namespace lacks when it starts.
var SearchAttributeKeys = []temporal.SearchAttributeKey{TitleKey, SeverityKey, StatusKey, StageKey, CommanderKey, ServicesKey, ChannelKey,
	ImpactMinutesKey, ResolveMinutesKey, TicketsKey}

// SearchAttributes are the incident's current search attribute values. The
// channel's is set once the channel exists.
func SearchAttributes(s ib.Summary) []temporal.SearchAttributeUpdate { return indexOf(s).updates() }

// indexed is what the search attributes say of an incident.
type indexed struct {
	title, severity, status, stage, commander string
	services, tickets                         []string
	impactMinutes, resolveMinutes             int64
}

func indexOf(s ib.Summary) indexed {
	m := s.ResponseMetrics()
	i := indexed{title: TitleWords(s.Title), severity: string(s.Severity), status: string(s.Status), stage: string(s.Stage),
		commander: s.Commander.Label(), services: s.Services, tickets: []string{},
		impactMinutes: int64(m.CustomerImpact.Minutes()), resolveMinutes: int64(m.TimeToResolve.Minutes())}
	for _, t := range s.Tickets.Linked {
		i.tickets = append(i.tickets, strconv.FormatInt(t.ID, 10))
	}
	if i.services == nil {
		i.services = []string{}
	}
	return i
}

func (i indexed) updates() []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		TitleKey.ValueSet(i.title),
		SeverityKey.ValueSet(i.severity),
		StatusKey.ValueSet(i.status),
		StageKey.ValueSet(i.stage),
		CommanderKey.ValueSet(i.commander),
		ServicesKey.ValueSet(i.services),
		ImpactMinutesKey.ValueSet(i.impactMinutes),
		ResolveMinutesKey.ValueSet(i.resolveMinutes),
		TicketsKey.ValueSet(i.tickets),
	}
}

// key is the values as one comparable string.
func (i indexed) key() string { return fmt.Sprintf("%#v", i) }

// CurrentDetails is the incident as the top of its page in the Web UI shows
// it (Markdown), kept current, above the start input that only says how it
// began.
func CurrentDetails(s ib.Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s · %s · %s** — %s\n\n", s.Severity, s.Status, s.Stage, s.Title)
	fmt.Fprintf(&b, "Commander: %s", s.Commander.Label())
	if s.Channel.Name != "" {
		fmt.Fprintf(&b, " · Slack: #%s", s.Channel.Name)
	}
	if len(s.Services) > 0 {
		fmt.Fprintf(&b, " · Services: %s", strings.Join(s.Services, ", "))
	}
	if s.Resolution != "" {
		fmt.Fprintf(&b, "\n\nResolved: %s", s.Resolution)
	}
	return b.String()
}

// TitleWords is a title as a Text search attribute takes it: its words,
// separated by spaces. PostgreSQL's visibility stores the value as a tsvector
// literal, and a title with &, (, : or a quote fails there: the incident
// would vanish from every query, its channel's commands among them.
func TitleWords(title string) string {
	return strings.Join(strings.FieldsFunc(title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_'
	}), " ")
}
