package oncall

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/incident-buddy/ib"
)

// MaxOnCallPerMonth is the on-call policy: nobody is on call more than one
// week in any calendar month.
const MaxOnCallPerMonth = 7 * 24 * time.Hour

// Identity turns an e-mail the catalog lists into the Slack user ID it
// belongs to ("" when it cannot tell), so that a person listed by e-mail in
// one rotation and by Slack ID in another is one person to the policy.
type Identity func(email string) string

// of is the identity of a member as listed: a Slack user ID, or an e-mail in
// any case; resolved to a Slack ID where resolve can.
func (resolve Identity) of(member string) string {
	m := strings.TrimSpace(member)
	if !strings.Contains(m, "@") {
		return m
	}
	m = strings.ToLower(m)
	if resolve != nil {
		if id := resolve(m); id != "" {
			return id
		}
	}
	return m
}

// People are everyone the catalog names, as it names them: the rotations'
// members and overrides, and the teams' managers, each once.
func (c *Catalog) People() []string {
	var people []string
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(people, p) {
			people = append(people, p)
		}
	}
	for _, r := range c.Rotations {
		for _, m := range r.Members {
			add(m)
		}
		for _, o := range r.Override {
			add(o.Member)
		}
	}
	for _, t := range c.Teams {
		add(t.Manager)
	}
	return people
}

// Check validates the catalog: every reference resolves, every rotation has
// members, every override makes sense, and over the months from `from` nobody
// (across all rotations) is on call more than 7 days in a calendar month. Each
// problem is one *Error naming what to fix, with exact dates and names.
func (c *Catalog) Check(from time.Time, months int) []error {
	return c.CheckPeople(from, months, nil)
}

// CheckPeople is Check with the people's e-mails resolved to Slack IDs.
func (c *Catalog) CheckPeople(from time.Time, months int, resolve Identity) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, ib.Errorf(ib.EINVALID, format, args...)) }

	unique := func(kind string, names []string) {
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" {
				bad("A %s has no name.", kind)
			} else if seen[n] {
				bad("Two %ss are named %q.", kind, n)
			}
			seen[n] = true
		}
	}
	unique("team", names(c.Teams, func(t Team) string { return t.Name }))
	unique("service", names(c.Services, func(s Service) string { return s.Name }))
	unique("rotation", names(c.Rotations, func(r Rotation) string { return r.Name }))

	if err := c.WatchRules("").Check(); err != nil {
		bad("alerting: %v.", err)
	}
	for _, s := range c.Services {
		if err := c.WatchRules(s.Name).Check(); err != nil {
			bad("Service %q: alerts: %v.", s.Name, err)
		}
		if !slices.ContainsFunc(c.Teams, func(t Team) bool { return t.Name == s.Team }) {
			bad("Service %q names team %q, which the catalog does not have.", s.Name, s.Team)
		}
		if _, ok := c.Rotation(s.Rotation); !ok {
			bad("Service %q names rotation %q, which the catalog does not have.", s.Name, s.Rotation)
		}
	}
	for sev, rotations := range c.AlwaysPaged {
		if !sev.Valid() {
			bad("always_paged names severity %q: use ib.S1, ib.S2, ib.S3 or ib.S4.", sev)
		}
		for _, name := range rotations {
			if _, ok := c.Rotation(name); !ok {
				bad("always_paged %s names rotation %q, which the catalog does not have.", sev, name)
			}
		}
	}
	for _, r := range c.Rotations {
		if len(r.Members) == 0 {
			bad("Rotation %q has no members: nobody would be on call.", r.Name)
		}
		for i, m := range r.Members {
			if j := slices.IndexFunc(r.Members[:i], func(o string) bool { return resolve.of(o) == resolve.of(m) }); j >= 0 {
				bad("Rotation %q lists %s twice (as %s and %s).", r.Name, resolve.of(m), r.Members[j], m)
			}
		}
		for _, o := range r.Override {
			if o.Member == "" || !o.End.After(o.Start) {
				bad("Rotation %q has an override (%s – %s) without a member or that ends before it starts.", r.Name, ib.Stamp(o.Start), ib.Stamp(o.End))
			}
		}
	}
	if len(errs) > 0 {
		return errs // the policy is only meaningful for a well-formed catalog
	}
	return append(errs, c.checkPolicy(from, months, resolve)...)
}

// checkPolicy finds anyone on call more than MaxOnCallPerMonth in a calendar
// month (UTC months), counting time on call in any rotation once.
func (c *Catalog) checkPolicy(from time.Time, months int, resolve Identity) []error {
	var errs []error
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := range months {
		start, end := first.AddDate(0, m, 0), first.AddDate(0, m+1, 0)
		byMember := c.onCallShifts(start, end, resolve)
		for _, member := range sortedKeys(byMember) {
			shifts := byMember[member]
			if total := duration(shifts); total > MaxOnCallPerMonth {
				var when, listed []string
				for _, s := range shifts {
					when = append(when, ib.Stamp(s.Start)+" – "+ib.Stamp(s.End))
				}
				for _, r := range c.Rotations {
					for _, m := range r.Members {
						if resolve.of(m) == member && !slices.Contains(listed, m) {
							listed = append(listed, m)
						}
					}
				}
				who := member
				if len(listed) > 1 || len(listed) == 1 && listed[0] != member {
					who += " (listed as " + strings.Join(listed, " and ") + ")"
				}
				errs = append(errs, ib.Errorf(ib.EINVALID, "%s would be on call %s in %s (%s); nobody may be on call more than 7 days in a calendar month. Add members to the rotation or an override.",
					who, days(total), start.Format("2006-01"), strings.Join(when, ", ")))
			}
		}
	}
	return errs
}

// union merges overlapping shifts of one member (from several rotations).
func union(shifts []Shift) []Shift {
	slices.SortFunc(shifts, func(a, b Shift) int { return a.Start.Compare(b.Start) })
	var out []Shift
	for _, s := range shifts {
		if n := len(out); n > 0 && !s.Start.After(out[n-1].End) {
			if s.End.After(out[n-1].End) {
				out[n-1].End = s.End
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func days(d time.Duration) string {
	h := int(d.Round(time.Hour).Hours())
	return fmt.Sprintf("%d days %d h", h/24, h%24)
}

func names[T any](items []T, name func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = name(it)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
