package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/oncall"
)

// catalogCommands runs the commands about the service catalog, which need no
// Temporal: `catalog check` and `oncall`. handled is false for other commands.
func catalogCommands(args []string, cfg config.Config, stdout, stderr io.Writer) (code int, handled bool) {
	switch {
	case len(args) >= 2 && args[0] == "catalog" && args[1] == "check":
		return catalogCheck(args[2:], cfg, stdout, stderr), true
	case len(args) >= 2 && args[0] == "oncall" && args[1] == "report":
		if helpAsked(args[2:]) {
			fs, _ := reportFlags(stderr)
			_, _, _ = loadCatalog(fs, args[2:], cfg, stdout)
			return exitOK, true
		}
		return 0, false // reads incidents from Temporal
	case len(args) >= 1 && args[0] == "oncall":
		return onCall(args[1:], cfg, stdout, stderr), true
	}
	return 0, false
}

// helpAsked says whether the arguments ask for a command's usage.
func helpAsked(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "help":
			return true
		}
	}
	return false
}

// loadCatalog reads the catalog named by --file (or IB_CATALOG). Asked for
// help, it prints the usage to stdout and returns flag.ErrHelp.
func loadCatalog(fs *flag.FlagSet, args []string, cfg config.Config, stdout io.Writer) (*oncall.Catalog, string, error) {
	file := fs.String("file", cfg.CatalogFile, "the catalog (default IB_CATALOG)")
	if helpAsked(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return nil, "", flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		return nil, "", err
	}
	if *file == "" {
		return nil, "", ib.Errorf(ib.EINVALID, "Which catalog? Set IB_CATALOG or give --file (catalog.example.yaml shows the format).")
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return nil, *file, ib.Errorf(ib.EINVALID, "Cannot read the catalog: %v", err)
	}
	c, err := oncall.ParseCatalog(data)
	return c, *file, err
}

// catalogCheck validates the catalog, the on-call policy over the coming months
// included, and says what to fix.
func catalogCheck(args []string, cfg config.Config, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("catalog check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	months := fs.Int("months", 3, "how many calendar months ahead to check the on-call policy")
	c, file, err := loadCatalog(fs, args, cfg, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	} else if err != nil {
		fmt.Fprintln(stderr, "starter catalog check:", ib.ErrorMessage(err))
		return exitError
	}
	resolve, errs := slackPeople(cfg, c)
	errs = append(errs, c.CheckPeople(time.Now(), *months, resolve)...)
	for _, e := range errs {
		fmt.Fprintln(stderr, "✗", ib.ErrorMessage(e))
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "%s: %s.\n", file, ib.Count(len(errs), "problem", "problems"))
		return exitError
	}
	fmt.Fprintf(stdout, "✓ %s: %s, %s, %s; nobody is on call more than 7 days in a calendar month over the next %s.\n",
		file, ib.Count(len(c.Teams), "team", "teams"), ib.Count(len(c.Services), "service", "services"),
		ib.Count(len(c.Rotations), "rotation", "rotations"), ib.Count(*months, "month", "months"))
	return exitOK
}

// slackPeople asks Slack, when a bot token is set, about every person the
// catalog names: an e-mail becomes the Slack ID it belongs to, so that the
// on-call policy counts a person listed both ways once; whoever Slack does not
// know is a problem to fix before an incident cannot invite or page them.
func slackPeople(cfg config.Config, c *oncall.Catalog) (oncall.Identity, []error) {
	if cfg.SlackBotToken == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil)
	ids := map[string]string{}
	var errs []error
	for _, p := range c.People() {
		var err error
		if strings.Contains(p, "@") {
			ids[strings.ToLower(p)], err = client.LookupUserByEmail(ctx, strings.ToLower(p))
		} else if ib.IsSlackUserID(p) {
			_, err = client.UserZone(ctx, p)
		}
		switch {
		case err == nil:
		case ib.ErrorCode(err) == ib.EINVALID:
			errs = append(errs, ib.Errorf(ib.EINVALID, "Slack does not know %s, whom the catalog names: %s", p, ib.ErrorMessage(err)))
		default:
			return nil, []error{ib.Errorf(ib.EUNAVAILABLE, "Could not ask Slack about the catalog's people (SLACK_BOT_TOKEN, SLACK_API_URL): %v", err)}
		}
	}
	return func(email string) string { return ids[email] }, errs
}

// onCall shows who is on call now and next, for a service or every rotation.
func onCall(args []string, cfg config.Config, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("oncall", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, _, err := loadCatalog(fs, args, cfg, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	} else if err != nil {
		fmt.Fprintln(stderr, "starter oncall:", ib.ErrorMessage(err))
		return exitError
	}
	rotations := c.Rotations
	if service := fs.Arg(0); service != "" {
		s, ok := c.Service(service)
		if !ok {
			fmt.Fprintf(stderr, "No service %q in the catalog.\n", service)
			return exitError
		}
		r, _ := c.Rotation(s.Rotation)
		rotations = []oncall.Rotation{*r}
	}
	now := time.Now()
	for i := range rotations {
		r := &rotations[i]
		next, at := r.Next(now)
		fmt.Fprintf(stdout, "%-24s now %-20s next %s from %s\n", r.Name, r.OnCall(now), next, at.Local().Format("2006-01-02 15:04 MST"))
	}
	return exitOK
}
