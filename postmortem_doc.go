package ib

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"
)

// DefaultPostmortemTemplate is the postmortem draft's shape unless the
// configuration names another (IB_POSTMORTEM_TEMPLATE). A replacement is a Go
// text/template over PostmortemDoc, with the functions postmortemFuncs names.
//
//go:embed postmortem.md.tmpl
var DefaultPostmortemTemplate string

// PostmortemDoc is what a postmortem template sees: the incident's whole
// record, its metrics, and times read in the commander's zone.
type PostmortemDoc struct {
	Incident
	Metrics Metrics
	Zone    string
}

// known are the people the incident knows by name.
func (d *PostmortemDoc) known() []Person {
	known := []Person{d.Commander, d.Declarer, d.Postmortem.Owner}
	for _, r := range d.Responders {
		known = append(known, r.Person)
	}
	for _, p := range d.Pages {
		known = append(known, p.By, p.AckedBy)
		known = append(known, p.Chain...)
	}
	return known
}

// Name is how the document names a person: by name where the incident knows
// it, else by Slack ID.
func (d *PostmortemDoc) Name(p Person) string {
	if p.Name == "" && p.SlackID != "" {
		known := d.known()
		if i := slices.IndexFunc(known, func(k Person) bool { return k.SlackID == p.SlackID && k.Name != "" }); i >= 0 {
			return known[i].Name
		}
	}
	return p.Label()
}

// People names everyone who took part, each once.
func (d *PostmortemDoc) People() []string {
	var out []string
	add := func(p Person) {
		if name := d.Name(p); p != (Person{}) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for _, p := range []Person{d.Commander, d.Declarer, d.Postmortem.Owner} {
		add(p)
	}
	for _, r := range d.Responders {
		add(r.Person)
	}
	for _, id := range d.Participants {
		add(Person{SlackID: id})
	}
	return out
}

// RenderPostmortem writes the postmortem draft of an incident with a template
// (DefaultPostmortemTemplate when tmpl is empty). A template that does not
// parse or fails on this incident is an EINVALID error naming the problem.
func RenderPostmortem(tmpl string, inc Incident) (string, error) {
	if tmpl == "" {
		tmpl = DefaultPostmortemTemplate
	}
	loc := inc.Postmortem.Location()
	t, err := template.New("postmortem").Funcs(postmortemFuncs(loc)).Parse(tmpl)
	if err != nil {
		return "", Errorf(EINVALID, "The postmortem template does not parse: %v", err)
	}
	var b strings.Builder
	doc := PostmortemDoc{Incident: inc, Metrics: inc.ResponseMetrics(), Zone: loc.String()}
	if err := t.Execute(&b, &doc); err != nil {
		return "", Errorf(EINVALID, "The postmortem template failed on %s: %v", inc.ID, err)
	}
	return b.String(), nil
}

// markdownText escapes what Markdown (and Slack, reading the file) would take
// for markup: HTML and Slack's <…> sequences, and link brackets.
func markdownText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`).Replace(s)
}

// postmortemFuncs are the functions templates may use. Times are shown in loc.
func postmortemFuncs(loc *time.Location) template.FuncMap {
	format := func(layout string) func(time.Time) string {
		return func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format(layout)
		}
	}
	minutes := func(d time.Duration) string {
		if d <= 0 {
			return "—"
		}
		return fmt.Sprintf("%d min", int(d.Round(time.Minute).Minutes()))
	}
	return template.FuncMap{
		"when":    format("2006-01-02 15:04 MST"),
		"clock":   format("2006-01-02 15:04"),
		"date":    format(time.DateOnly),
		"minutes": minutes,
		"since":   func(from, to time.Time) string { return minutes(to.Sub(from)) },
		"join":    strings.Join,
		// otherwise gives a default for an empty value: {{.Resolution | otherwise "none"}}.
		"otherwise": func(def string, v string) string {
			if v == "" {
				return def
			}
			return v
		},
		// md shows text people wrote as text: no HTML, no mention, no link
		// disguised behind other words.
		"md": markdownText,
		// cell is text people wrote, made safe inside a Markdown table cell.
		"cell": func(s string) string {
			return strings.NewReplacer("|", `\|`, "\n", " ").Replace(markdownText(s))
		},
		// url keeps an address inside a Markdown link's parentheses.
		"url": func(s string) string {
			return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(s)
		},
	}
}
