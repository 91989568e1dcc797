package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incident-buddy/ib"
)

type cli struct {
	incidents ib.IncidentService
	out       io.Writer
	link      func(id string) string // the incident's page in the Web UI
}

func (c *cli) execute(ctx context.Context, inv invocation) error {
	switch cmd := inv.Command; {
	case cmd.Is("create"):
		return c.create(ctx, inv.declaration)
	case cmd.Is("list"):
		return c.list(ctx, inv.all, inv.query)
	case cmd.Change == nil && !cmd.Is("ticket"):
		return c.show(ctx, cmd.IncidentID, !cmd.Is("status"), inv.asJSON)
	case cmd.Is("ticket"):
		res, err := c.incidents.LinkTickets(ctx, cmd.IncidentID, currentUser(), cmd.Tickets)
		if err != nil {
			return err
		}
		for _, o := range res.Outcomes {
			if o.Linked {
				fmt.Fprintf(c.out, "linked %d %s\n", o.ID, o.Subject)
			} else {
				fmt.Fprintf(c.out, "not linked: %s\n", o.Reason)
			}
		}
		return nil
	default:
		s, err := c.incidents.Change(ctx, cmd.IncidentID, cmd.Change)
		if err != nil {
			return err
		}
		if e := s.Event; e != nil { // what the change recorded, as the timeline has it
			fmt.Fprintf(c.out, "%s: %s %s\n", s.ID, strings.ReplaceAll(string(e.Kind), "_", " "), e.Text)
		}
		fmt.Fprintf(c.out, "%s is now %s %s, stage %s: %s\n", s.ID, s.Severity, s.Status, s.Stage, s.Title)
		return nil
	}
}

func (c *cli) create(ctx context.Context, d ib.Declaration) error {
	res, err := c.incidents.Declare(ctx, d)
	if err != nil {
		return err
	}
	if res.Existing {
		fmt.Fprintf(c.out, "%s is already open for this title; joined it instead of declaring a second incident.\n", res.ID)
	} else {
		fmt.Fprintf(c.out, "Declared %s (%s): %s\n", res.ID, d.Severity, d.Title)
	}
	if res.RecurrenceOf != "" {
		fmt.Fprintf(c.out, "A recurrence of %s, which was resolved: the two are linked.\n", res.RecurrenceOf)
	}
	fmt.Fprintf(c.out, "Web UI: %s\n", c.link(res.ID))
	return nil
}

func (c *cli) show(ctx context.Context, id string, timeline, asJSON bool) error {
	inc, err := c.incidents.Get(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(inc)
	}
	fmt.Fprintf(c.out, "%s  %s\n", inc.ID, inc.Title)
	fmt.Fprintf(c.out, "  severity   %s — %s\n  status     %s — %s\n  stage      %s\n  commander  %s\n",
		inc.Severity, inc.Severity.Meaning(), inc.Status, inc.Status.Meaning(), inc.Stage, inc.Commander.Label())
	if inc.Channel.Name != "" {
		fmt.Fprintf(c.out, "  channel    #%s\n", inc.Channel.Name)
	}
	for _, f := range []struct{ label, text string }{{"impact", inc.Impact}, {"description", inc.Description}, {"resolution", inc.Resolution}} {
		if f.text != "" {
			fmt.Fprintf(c.out, "  %-10s %s\n", f.label, f.text)
		}
	}
	fmt.Fprintf(c.out, "  declared   %s\n", inc.DeclaredAt.Local().Format(time.DateTime))
	for _, f := range []struct {
		label string
		at    time.Time
	}{{"detected", inc.DetectedAt}, {"mitigated", inc.MitigatedAt}, {"resolved", inc.ResolvedAt}} {
		if !f.at.IsZero() {
			fmt.Fprintf(c.out, "  %-10s %s\n", f.label, f.at.Local().Format(time.DateTime))
		}
	}
	fmt.Fprintf(c.out, "  customers  %s\n", inc.CustomersAffected)
	if i := inc.CustomerImpact; !i.Start.IsZero() || i.Count > 0 {
		fmt.Fprintf(c.out, "  impact     %s – %s, %d %s\n", localTime(i.Start), localTime(i.End), i.Count, i.Unit)
	}
	for _, l := range inc.Links {
		fmt.Fprintf(c.out, "  link       %s %s\n", l.URL, l.Label)
	}
	if inc.StatusPage.IncidentID != "" {
		fmt.Fprintf(c.out, "  status pg  %s (%s)\n", inc.StatusPage.Status, inc.StatusPage.IncidentID)
	}
	for _, col := range []ib.Collection{ib.Papertrail, ib.PostmortemItems} {
		for _, e := range inc.Collected(col) {
			fmt.Fprintf(c.out, "  %-10s %s: %s %s\n", col, e.Author, e.Text, e.Permalink)
		}
	}
	if pm := inc.Postmortem; !pm.StartAt.IsZero() {
		reviewed := ""
		if !pm.ReviewedAt.IsZero() {
			reviewed = " (reviewed)"
		}
		owner := "chosen when it begins"
		if pm.Owner != (ib.Person{}) {
			owner = pm.Owner.Label()
		}
		fmt.Fprintf(c.out, "  postmortem begins %s, owner %s, draft due %s, review %s%s\n", localTime(pm.StartAt), owner,
			localTime(pm.DueAt), localTime(pm.ReviewAt), reviewed)
		if pm.Document != "" {
			fmt.Fprintf(c.out, "  draft      %s\n", pm.Document)
		}
		if pm.Waived != "" {
			fmt.Fprintf(c.out, "  waived     %s\n", pm.Waived)
		}
		for _, a := range pm.Actions {
			state := "open"
			if !a.Open() {
				state = "done"
			}
			fmt.Fprintf(c.out, "  action %-3d %s (%s, due %s, %s)\n", a.N, a.Text, a.Owner.Label(), a.Due.Local().Format(time.DateOnly), state)
		}
	}
	if p := inc.Tickets; p.ProblemID != 0 {
		fmt.Fprintf(c.out, "  problem    %d %s\n", p.ProblemID, p.ProblemURL)
	}
	for _, t := range inc.Tickets.Linked {
		fmt.Fprintf(c.out, "  ticket     %d %s (%s) %s\n", t.ID, t.Subject, t.Status, t.Waived)
	}
	if m := inc.Metrics; m != nil {
		fmt.Fprintf(c.out, "  metrics    to declare %s · to mitigate %s · to resolve %s · customer impact %s\n",
			known(m.TimeToDeclare), known(m.TimeToMitigate), known(m.TimeToResolve), known(m.CustomerImpact))
	}
	fmt.Fprintf(c.out, "  web ui     %s\n", c.link(inc.ID))
	if timeline {
		fmt.Fprintln(c.out, "\nTimeline:")
		for _, e := range inc.Timeline {
			fmt.Fprintf(c.out, "  %s  %-16s %-12s %s\n", e.At.Local().Format(time.DateTime), e.Kind, e.By.Label(), e.Text)
		}
	}
	return nil
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "…"
	}
	return t.Local().Format(time.DateTime)
}

func (c *cli) list(ctx context.Context, all bool, query string) error {
	rows, err := c.incidents.List(ctx, ib.ListFilter{All: all, Query: query})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(c.out, "No open incidents. (`starter list --all` includes resolved ones.)")
		return nil
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEV\tSTATUS\tSTAGE\tCOMMANDER\tDECLARED\tTITLE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Status, r.Stage, r.Commander,
			r.StartedAt.Local().Format("2006-01-02 15:04"), r.Title)
	}
	return tw.Flush()
}

// known shows a metric, or "—" while its facts are not known.
func known(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return d.Round(time.Second).String()
}
