package ib

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Command is one parsed command, the same whether it came from Slack or the CLI.
type Command struct {
	Verb *Verb
	// IncidentID is the incident the command targets; "" means the incident whose
	// channel the command was typed in.
	IncidentID string
	// Change is what a command that changes the incident asks for.
	Change Change

	// What the commands that change nothing ask for.
	Declaration Declaration // create: its title and severity
	Tickets     []int64     // ticket: the Zendesk tickets to link
	Service     string      // oncall: one service's rotation, else all
}

// Is says whether the command is the verb of that configuration name.
func (c Command) Is(name string) bool { return c.Verb != nil && c.Verb.Name == name }

// Typist is who typed a command and when, and the zone their times are read
// in. Zone is asked only by commands with times in them, so a front door can
// look it up lazily; nil reads them in UTC. Find, asked only for a person
// named as @name text, is the Slack user ID of whoever goes by that name; a
// front door without Slack leaves it nil.
type Typist struct {
	By   Person
	Now  time.Time
	Zone func() *time.Location
	Find func(name string) (string, error)
}

// person reads a person named in a command: Slack's mention of them
// (<@U…|name>, what Slack sends with its escaping on), their user ID, or
// @name typed as text, found through Slack's people. A word without @ is a
// name alone, for someone who is not in Slack.
func (t Typist) person(word string) (string, error) {
	if id := mentionedUser(word); id != word || !strings.HasPrefix(word, "@") {
		return id, nil
	}
	if t.Find == nil {
		return "", Errorf(EINVALID, "%q is a name typed as text: mention the person (pick them from Slack's @ menu) or give their Slack user ID (U…).", clipRunes(CleanText(word), 40))
	}
	return t.Find(strings.TrimPrefix(word, "@"))
}

func (t Typist) zone() *time.Location {
	if t.Zone == nil {
		return time.UTC
	}
	return t.Zone()
}

// readTime reads a time the typist wrote, with an optional zone after it.
func (t Typist) readTime(text, zone string) (time.Time, error) {
	loc := t.zone
	if zone != "" {
		l, err := LoadZone(zone)
		if err != nil {
			return time.Time{}, err
		}
		loc = func() *time.Location { return l }
	}
	if text == "" {
		return time.Time{}, nil
	}
	return ParseTime(text, t.Now, loc())
}

// reader is a change that reads its command's arguments.
type reader interface {
	read(args []string, t Typist) error
}

// usageProblem is what is wrong with a command's arguments; the parser adds
// the command's usage.
type usageProblem string

func (u usageProblem) Error() string { return string(u) }

// ParseCommand reads one command. An empty text is a request for help. Errors
// are *Error with code EINVALID and say how to write the command correctly.
func ParseCommand(text string, defaultSeverity Severity, t Typist) (Command, error) {
	words := strings.Fields(stripText(text))
	if len(words) == 0 {
		words = []string{"help"}
	}
	first := strings.ToLower(words[0])
	family := verbsWithWord(first)
	if len(family) == 0 {
		return Command{}, Errorf(EINVALID, "Unknown command %q. Try `help` to see the commands.", words[0])
	}
	args := words[1:]
	cmd := Command{}
	if !family[0].NoID && len(args) > 0 && IsIncidentID(args[0]) {
		cmd.IncidentID, args = strings.ToUpper(args[0]), args[1:]
	}
	v, args, err := pickVerb(family, args)
	if err != nil {
		return cmd, err
	}
	cmd.Verb = v
	cmd.Declaration.Severity = defaultSeverity
	if err := v.parse(&cmd, args, t); err != nil {
		var u usageProblem
		if errors.As(err, &u) {
			return cmd, Errorf(EINVALID, "`%s` %s. Usage: `%s`", v.Words, u, v.Usage())
		}
		return cmd, err
	}
	return cmd, nil
}

// verbsWithWord are the verbs whose command starts with word.
func verbsWithWord(word string) []*Verb {
	var out []*Verb
	for _, v := range Verbs {
		if first, _, _ := strings.Cut(v.Words, " "); first == word {
			out = append(out, v)
		}
	}
	return out
}

// pickVerb chooses among the verbs of one word by the next word ("ticket
// waive", "impact start"), else takes the one with no second word, unless it
// takes no arguments and a word follows ("postmortem later").
func pickVerb(family []*Verb, args []string) (*Verb, []string, error) {
	var bare *Verb
	var subs []string
	for _, v := range family {
		_, sub, two := strings.Cut(v.Words, " ")
		if !two {
			bare = v
			continue
		}
		subs = append(subs, sub)
		if len(args) > 0 && strings.EqualFold(args[0], sub) {
			return v, args[1:], nil
		}
	}
	if bare != nil && (bare.Args != "" || len(args) == 0 || len(subs) == 0) {
		return bare, args, nil
	}
	first, _, _ := strings.Cut(family[0].Words, " ")
	got := "nothing"
	if len(args) > 0 {
		got = fmt.Sprintf("%q", args[0])
	}
	usages := make([]string, len(family))
	for i, v := range family {
		usages[i] = "`" + v.Usage() + "`"
	}
	return nil, nil, Errorf(EINVALID, "`%s` takes %s, not %s. Usage: %s", first, orList(subs), got, strings.Join(usages, ", "))
}

// orList is "`done`" for one word, "owner, draft, done or waive" for more.
func orList(words []string) string {
	if len(words) == 1 {
		return "`" + words[0] + "`"
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// parse reads the verb's arguments into the command.
func (v *Verb) parse(cmd *Command, args []string, t Typist) error {
	if v.read != nil {
		return v.read(cmd, args, t)
	}
	if v.Show && len(args) == 0 {
		return nil // the incident is shown, not changed
	}
	c := v.New()
	if err := c.(reader).read(args, t); err != nil {
		return err
	}
	cmd.Change = c
	return nil
}

func readCreate(c *Command, args []string, _ Typist) error {
	if len(args) > 0 && looksLikeSeverity(args[0]) {
		sev, err := ParseSeverity(args[0])
		if err != nil {
			return err
		}
		c.Declaration.Severity, args = sev, args[1:]
	}
	d, err := Declaration{Title: strings.Join(args, " "), Severity: c.Declaration.Severity}.Validate()
	c.Declaration.Title = d.Title
	return err
}

func readTickets(c *Command, args []string, _ Typist) error {
	var err error
	c.Tickets, err = ParseTicketIDs(args)
	return err
}

func readShow(_ *Command, args []string, _ Typist) error {
	if len(args) > 0 {
		return usageProblem(fmt.Sprintf("expects an incident ID, not %q", strings.Join(args, " ")))
	}
	return nil
}

func readNothing(_ *Command, args []string, _ Typist) error {
	if len(args) > 0 {
		return usageProblem("takes no arguments")
	}
	return nil
}

func readOnCall(c *Command, args []string, _ Typist) error {
	if len(args) > 1 {
		return usageProblem("takes at most one service")
	}
	c.Service = strings.Join(args, "")
	return nil
}

// noArgs is the read of changes that take no arguments.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usageProblem(fmt.Sprintf("takes no arguments, not %q", strings.Join(args, " ")))
	}
	return nil
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

// verbsByType finds the verb of a change by the change's type.
var verbsByType = map[reflect.Type]*Verb{}

func init() {
	for _, v := range Verbs {
		if v.New != nil {
			verbsByType[changeType(v.New())] = v
		}
	}
}

func changeType(c Change) reflect.Type {
	t := reflect.TypeOf(c)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
