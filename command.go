package ib

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CommandName is the first word of a command.
type CommandName string

const (
	CmdHelp       CommandName = "help"
	CmdCreate     CommandName = "create"
	CmdStatus     CommandName = "status"
	CmdSev        CommandName = "sev"
	CmdNote       CommandName = "note"
	CmdResolve    CommandName = "resolve"
	CmdList       CommandName = "list"
	CmdShow       CommandName = "show"
	CmdTimeline   CommandName = "timeline"
	CmdDetected   CommandName = "detected"
	CmdMitigated  CommandName = "mitigated"
	CmdLink       CommandName = "link"
	CmdImpact     CommandName = "impact"
	CmdCustomers  CommandName = "customers"
	CmdStatusPage CommandName = "statuspage"
	CmdPage       CommandName = "page"
	CmdService    CommandName = "service"
	CmdOnCall     CommandName = "oncall"
	CmdPostmortem CommandName = "postmortem"
	CmdReview     CommandName = "review"
	CmdAction     CommandName = "action"
	CmdClose      CommandName = "close"
	CmdTicket     CommandName = "ticket"
)

// Command is one parsed command, the same whether it came from Slack or the CLI.
type Command struct {
	Name CommandName
	// IncidentID is the incident the command targets; "" means the incident whose
	// channel the command was typed in.
	IncidentID string
	Severity   Severity // create, sev
	Status     Status   // status; "" asks for the status instead of setting it
	Text       string   // create: the title; note: the note; resolve: the summary; link: the label; impact count: the unit
	When       string   // detected, mitigated, impact start: a time as typed
	Until      string   // impact end: a time as typed
	Zone       string   // the time zone typed after the times, if any
	URL        string   // link
	Count      int      // impact count
	Answer     Answer   // customers
	Target     string   // page: a service, or a person's Slack user ID; postmortem owner, action: the owner
	Sub        string   // postmortem: owner, draft, done or waive ("" begins it); review: done; action: add or done; ticket: waive
	Tickets    []int64  // ticket: the Zendesk tickets to link
}

type commandSpec struct {
	name    CommandName
	usage   string
	summary string
}

// commands is the grammar, in the order help lists it. "[ID]" may be left out
// inside an incident's channel.
var commands = []commandSpec{
	{CmdCreate, "create [S1|S2|S3|S4] <title>", "declare an incident (severity defaults to %s)"},
	{CmdStatus, "status [ID] [investigating|identified|monitoring|resolved]", "show the incident, or change its status"},
	{CmdSev, "sev [ID] <S1|S2|S3|S4>", "change the severity"},
	{CmdNote, "note [ID] <text>", "add a note to the timeline"},
	{CmdResolve, "resolve [ID] [summary]", "resolve the incident"},
	{CmdDetected, "detected [ID] <time> [zone]", "when the problem was first seen, e.g. `detected 03:25` (before declaring is fine)"},
	{CmdMitigated, "mitigated [ID] [time] [zone]", "when the worst was over for customers (default: now)"},
	{CmdImpact, "impact [ID] start <time> [end <time>] [zone]", "when customers were affected"},
	{CmdImpact, "impact [ID] count <number> <what>", "how many were affected, e.g. `impact count 1234 failed requests`"},
	{CmdCustomers, "customers [ID] <yes|no|unknown>", "answer: does this affect customers' running workloads?"},
	{CmdPage, "page [ID] <service|@person> [message]", "page a service's on-call, or a person (only during an incident)"},
	{CmdService, "service [ID] add <service>", "another service is affected: its on-call is invited"},
	{CmdLink, "link [ID] <url> [label]", "add a dashboard, pull request or log to the incident"},
	{CmdTicket, "ticket [ID] <number…>", "link customers' Zendesk tickets to the incident's problem ticket"},
	{CmdTicket, "ticket [ID] waive <number> <reason>", "a linked ticket needs no follow-up after resolution"},
	{CmdStatusPage, "statuspage [ID] <investigating|identified|monitoring|resolved> <message>", "update the public status page"},
	{CmdPostmortem, "postmortem [ID]", "begin the postmortem stage of a resolved incident now"},
	{CmdPostmortem, "postmortem [ID] owner <@person>", "hand the postmortem to someone else"},
	{CmdPostmortem, "postmortem [ID] draft", "generate the postmortem draft again from the incident's record"},
	{CmdPostmortem, "postmortem [ID] done", "the draft is written: it goes to review"},
	{CmdPostmortem, "postmortem [ID] waive <reason>", "no postmortem for this S3/S4 (the commander only)"},
	{CmdReview, "review [ID] done [notes]", "the postmortem review meeting was held"},
	{CmdAction, "action [ID] add <text> <@owner> due:<yyyy-mm-dd>", "track an action item; its owner is reminded until it is done"},
	{CmdAction, "action [ID] done <number>", "an action item is done"},
	{CmdClose, "close [ID]", "close a reviewed incident whose action items are done"},
	{CmdShow, "show [ID]", "show the incident with its timeline"},
	{CmdTimeline, "timeline [ID]", "show the timeline, in your time zone"},
	{CmdList, "list", "list open incidents"},
	{CmdOnCall, "oncall [service]", "who is on call now, and next"},
	{CmdHelp, "help", "show this help"},
}

// Help lists every command, each prefixed with how it is invoked ("/ib ",
// "starter ").
func Help(invocation string, defaultSeverity Severity) string {
	var b strings.Builder
	for _, c := range commands {
		summary := c.summary
		if c.name == CmdCreate {
			summary = fmt.Sprintf(summary, defaultSeverity)
		}
		fmt.Fprintf(&b, "%s%s — %s\n", invocation, c.usage, summary)
	}
	b.WriteString("\n[ID] is an incident ID such as INC-20261123-K7QF; leave it out inside an incident's channel.\n\nSeverities:\n")
	b.WriteString(SeverityHelp())
	return b.String()
}

func usageOf(name CommandName) string {
	for _, c := range commands {
		if c.name == name {
			return c.usage
		}
	}
	return ""
}

// ParseCommand reads one command. An empty text is a request for help. Errors are
// *Error with code EINVALID and say how to write the command correctly.
func ParseCommand(text string, defaultSeverity Severity) (Command, error) {
	words := strings.Fields(CleanText(text))
	if len(words) == 0 {
		return Command{Name: CmdHelp}, nil
	}
	cmd := Command{Name: CommandName(strings.ToLower(words[0]))}
	args := words[1:]
	if cmd.Name != CmdCreate && cmd.Name != CmdList && cmd.Name != CmdHelp && cmd.Name != CmdOnCall && len(args) > 0 && IsIncidentID(args[0]) {
		cmd.IncidentID, args = strings.ToUpper(args[0]), args[1:]
	}
	rest := strings.Join(args, " ")
	var err error
	switch cmd.Name {
	case CmdHelp, CmdList:
		if len(args) > 0 {
			err = usageError(cmd.Name, "takes no arguments")
		}
	case CmdOnCall:
		if len(args) > 1 {
			err = usageError(cmd.Name, "takes at most one service")
		}
		cmd.Target = rest
	case CmdShow, CmdTimeline:
		if len(args) > 0 {
			err = usageError(cmd.Name, fmt.Sprintf("expects an incident ID, not %q", rest))
		}
	case CmdDetected, CmdMitigated:
		var ok bool
		cmd.When, args, ok = takeTime(args)
		cmd.Zone, args = takeZone(args)
		switch {
		case !ok && (cmd.Name == CmdDetected || len(args) > 0):
			err = usageError(cmd.Name, "needs a time such as 03:25 or 2026-11-23 03:25")
		case len(args) > 0:
			err = usageError(cmd.Name, fmt.Sprintf("does not take %q", strings.Join(args, " ")))
		}
	case CmdImpact:
		cmd, err = parseImpact(cmd, args)
	case CmdLink:
		if len(args) == 0 {
			err = usageError(cmd.Name, "needs a web address")
		} else {
			cmd.URL, cmd.Text = args[0], strings.Join(args[1:], " ")
		}
	case CmdService:
		if len(args) != 2 || !strings.EqualFold(args[0], "add") {
			err = usageError(cmd.Name, "takes `add` and one service")
		} else {
			cmd.Target = args[1]
		}
	case CmdPage:
		if len(args) == 0 {
			err = usageError(cmd.Name, "needs a service or a person to page")
		} else {
			cmd.Target, cmd.Text = mentionedUser(args[0]), strings.Join(args[1:], " ")
		}
	case CmdStatusPage:
		if len(args) < 2 {
			err = usageError(cmd.Name, "needs a status and a message for customers")
		} else if cmd.Status, err = ParseStatus(args[0]); err == nil {
			cmd.Text = strings.Join(args[1:], " ")
		}
	case CmdCustomers:
		if len(args) != 1 {
			err = usageError(cmd.Name, "needs one answer")
		} else {
			cmd.Answer = Answer(strings.ToLower(args[0]))
		}
	case CmdCreate:
		cmd, err = parseCreate(cmd, args, defaultSeverity)
	case CmdStatus:
		if len(args) > 1 {
			err = usageError(cmd.Name, "takes one status word")
		} else if len(args) == 1 {
			cmd.Status, err = ParseStatus(args[0])
		}
	case CmdSev:
		if len(args) != 1 {
			err = usageError(cmd.Name, "needs one severity")
		} else {
			cmd.Severity, err = ParseSeverity(args[0])
		}
	case CmdNote:
		if cmd.Text = rest; rest == "" {
			err = usageError(cmd.Name, "needs some text")
		}
	case CmdResolve:
		cmd.Text = rest
	case CmdPostmortem:
		cmd, err = parsePostmortem(cmd, args)
	case CmdReview:
		if len(args) == 0 || !strings.EqualFold(args[0], "done") {
			err = usageError(cmd.Name, "takes `done` once the meeting was held")
		} else {
			cmd.Sub, cmd.Text = "done", strings.Join(args[1:], " ")
		}
	case CmdAction:
		cmd, err = parseAction(cmd, args)
	case CmdTicket:
		if len(args) > 0 && strings.EqualFold(args[0], "waive") {
			cmd.Sub = "waive"
			var ids []int64
			if len(args) < 3 {
				err = usageError(cmd.Name, "waive needs a ticket number and a reason")
			} else if ids, err = ParseTicketIDs(args[1:2]); err == nil {
				cmd.Count, cmd.Text = int(ids[0]), strings.Join(args[2:], " ")
			}
		} else {
			cmd.Tickets, err = ParseTicketIDs(args)
		}
	case CmdClose:
		if len(args) > 0 {
			err = usageError(cmd.Name, fmt.Sprintf("takes no arguments, not %q", rest))
		}
	default:
		return cmd, Errorf(EINVALID, "Unknown command %q. Try `help` to see the commands.", words[0])
	}
	return cmd, err
}

// mentionedUser reads Slack's escaped mention of a person ("<@U123|bob>" or
// "<@U123>") as the user's ID; anything else is returned as typed.
func mentionedUser(word string) string {
	if strings.HasPrefix(word, "<@") && strings.HasSuffix(word, ">") {
		id, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(word, "<@"), ">"), "|")
		return id
	}
	return word
}

func parsePostmortem(cmd Command, args []string) (Command, error) {
	if len(args) == 0 {
		return cmd, nil
	}
	cmd.Sub = strings.ToLower(args[0])
	switch rest := args[1:]; cmd.Sub {
	case "owner":
		if len(rest) != 1 {
			return cmd, Errorf(EINVALID, "`postmortem owner` needs one person. Usage: `postmortem [ID] owner <@person>`")
		}
		cmd.Target = mentionedUser(rest[0])
	case "draft", "done":
		if len(rest) > 0 {
			return cmd, Errorf(EINVALID, "`postmortem %s` takes nothing more, not %q.", cmd.Sub, strings.Join(rest, " "))
		}
	case "waive":
		if cmd.Text = strings.Join(rest, " "); cmd.Text == "" {
			return cmd, Errorf(EINVALID, "Say why no postmortem is needed. Usage: `postmortem [ID] waive <reason>`")
		}
	default:
		return cmd, Errorf(EINVALID, "`postmortem` takes owner, draft, done or waive, not %q. `help` lists them.", args[0])
	}
	return cmd, nil
}

// parseAction reads `add <text> <@owner> due:<date>` (owner and due in any
// place) or `done <number>`.
func parseAction(cmd Command, args []string) (Command, error) {
	if len(args) == 0 {
		return cmd, usageError(cmd.Name, "takes add or done")
	}
	cmd.Sub = strings.ToLower(args[0])
	switch cmd.Sub {
	case "add":
		var text []string
		for _, w := range args[1:] {
			switch {
			case strings.HasPrefix(strings.ToLower(w), "due:"):
				cmd.When = w[len("due:"):]
			case cmd.Target == "" && (strings.HasPrefix(w, "<@") || strings.HasPrefix(w, "@")):
				cmd.Target = strings.TrimPrefix(mentionedUser(w), "@")
			default:
				text = append(text, w)
			}
		}
		cmd.Text = strings.Join(text, " ")
		if cmd.Text == "" || cmd.Target == "" || cmd.When == "" {
			return cmd, Errorf(EINVALID, "An action item needs what, who and when. Usage: `action [ID] add <text> <@owner> due:<yyyy-mm-dd>`")
		}
	case "done":
		n, err := strconv.Atoi(strings.Join(args[1:], ""))
		if err != nil || n <= 0 || len(args) != 2 {
			return cmd, Errorf(EINVALID, "Which action item? Usage: `action [ID] done <number>` (`show` lists them).")
		}
		cmd.Count = n
	default:
		return cmd, usageError(cmd.Name, fmt.Sprintf("takes add or done, not %q", args[0]))
	}
	return cmd, nil
}

func parseImpact(cmd Command, args []string) (Command, error) {
	if len(args) == 0 {
		return cmd, usageError(cmd.Name, "needs `start <time>` or `count <number> <what>`")
	}
	switch strings.ToLower(args[0]) {
	case "start":
		var ok bool
		if cmd.When, args, ok = takeTime(args[1:]); !ok {
			return cmd, usageError(cmd.Name, "needs a start time such as 03:25")
		}
		if len(args) > 0 && strings.EqualFold(args[0], "end") {
			if cmd.Until, args, ok = takeTime(args[1:]); !ok {
				return cmd, usageError(cmd.Name, "needs an end time after `end`")
			}
		}
		if cmd.Zone, args = takeZone(args); len(args) > 0 {
			return cmd, usageError(cmd.Name, fmt.Sprintf("does not take %q", strings.Join(args, " ")))
		}
	case "count":
		n, err := strconv.Atoi(strings.ReplaceAll(strings.Join(args[1:2], ""), ",", ""))
		if err != nil || n <= 0 || len(args) < 3 {
			return cmd, usageError(cmd.Name, "needs a number and what it counts, e.g. `impact count 1234 failed requests`")
		}
		cmd.Count, cmd.Text = n, strings.Join(args[2:], " ")
	default:
		return cmd, usageError(cmd.Name, fmt.Sprintf("takes start or count, not %q", args[0]))
	}
	return cmd, nil
}

func parseCreate(cmd Command, args []string, defaultSeverity Severity) (Command, error) {
	cmd.Severity = defaultSeverity
	if len(args) > 0 && looksLikeSeverity(args[0]) {
		sev, err := ParseSeverity(args[0])
		if err != nil {
			return cmd, err
		}
		cmd.Severity, args = sev, args[1:]
	}
	d, err := Declaration{Title: strings.Join(args, " "), Severity: cmd.Severity}.Validate()
	cmd.Text = d.Title
	return cmd, err
}

func usageError(name CommandName, problem string) error {
	return Errorf(EINVALID, "`%s` %s. Usage: `%s`", name, problem, usageOf(name))
}

// NeedsZone says whether the command has times to read in the typist's zone.
func (c Command) NeedsZone() bool { return c.When != "" && c.Zone == "" }

// Change turns a command that alters an incident into the Change it asks for,
// reading its times in the zone typed with them, else in loc (the typist's).
// ok is false for commands that alter nothing (help, list, show, status alone).
func (c Command) Change(by Person, now time.Time, loc *time.Location) (ch Change, ok bool, err error) {
	if c.Zone != "" {
		if loc, err = LoadZone(c.Zone); err != nil {
			return Change{}, false, err
		}
	}
	at := func(text string) (time.Time, error) {
		if text == "" {
			return time.Time{}, nil
		}
		return ParseTime(text, now, loc)
	}
	ch = Change{By: by, Text: c.Text}
	switch {
	case c.Name == CmdStatus && c.Status != "":
		ch.Kind, ch.Status = ChangeStatus, c.Status
	case c.Name == CmdSev:
		ch.Kind, ch.Severity = ChangeSeverity, c.Severity
	case c.Name == CmdNote:
		ch.Kind = ChangeNote
	case c.Name == CmdResolve:
		ch.Kind = ChangeResolve
	case c.Name == CmdDetected, c.Name == CmdMitigated:
		ch.Kind = ChangeDetected
		if c.Name == CmdMitigated {
			ch.Kind, ch.Time = ChangeMitigated, now
		}
		if c.When != "" {
			ch.Time, err = at(c.When)
		}
	case c.Name == CmdImpact && c.Count > 0:
		ch.Kind, ch.Count = ChangeImpactSize, c.Count
	case c.Name == CmdImpact:
		ch.Kind = ChangeImpactTime
		if ch.Time, err = at(c.When); err == nil {
			ch.Until, err = at(c.Until)
		}
	case c.Name == CmdLink:
		ch.Kind, ch.URL = ChangeLink, c.URL
	case c.Name == CmdCustomers:
		ch.Kind, ch.Answer = ChangeCustomers, c.Answer
	case c.Name == CmdStatusPage:
		ch.Kind, ch.Status = ChangeStatusPage, c.Status
	case c.Name == CmdPage:
		ch.Kind, ch.Target = ChangePage, c.Target
	case c.Name == CmdService:
		ch.Kind, ch.Target = ChangeAddService, c.Target
	case c.Name == CmdPostmortem:
		ch.Kind = map[string]ChangeKind{"": ChangePostmortem, "owner": ChangePostmortemOwner, "draft": ChangePostmortemDraft,
			"done": ChangePostmortemDone, "waive": ChangeWaive}[c.Sub]
		ch.Target = c.Target
	case c.Name == CmdReview:
		ch.Kind = ChangeReview
	case c.Name == CmdAction && c.Sub == "done":
		ch.Kind, ch.Count = ChangeActionDone, c.Count
	case c.Name == CmdAction:
		ch.Kind, ch.Target = ChangeActionAdd, c.Target
		ch.Time, err = ParseDate(c.When, loc)
	case c.Name == CmdClose:
		ch.Kind = ChangeClose
	case c.Name == CmdTicket && c.Sub == "waive":
		ch.Kind, ch.Count = ChangeTicketWaive, c.Count
	default:
		return Change{}, false, nil
	}
	return ch, err == nil, err
}
