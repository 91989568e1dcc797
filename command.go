package ib

import (
	"fmt"
	"strings"
)

// CommandName is the first word of a command.
type CommandName string

const (
	CmdHelp    CommandName = "help"
	CmdCreate  CommandName = "create"
	CmdStatus  CommandName = "status"
	CmdSev     CommandName = "sev"
	CmdNote    CommandName = "note"
	CmdResolve CommandName = "resolve"
	CmdList    CommandName = "list"
	CmdShow    CommandName = "show"
)

// Command is one parsed command, the same whether it came from Slack or the CLI.
type Command struct {
	Name CommandName
	// IncidentID is the incident the command targets; "" means the incident whose
	// channel the command was typed in.
	IncidentID string
	Severity   Severity // create, sev
	Status     Status   // status; "" asks for the status instead of setting it
	Text       string   // create: the title; note: the note; resolve: the summary
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
	{CmdShow, "show [ID]", "show the incident with its timeline"},
	{CmdList, "list", "list open incidents"},
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
	if cmd.Name != CmdCreate && cmd.Name != CmdList && cmd.Name != CmdHelp && len(args) > 0 && IsIncidentID(args[0]) {
		cmd.IncidentID, args = strings.ToUpper(args[0]), args[1:]
	}
	rest := strings.Join(args, " ")
	var err error
	switch cmd.Name {
	case CmdHelp, CmdList:
		if len(args) > 0 {
			err = usageError(cmd.Name, "takes no arguments")
		}
	case CmdShow:
		if len(args) > 0 {
			err = usageError(cmd.Name, fmt.Sprintf("expects an incident ID, not %q", rest))
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
	default:
		return cmd, Errorf(EINVALID, "Unknown command %q. Try `help` to see the commands.", words[0])
	}
	return cmd, err
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

// Change turns a command that alters an incident into the Change it asks for.
// ok is false for commands that alter nothing (help, list, show, status alone).
func (c Command) Change(by Person) (ch Change, ok bool) {
	switch {
	case c.Name == CmdStatus && c.Status != "":
		return Change{Kind: ChangeStatus, Status: c.Status, By: by}, true
	case c.Name == CmdSev:
		return Change{Kind: ChangeSeverity, Severity: c.Severity, By: by}, true
	case c.Name == CmdNote:
		return Change{Kind: ChangeNote, Text: c.Text, By: by}, true
	case c.Name == CmdResolve:
		return Change{Kind: ChangeResolve, Text: c.Text, By: by}, true
	}
	return Change{}, false
}
