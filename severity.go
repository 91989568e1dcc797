package ib

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Severity says how bad an incident is. S1 is the worst.
type Severity string

const (
	S1 Severity = "S1"
	S2 Severity = "S2"
	S3 Severity = "S3"
	S4 Severity = "S4"
)

// Severities lists every severity, worst first.
var Severities = []Severity{S1, S2, S3, S4}

var severityMeanings = map[Severity]string{
	S1: "Critical: customers broadly cannot use the product, or data is at risk",
	S2: "Major: a key feature is broken or badly degraded for many customers",
	S3: "Minor: partial degradation with a workaround, or few customers affected",
	S4: "Low: no customer impact yet; internal or cosmetic",
}

// Meaning is the one-line description shown next to the severity.
func (s Severity) Meaning() string { return severityMeanings[s] }

// Valid reports whether s is one of S1–S4.
func (s Severity) Valid() bool { _, ok := severityMeanings[s]; return ok }

// ParseSeverity accepts S1–S4 in any case ("s1", "SEV1" and "sev-1" too).
func ParseSeverity(text string) (Severity, error) {
	t := strings.ToUpper(strings.TrimSpace(text))
	t = strings.TrimPrefix(t, "SEV")
	t = strings.TrimPrefix(t, "-")
	t = strings.TrimPrefix(t, "S")
	if s := Severity("S" + t); s.Valid() {
		return s, nil
	}
	return "", Errorf(EINVALID, "Unknown severity %q: use one of S1, S2, S3, S4 (S1 is the worst).", text)
}

// looksLikeSeverity tells a severity-shaped word ("S5", "sev2") from an ordinary
// first word of a title, so that "create S5 …" is refused instead of becoming a
// title that starts with "S5".
func looksLikeSeverity(word string) bool {
	w := strings.ToUpper(word)
	for _, p := range []string{"SEV-", "SEV", "S"} {
		if rest, ok := strings.CutPrefix(w, p); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// SeverityHelp lists the severities with their meanings, one per line.
func SeverityHelp() string {
	var b strings.Builder
	for _, s := range Severities {
		fmt.Fprintf(&b, "%s — %s\n", s, s.Meaning())
	}
	return b.String()
}

// SetSeverity says the incident is better or worse than thought.
type SetSeverity struct {
	Severity Severity `json:"severity"`
	By       Person   `json:"by"`
}

func (c *SetSeverity) read(args []string, t Typist) error {
	if len(args) != 1 {
		return usageProblem("needs one severity")
	}
	var err error
	c.Severity, err = ParseSeverity(args[0])
	c.By = t.By
	return err
}

func (c SetSeverity) Asker() Person { return c.By }

func (c SetSeverity) Check(inc *Incident, _ time.Time) error {
	switch {
	case !c.Severity.Valid():
		return Errorf(EINVALID, "Unknown severity %q: use one of S1, S2, S3, S4.", c.Severity)
	case c.Severity == inc.Severity:
		return Errorf(ECONFLICT, "%s is already %s.", inc.ID, c.Severity)
	}
	return nil
}

func (c SetSeverity) Apply(inc *Incident, at time.Time) Applied {
	from := inc.Severity
	inc.Severity = c.Severity
	a := fact(inc.record(at, EventSeverityChanged, c.By, fmt.Sprintf("%s → %s", from, c.Severity)))
	if inc.Rules.LivedIn && major(c.Severity) && !major(from) {
		// Raised to a major incident: #incidents hears of it again.
		a.Owed = []Owed{{Kind: OweAnnouncement, Message: inc.message(MsgRaised, "raised-"+strconv.Itoa(len(inc.Timeline)))}}
	}
	return a
}

// major says whether an incident of the severity is a major one (S1, S2).
func major(s Severity) bool { return s == S1 || s == S2 }
