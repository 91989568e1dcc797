// Command starter is Incident Buddy's front door: a CLI whose commands are the
// same as Slack's /ib commands, read by the same parser and sent through the
// same workflow API.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // people name time zones; the image may have no zoneinfo

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/integrations/slack"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/internal/logging"
)

// callTimeout bounds one CLI command's wait on Temporal.
const callTimeout = 15 * time.Second

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the command failed; the message says why
	exitUsage = 2 // the command was written wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := config.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "starter: configuration:", err)
		return exitError
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage(cfg))
		return exitOK
	}
	// The on-call report and the replay read incidents: they run after the
	// dial below.
	report := len(args) >= 2 && args[0] == "oncall" && args[1] == "report"
	replaying := args[0] == "replay"
	if code, handled := catalogCommands(args, cfg, stdout, stderr); handled {
		return code
	}
	if args[0] == "serve" {
		if err := serve(ctx, cfg, args[1:]); err != nil {
			fmt.Fprintln(stderr, "starter serve:", err)
			return exitError
		}
		return exitOK
	}
	var inv invocation
	if !report && !replaying {
		if inv, err = parse(args, cfg.DefaultSeverity, findPerson(ctx, cfg)); err != nil {
			fmt.Fprintln(stderr, ib.ErrorMessage(err))
			return exitUsage
		}
	}
	logger, err := logging.New("warn", cfg.LogFormat)
	if err != nil {
		fmt.Fprintln(stderr, "starter:", err)
		return exitError
	}
	timeout := callTimeout
	if replaying {
		timeout = 10 * time.Minute // hundreds of histories from a busy cluster
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := ibtemporal.Dial(ctx, ibtemporal.Server{Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace}, logger)
	if err != nil {
		fmt.Fprintln(stderr, "starter:", err)
		return exitError
	}
	defer c.Close()

	if report {
		return onCallReport(ctx, newIncidents(c, cfg), args[2:], cfg, stdout, stderr)
	}
	if replaying {
		return replay(ctx, c, logger, args[1:], stdout, stderr)
	}
	cli := &cli{incidents: newIncidents(c, cfg), out: stdout, link: cfg.IncidentURL}
	if err := cli.execute(ctx, inv); err != nil {
		logger.Debug("command failed", zap.Error(err))
		fmt.Fprintln(stderr, ib.ErrorMessage(err))
		return exitError
	}
	return exitOK
}

// newIncidents is the incident service both front doors use, with the settings
// every declared incident keeps.
func newIncidents(c client.Client, cfg config.Config) *ibtemporal.Incidents {
	settings := ib.Settings{StatusPageReminder: cfg.StatusPageReminder, Postmortem: cfg.Postmortem}
	if cfg.ZendeskEnabled() {
		settings.ProblemTickets, settings.SuggestTickets = cfg.ProblemTickets, cfg.SuggestTickets
	} else {
		settings.Missing = append(settings.Missing, ib.ZendeskIntegration)
	}
	if !cfg.StatusPageEnabled() {
		settings.Missing = append(settings.Missing, ib.StatusPageIntegration)
	}
	return &ibtemporal.Incidents{Client: c, Settings: settings}
}

// invocation is a parsed command line: the command, and what only the CLI's
// flags can say.
type invocation struct {
	ib.Command
	declaration ib.Declaration // create
	all         bool           // list --all
	query       string         // list --query
	asJSON      bool           // show --json
}

// findPerson finds people named as @name through Slack's people, when the
// CLI has the bot's token; without it, such names are refused.
func findPerson(ctx context.Context, cfg config.Config) func(string) (string, error) {
	if cfg.SlackBotToken == "" {
		return nil
	}
	people := &slack.Directory{API: slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil).API()}
	return func(name string) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		return people.Find(ctx, name)
	}
}

// parse reads a command line. Words after the command name go through
// ib.ParseCommand, exactly as the text after /ib does; flags add what Slack's
// modal would (impact, description, …).
func parse(args []string, defaultSeverity ib.Severity, find func(string) (string, error)) (invocation, error) {
	var inv invocation
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var severity, title, services, commander string
	switch args[0] {
	case "create":
		fs.StringVar(&severity, "severity", "", "S1, S2, S3 or S4")
		fs.StringVar(&title, "title", "", "what is broken")
		fs.StringVar(&inv.declaration.Impact, "impact", "", "who is affected and how")
		fs.StringVar(&inv.declaration.Description, "description", "", "what is known so far")
		fs.StringVar(&services, "services", "", "affected services, comma-separated")
		fs.StringVar(&commander, "commander", "", "the commander's Slack user ID (default: you)")
	case "list":
		fs.BoolVar(&inv.all, "all", false, "include resolved incidents")
		fs.StringVar(&inv.query, "query", "", "extra visibility filter, e.g. \"IncidentSeverity='S1'\"")
	case "show":
		fs.BoolVar(&inv.asJSON, "json", false, "print the whole state as JSON")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return inv, ib.Errorf(ib.EINVALID, "%s: %v. Run `starter help` for usage.", args[0], err)
	}
	words := append([]string{args[0]}, severity)
	words = append(append(words, fs.Args()...), title)
	cmd, err := ib.ParseCommand(strings.Join(words, " "), defaultSeverity,
		ib.Typist{By: currentUser(), Now: time.Now(), Zone: func() *time.Location { return time.Local }, Find: find})
	if err != nil {
		return inv, err
	}
	inv.Command = cmd
	if cmd.Is("create") {
		inv.declaration.Title, inv.declaration.Severity = cmd.Declaration.Title, cmd.Declaration.Severity
		inv.declaration.Services = ib.SplitList(services)
		inv.declaration.Declarer = currentUser()
		if commander != "" {
			inv.declaration.Commander = ib.Person{SlackID: commander}
		}
	}
	if !cmd.Verb.NoID && cmd.IncidentID == "" {
		return inv, ib.Errorf(ib.EINVALID, "Which incident? Give its ID, e.g. `starter %s INC-20261123-K7QF …`; `starter list` shows the open ones.", cmd.Verb.Words)
	}
	return inv, nil
}

// currentUser names the person at the terminal; the CLI has no Slack identity.
func currentUser() ib.Person {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return ib.Person{Name: u.Username}
	}
	return ib.Person{Name: "cli"}
}

func usage(cfg config.Config) string {
	var b strings.Builder
	b.WriteString("Incident Buddy CLI: the same commands as /ib in Slack.\n\nUsage:\n")
	b.WriteString(ib.Help("  starter ", cfg.DefaultSeverity))
	b.WriteString(`
  starter serve [--addr :3000]  — run the Slack gateway (HTTP, and Socket Mode with SLACK_APP_TOKEN)
  starter catalog check [--file F] [--months 3]  — validate the service catalog and the on-call policy
  starter oncall [--file F] [service]  — who is on call now, and next
  starter oncall report [--file F] [--month 2026-12]  — time on call and off-hours pages per person
  starter replay [--last 200]  — before a deploy: replay the newest incidents against this build; non-zero if it would break one

Flags:
  starter create [--severity S1] [--title T] [--impact I] [--description D]
                 [--services a,b] [--commander U123] [title words…]
  starter list [--all] [--query "IncidentSeverity='S1'"]
  starter show [--json] ID

Configuration (environment):
`)
	for _, e := range config.EnvVars {
		fmt.Fprintf(&b, "  %-22s %s (default %q)\n", e.Name, e.Meaning, e.Default)
	}
	return b.String()
}
