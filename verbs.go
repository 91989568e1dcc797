package ib

import (
	"fmt"
	"strings"
)

// Verb is one row of the command table: one thing people can ask of Incident
// Buddy. The table drives the parser, the help text and the README's command
// table, who may make a change and when in the incident's life, and the
// workflow's Update handlers. Adding a kind of change means adding its type
// (beside its noun: it reads its arguments, checks and applies itself) and
// its row here.
type Verb struct {
	// Name is the change's name in configuration (IB_RESTRICTED_CHANGES) and
	// logs.
	Name string
	// Words name the command: "sev", "ticket waive".
	Words string
	// Args is its usage after the words (and the incident ID).
	Args    string
	Summary string
	// Update is the workflow Update that carries the change; "" for a command
	// that changes nothing.
	Update string
	// Phase is when in the incident's life the change is taken.
	Phase Phase
	// Corrects: a fact of the record, which, set after the resolution,
	// corrects it.
	Corrects bool
	// Needs is the integration the change needs configured.
	Needs Integration
	// Who may make the change by default (IB_RESTRICTED_CHANGES overrides),
	// and what a refusal says they may do: "change the severity of".
	Who Role
	Act string
	// New makes an empty change of the verb's type.
	New func() Change
	// Show: typed without arguments, the command shows the incident instead
	// (status).
	Show bool
	// NoID: the command is about no incident (create, list, oncall, help).
	NoID bool
	// read reads the arguments of a command that changes nothing.
	read func(c *Command, args []string, t Typist) error
}

// Phase is when in an incident's life a change is taken.
type Phase int

const (
	// WhileActive: until the incident is resolved (or after it is reopened).
	WhileActive Phase = iota
	// AfterResolution: once it is resolved, until it is closed.
	AfterResolution
	// UntilClosed: at any time until it is closed.
	UntilClosed
)

// Usage is how the command is written, "[ID]" where an incident ID may go.
func (v *Verb) Usage() string {
	first, rest, _ := strings.Cut(v.Words, " ")
	parts := []string{first}
	if !v.NoID {
		parts = append(parts, "[ID]")
	}
	for _, p := range []string{rest, v.Args} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// Verbs is the command table, in the order help lists it.
var Verbs = []*Verb{
	{Name: "create", Words: "create", Args: "[S1|S2|S3|S4] <title>", Summary: "declare an incident (severity defaults to %s)",
		NoID: true, read: readCreate},
	{Name: "status", Who: Anyone, Act: "change the status of", Words: "status", Args: "[investigating|identified|monitoring|resolved]", Summary: "show the incident, or change its status",
		Update: "set-status", New: func() Change { return &SetStatus{} }, Show: true},
	{Name: "severity", Who: Responders, Act: "change the severity of", Words: "sev", Args: "<S1|S2|S3|S4>", Summary: "change the severity",
		Update: "set-severity", New: func() Change { return &SetSeverity{} }},
	{Name: "commander", Who: Commander, Act: "hand over", Words: "commander", Args: "<@person>", Summary: "hand the incident to another commander",
		Update: "hand-over", Phase: UntilClosed, New: func() Change { return &HandOver{} }},
	{Name: "note", Who: Anyone, Act: "add notes to", Words: "note", Args: "<text>", Summary: "add a note to the timeline",
		Update: "add-note", Phase: UntilClosed, New: func() Change { return &AddNote{} }},
	{Name: "resolve", Who: Responders, Act: "resolve", Words: "resolve", Args: "[summary]", Summary: "resolve the incident",
		Update: "resolve", New: func() Change { return &Resolve{} }},
	{Name: "detected", Who: Anyone, Act: "set when the problem was detected for", Words: "detected", Args: "<time> [zone]", Summary: "when the problem was first seen, e.g. `detected 03:25` (before declaring is fine)",
		Update: "set-detected", Phase: UntilClosed, Corrects: true, New: func() Change { return &SetDetected{} }},
	{Name: "mitigated", Who: Anyone, Act: "set when the worst was over for", Words: "mitigated", Args: "[time] [zone]", Summary: "when the worst was over for customers (default: now)",
		Update: "set-mitigated", Phase: UntilClosed, Corrects: true, New: func() Change { return &SetMitigated{} }},
	{Name: "impact-time", Who: Anyone, Act: "set the impact window of", Words: "impact start", Args: "<time> [end <time>] [zone]", Summary: "when customers were affected",
		Update: "set-impact-time", Phase: UntilClosed, Corrects: true, New: func() Change { return &SetImpactWindow{} }},
	{Name: "impact-size", Who: Anyone, Act: "set the size of the impact of", Words: "impact count", Args: "<number> <what>", Summary: "how many were affected, e.g. `impact count 1234 failed requests`",
		Update: "set-impact-size", Phase: UntilClosed, Corrects: true, New: func() Change { return &SetImpactSize{} }},
	{Name: "customers", Who: Anyone, Act: "answer the first question for", Words: "customers", Args: "<yes|no|unknown>", Summary: "answer: does this affect customers' running workloads?",
		Update: "answer-customers", Phase: UntilClosed, Corrects: true, New: func() Change { return &AnswerCustomers{} }},
	{Name: "page", Who: Responders, Act: "page people for", Words: "page", Args: "<service|@person> [message]", Summary: "page a service's on-call, or a person (only during an incident); it escalates until acknowledged",
		Update: "page", New: func() Change { return &SendPage{} }},
	{Name: "ack-page", Who: Responders, Act: "acknowledge the pages of", Words: "ack", Args: "<page, e.g. P1>", Summary: "acknowledge a page (the button on the page does the same)",
		Update: "ack-page", New: func() Change { return &AckPage{} }},
	{Name: "add-service", Who: Responders, Act: "add services to", Words: "service add", Args: "<service>", Summary: "another service is affected: its on-call is invited",
		Update: "add-service", New: func() Change { return &AddService{} }},
	{Name: "link", Who: Anyone, Act: "add links to", Words: "link", Args: "<url> [label]", Summary: "add a dashboard, pull request or log to the incident",
		Update: "add-link", Phase: UntilClosed, New: func() Change { return &AddLink{} }},
	{Name: "ticket", Who: Anyone, Act: "link customer tickets to", Words: "ticket", Args: "<number…>", Summary: "link customers' Zendesk tickets to the incident's problem ticket",
		Needs: ZendeskIntegration, read: readTickets},
	{Name: "ticket-waive", Who: Responders, Act: "waive the customer tickets of", Words: "ticket waive", Args: "<number> <reason>", Summary: "a linked ticket needs no follow-up after resolution",
		Update: "waive-ticket", Phase: UntilClosed, Needs: ZendeskIntegration, New: func() Change { return &WaiveTicket{} }},
	{Name: "statuspage", Who: Responders, Act: "update the status page for", Words: "statuspage", Args: "<investigating|identified|monitoring|resolved> <message>", Summary: "update the public status page",
		Update: "post-status-page", Phase: UntilClosed, Needs: StatusPageIntegration, New: func() Change { return &PostStatusPage{} }},
	{Name: "reopen", Who: Responders, Act: "reopen", Words: "reopen", Args: "[reason]", Summary: "return a resolved incident to active; its postmortem stage is set aside until it is resolved again",
		Update: "reopen", Phase: UntilClosed, New: func() Change { return &Reopen{} }},
	{Name: "postmortem", Who: Responders, Act: "begin the postmortem stage of", Words: "postmortem", Summary: "begin the postmortem stage of a resolved incident now",
		Update: "start-postmortem", Phase: AfterResolution, New: func() Change { return &StartPostmortem{} }},
	{Name: "postmortem-owner", Who: Responders, Act: "hand over the postmortem of", Words: "postmortem owner", Args: "<@person>", Summary: "hand the postmortem to someone else",
		Update: "set-postmortem-owner", Phase: AfterResolution, New: func() Change { return &SetPostmortemOwner{} }},
	{Name: "postmortem-draft", Who: Anyone, Act: "ask for a new draft of the postmortem of", Words: "postmortem draft", Summary: "generate the postmortem draft again from the incident's record",
		Update: "draft-postmortem", Phase: AfterResolution, New: func() Change { return &RequestDraft{} }},
	{Name: "postmortem-done", Who: Owner, Act: "mark written the postmortem of", Words: "postmortem done", Summary: "the draft is written: it goes to review",
		Update: "finish-postmortem-draft", Phase: AfterResolution, New: func() Change { return &FinishDraft{} }},
	{Name: "postmortem-waive", Who: Responders, Act: "waive the postmortem of", Words: "postmortem waive", Args: "<reason>", Summary: "no postmortem for this S3/S4 (the commander only)",
		Update: "waive-postmortem", Phase: AfterResolution, New: func() Change { return &WaivePostmortem{} }},
	{Name: "review", Who: Responders, Act: "record the review of", Words: "review done", Args: "[notes]", Summary: "the postmortem review meeting was held",
		Update: "record-review", Phase: AfterResolution, New: func() Change { return &RecordReview{} }},
	{Name: "action-add", Who: Responders, Act: "add action items to", Words: "action add", Args: "<text> <@owner> due:<yyyy-mm-dd>", Summary: "track an action item; its owner is reminded until it is done",
		Update: "add-action", Phase: AfterResolution, New: func() Change { return &AddAction{} }},
	{Name: "action-done", Who: Anyone, Act: "mark done the action items of", Words: "action done", Args: "<number>", Summary: "an action item is done",
		Update: "finish-action", Phase: AfterResolution, New: func() Change { return &FinishAction{} }},
	{Name: "close", Who: Responders, Act: "close", Words: "close", Summary: "close a reviewed incident whose action items are done",
		Update: "close", Phase: AfterResolution, New: func() Change { return &Close{} }},
	{Name: "show", Words: "show", Summary: "show the incident with its timeline", read: readShow},
	{Name: "timeline", Words: "timeline", Summary: "show the timeline, in your time zone", read: readShow},
	{Name: "list", Words: "list", Summary: "list open incidents, in their postmortem stage too (`starter list --all` includes closed ones)", NoID: true, read: readNothing},
	{Name: "oncall", Words: "oncall", Args: "[service]", Summary: "who is on call now, and next", NoID: true, read: readOnCall},
	{Name: "help", Words: "help", Summary: "show the commands and what each severity means", NoID: true, read: readNothing},
}

// Help lists every command, each prefixed with how it is invoked ("/ib ",
// "starter ").
func Help(invocation string, defaultSeverity Severity) string {
	var b strings.Builder
	for _, v := range Verbs {
		fmt.Fprintf(&b, "%s%s — %s\n", invocation, v.Usage(), v.summary(defaultSeverity))
	}
	b.WriteString("\n[ID] is an incident ID such as INC-20261123-K7QF; leave it out inside an incident's channel.\n\nSeverities:\n")
	b.WriteString(SeverityHelp())
	return b.String()
}

// summary is the help line, with the default severity where it says it.
func (v *Verb) summary(defaultSeverity any) string {
	s := v.Summary
	if strings.Contains(s, "%s") {
		s = fmt.Sprintf(s, defaultSeverity)
	}
	if v.Corrects {
		s += "; after resolution, a correction"
	}
	return s
}

// CommandTable is the command table in Markdown, as the README shows it (a
// test keeps the two in step); defaultSeverity is what the table says the
// default severity is.
func CommandTable(defaultSeverity string) string {
	var b strings.Builder
	b.WriteString("| command | what it does | who may, by default |\n|---|---|---|\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, v := range Verbs {
		who := string(v.Who)
		if who == "" {
			who = string(Anyone)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", cell(v.Usage()), cell(v.summary(defaultSeverity)), who)
	}
	return b.String()
}

// VerbNamed finds a verb by its configuration name.
func VerbNamed(name string) (*Verb, bool) {
	for _, v := range Verbs {
		if v.Name == name {
			return v, true
		}
	}
	return nil, false
}

// EffectOf is the verb whose rule a change meets: its own, unless it does
// what another verb does (setting the status to resolved resolves).
func EffectOf(c Change) *Verb {
	if e, ok := c.(interface{ Effect() *Verb }); ok {
		return e.Effect()
	}
	return VerbOf(c)
}

// VerbOf is the verb of a change.
func VerbOf(c Change) *Verb {
	return verbsByType[changeType(c)]
}
