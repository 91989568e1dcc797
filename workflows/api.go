// Package workflows holds the incident workflow and its contract with the front
// doors. api.go is that contract: everything the starter needs to start, change
// and read an incident, and nothing else.
package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// TaskQueue is where incident workflows and their activities run.
const TaskQueue = "incidents"

// WorkflowType is the registered name of IncidentWorkflow.
const WorkflowType = "IncidentWorkflow"

// Names the starter uses to reach a running incident.
const (
	// QueryState returns the whole ib.Incident.
	QueryState = "state"

	// Updates, one per kind of change. Each takes an ib.Change and returns the
	// incident's ib.Summary after the change; a validator refuses bad changes with
	// a reason, before anything is written to the history.
	// SignalSlackEvent carries an ib.SlackEvent from the incident's channel
	// (reactions, messages, edits). Duplicates are ignored by event ID.
	SignalSlackEvent = "slack-event"

	UpdateSetStatus       = "set-status"
	UpdateSetSeverity     = "set-severity"
	UpdateAddNote         = "add-note"
	UpdateResolve         = "resolve"
	UpdateSetDetected     = "set-detected"
	UpdateSetMitigated    = "set-mitigated"
	UpdateAddLink         = "add-link"
	UpdateSetImpactTime   = "set-impact-time"
	UpdateSetImpactSize   = "set-impact-size"
	UpdateAnswerCustomers = "answer-customers"
	UpdatePostStatusPage  = "post-status-page"
	UpdatePage            = "page"
	UpdateAckPage         = "ack-page"
	UpdateAddService      = "add-service"
	UpdateWaiveTicket     = "waive-ticket"

	// The postmortem stage's updates, taken once the incident is resolved.
	UpdateStartPostmortem = "start-postmortem"
	UpdatePostmortemOwner = "set-postmortem-owner"
	UpdateDraftPostmortem = "draft-postmortem"
	UpdatePostmortemDone  = "finish-postmortem-draft"
	UpdateWaivePostmortem = "waive-postmortem"
	UpdateRecordReview    = "record-review"
	UpdateAddAction       = "add-action"
	UpdateFinishAction    = "finish-action"
	UpdateClose           = "close"

	// UpdateLinkTickets links customer tickets (a LinkRequest) to the
	// incident's problem ticket and returns an ib.LinkResult.
	UpdateLinkTickets = "link-tickets"
	// SignalTicket carries an ib.TicketEvent from Zendesk: a new ticket about
	// the incident, or a linked ticket's new status.
	SignalTicket = "zendesk-ticket"
)

// LinkRequest asks to link customer tickets.
type LinkRequest struct {
	IDs []int64   `json:"ids"`
	By  ib.Person `json:"by"`
}

var updateNames = map[ib.ChangeKind]string{
	ib.ChangeStatus: UpdateSetStatus, ib.ChangeSeverity: UpdateSetSeverity, ib.ChangeNote: UpdateAddNote,
	ib.ChangeResolve: UpdateResolve, ib.ChangeDetected: UpdateSetDetected, ib.ChangeMitigated: UpdateSetMitigated,
	ib.ChangeLink: UpdateAddLink, ib.ChangeImpactTime: UpdateSetImpactTime, ib.ChangeImpactSize: UpdateSetImpactSize,
	ib.ChangeCustomers: UpdateAnswerCustomers, ib.ChangeStatusPage: UpdatePostStatusPage,
	ib.ChangePage: UpdatePage, ib.ChangeAckPage: UpdateAckPage, ib.ChangeAddService: UpdateAddService,
	ib.ChangePostmortem: UpdateStartPostmortem, ib.ChangePostmortemOwner: UpdatePostmortemOwner,
	ib.ChangePostmortemDraft: UpdateDraftPostmortem, ib.ChangePostmortemDone: UpdatePostmortemDone,
	ib.ChangeWaive: UpdateWaivePostmortem, ib.ChangeReview: UpdateRecordReview, ib.ChangeActionAdd: UpdateAddAction,
	ib.ChangeActionDone: UpdateFinishAction, ib.ChangeClose: UpdateClose, ib.ChangeTicketWaive: UpdateWaiveTicket,
}

// UpdateName is the update that carries a change of the given kind.
func UpdateName(k ib.ChangeKind) string { return updateNames[k] }

// DeclareRequest starts an incident. The workflow ID is ID.
type DeclareRequest struct {
	ID          string         `json:"id"`
	Declaration ib.Declaration `json:"declaration"`
	DeclaredAt  time.Time      `json:"declared_at"`
	Settings    Settings       `json:"settings"`
	// Carried is the state a long incident hands to its next run when it
	// continues as new; nil when the incident is declared.
	Carried *Carried `json:"carried,omitempty"`
}

// Settings are the configuration an incident keeps for its whole life, taken
// from the declaring front door's configuration.
type Settings struct {
	// StatusPageReminder is how long an active S1 or S2 incident may leave the
	// status page without an update before the channel is reminded; 0: never.
	StatusPageReminder time.Duration `json:"status_page_reminder,omitempty"`
	// EscalateAfter, when set, is how long a page waits for an acknowledgement,
	// whatever the severity; else ib.EscalateAfter decides by severity.
	EscalateAfter time.Duration `json:"escalate_after,omitempty"`
	// Postmortem is how the incident is carried through its postmortem stage.
	Postmortem ib.PostmortemPolicy `json:"postmortem,omitzero"`
	// ProblemTickets are the severities that open a Zendesk problem ticket on
	// declaration (none: Zendesk is not configured, or no severity does).
	ProblemTickets []ib.Severity `json:"problem_tickets,omitempty"`
	// SuggestTickets is how often an active incident looks in Zendesk for
	// customer tickets about its services; 0: never.
	SuggestTickets time.Duration `json:"suggest_tickets,omitempty"`
}

// Carried is everything an incident's run hands to the next one: its whole
// record, and what it had still to do. It is the workflow's state, so that
// nothing can be left out of the hand-over.
type Carried struct {
	ib.Incident
	Outbox []ib.Message `json:"outbox,omitempty"` // timeline posts not yet made
	Stale  bool         `json:"stale,omitempty"`  // topic and header to refresh
	Seen   []SeenEvent  `json:"seen,omitempty"`   // latest channel events, to drop redeliveries
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

// IncidentWorkflowID is the workflow ID for a declaration: the incident ID, made
// from the title and day so that repeated declares meet the same workflow.
func IncidentWorkflowID(title string, declaredAt time.Time, attempt int) string {
	return ib.IncidentID(title, declaredAt, attempt)
}

// Search attributes kept current by the workflow, so incidents can be filtered in
// the Web UI and with `temporal workflow list --query "IncidentSeverity='S1'"`.
// The server must have them registered (the Makefile's dev server does).
var (
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
var SearchAttributeKeys = []temporal.SearchAttributeKey{SeverityKey, StatusKey, StageKey, CommanderKey, ServicesKey, ChannelKey,
	ImpactMinutesKey, ResolveMinutesKey, TicketsKey}

// SearchAttributes are the incident's current search attribute values. The
// channel's is set once the channel exists.
func SearchAttributes(s ib.Summary) []temporal.SearchAttributeUpdate {
	m := s.ResponseMetrics()
	tickets := []string{}
	for _, t := range s.Tickets.Linked {
		tickets = append(tickets, strconv.FormatInt(t.ID, 10))
	}
	services := s.Services
	if services == nil {
		services = []string{}
	}
	return []temporal.SearchAttributeUpdate{
		SeverityKey.ValueSet(string(s.Severity)),
		StatusKey.ValueSet(string(s.Status)),
		StageKey.ValueSet(string(s.Stage)),
		CommanderKey.ValueSet(s.Commander.Label()),
		ServicesKey.ValueSet(services),
		ImpactMinutesKey.ValueSet(int64(m.CustomerImpact.Minutes())),
		ResolveMinutesKey.ValueSet(int64(m.TimeToResolve.Minutes())),
		TicketsKey.ValueSet(tickets),
	}
}

// AllSearchAttributes registers every key, for dev servers started by tests.
func AllSearchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(append(SearchAttributes(ib.Summary{}), ChannelKey.ValueSet(""))...)
}
