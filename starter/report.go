package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/oncall"
)

// onCallReport prints a month of on-call, person by person: their time on
// call from the catalog's rotations, and the off-hours pages the incidents
// recorded. It reads incidents from Temporal, so it runs after the dial.
func onCallReport(ctx context.Context, incidents ib.IncidentService, args []string, cfg config.Config, stdout, stderr io.Writer) int {
	fs, month := reportFlags(stderr)
	c, _, err := loadCatalog(fs, args, cfg, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "starter oncall report:", ib.ErrorMessage(err))
		return exitError
	}
	start, err := time.Parse("2006-01", *month)
	if err != nil {
		fmt.Fprintf(stderr, "starter oncall report: --month %q is not a month such as 2026-12\n", *month)
		return exitUsage
	}
	pages, err := offHoursPages(ctx, incidents, start)
	if err != nil {
		fmt.Fprintln(stderr, "starter oncall report:", ib.ErrorMessage(err))
		return exitError
	}
	rows := oncall.OnCallReport(c, start, pages)
	fmt.Fprintf(stdout, "On call in %s (UTC month; nobody may exceed 7 days)\n\n", start.Format("January 2006"))
	fmt.Fprintf(stdout, "%-32s %12s %18s\n", "person", "on call", "off-hours pages")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%-32s %12s %18d\n", r.Person, onCallDays(r.OnCall), r.OffHoursPages)
		for _, d := range r.OffHoursDetail {
			fmt.Fprintf(stdout, "%-32s   %s\n", "", d)
		}
	}
	return exitOK
}

// reportFlags are the on-call report's flags but the catalog's.
func reportFlags(stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("oncall report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, fs.String("month", time.Now().UTC().Format("2006-01"), "the calendar month (UTC), as 2026-12")
}

// offHoursPages are the off-hours pages of every incident that was open during
// the month, by incident.
func offHoursPages(ctx context.Context, incidents ib.IncidentService, month time.Time) (map[string][]ib.OffHoursPage, error) {
	from, to := month, month.AddDate(0, 1, 0)
	entries, err := incidents.List(ctx, ib.ListFilter{All: true, Query: fmt.Sprintf(
		"StartTime < '%s' AND (ExecutionStatus = 'Running' OR CloseTime >= '%s')", to.Format(time.RFC3339), from.Format(time.RFC3339))})
	if err != nil {
		return nil, err
	}
	pages := map[string][]ib.OffHoursPage{}
	for _, e := range entries {
		inc, err := incidents.Get(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		if len(inc.OffHours) > 0 {
			pages[e.ID] = inc.OffHours
		}
	}
	return pages, nil
}

// onCallDays is a time on call as days and hours ("7 d 0 h").
func onCallDays(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	h := int(d.Round(time.Hour).Hours())
	return strings.TrimSpace(fmt.Sprintf("%d d %d h", h/24, h%24))
}
