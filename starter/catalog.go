package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/oncall"
)

// catalogCommands runs the commands about the service catalog, which need no
// Temporal: `catalog check` and `oncall`. handled is false for other commands.
func catalogCommands(args []string, cfg config.Config, stdout, stderr io.Writer) (code int, handled bool) {
	switch {
	case len(args) >= 2 && args[0] == "catalog" && args[1] == "check":
		return catalogCheck(args[2:], cfg, stdout, stderr), true
	case len(args) >= 2 && args[0] == "oncall" && args[1] == "report":
		return 0, false // reads incidents from Temporal
	case len(args) >= 1 && args[0] == "oncall":
		return onCall(args[1:], cfg, stdout, stderr), true
	}
	return 0, false
}

func loadCatalog(fs *flag.FlagSet, args []string, cfg config.Config) (*oncall.Catalog, string, error) {
	file := fs.String("file", cfg.CatalogFile, "the catalog (default IB_CATALOG)")
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
	c, file, err := loadCatalog(fs, args, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "starter catalog check:", ib.ErrorMessage(err))
		return exitError
	}
	errs := c.Check(time.Now(), *months)
	for _, e := range errs {
		fmt.Fprintln(stderr, "✗", ib.ErrorMessage(e))
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "%s: %d problems.\n", file, len(errs))
		return exitError
	}
	fmt.Fprintf(stdout, "✓ %s: %d teams, %d services, %d rotations; nobody is on call more than 7 days in a calendar month over the next %d months.\n",
		file, len(c.Teams), len(c.Services), len(c.Rotations), *months)
	return exitOK
}

// onCall shows who is on call now and next, for a service or every rotation.
func onCall(args []string, cfg config.Config, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("oncall", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, _, err := loadCatalog(fs, args, cfg)
	if err != nil {
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
