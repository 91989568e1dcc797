package ib

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what people type. Slack truncates long titles in channel topics and
// headers, and a note is a message, not a document.
const (
	MaxTitleRunes = 150
	MaxTextRunes  = 3000
)

// Person is someone taking part in an incident. SlackID is empty for people who
// act through the CLI without a Slack account.
type Person struct {
	SlackID string `json:"slack_id,omitempty"`
	Name    string `json:"name,omitempty"`
}

var slackUserIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{6,}$`)

// IsSlackUserID says whether s is a Slack user ID (U… or W…).
func IsSlackUserID(s string) bool { return slackUserIDPattern.MatchString(s) }

// Label is how a person is named in plain text.
func (p Person) Label() string {
	switch {
	case p.Name != "":
		return p.Name
	case p.SlackID != "":
		return p.SlackID
	default:
		return "someone"
	}
}

// Channel is the incident's Slack channel.
type Channel struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// HeaderTS is the timestamp of the incident's header message, which the bot
	// keeps up to date.
	HeaderTS string `json:"header_ts,omitempty"`
}

// Answer is an answer to a yes/no question that may not be known yet.
type Answer string

const (
	Yes     Answer = "yes"
	No      Answer = "no"
	Unknown Answer = "unknown"
)

// Summary is an incident without its timeline: everything a header, topic or list
// row shows. It is small, so it can travel to activities on every change.
type Summary struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    Severity `json:"severity"`
	Status      Status   `json:"status"`
	Stage       Stage    `json:"stage"`
	Impact      string   `json:"impact,omitempty"`
	Description string   `json:"description,omitempty"`
	Services    []string `json:"services,omitempty"`
	// CustomersAffected answers the first question of every incident: does this
	// affect customers' running workloads?
	CustomersAffected Answer    `json:"customers_affected,omitempty"`
	Commander         Person    `json:"commander"`
	Declarer          Person    `json:"declarer"`
	Channel           Channel   `json:"channel"`
	DeclaredAt        time.Time `json:"declared_at"`
	ResolvedAt        time.Time `json:"resolved_at,omitzero"`
	Resolution        string    `json:"resolution,omitempty"`
	DetectedAt        time.Time `json:"detected_at,omitzero"`
	MitigatedAt       time.Time `json:"mitigated_at,omitzero"`
	// CustomersAnsweredAt is when the first question was first answered yes or
	// no: how long it took to know matters as much as the answer.
	CustomersAnsweredAt time.Time      `json:"customers_answered_at,omitzero"`
	CustomerImpact      Impact         `json:"customer_impact"`
	Links               []Link         `json:"links,omitempty"`
	StatusPage          PublicIncident `json:"status_page"`
	Responders          []Responder    `json:"responders,omitempty"`
	Pages               []Page         `json:"pages,omitempty"`
	// Tickets are the incident's problem ticket and linked customer tickets.
	Tickets Tickets `json:"tickets,omitzero"`
	// OffHours are the pages that reached someone outside working hours.
	OffHours []OffHoursPage `json:"off_hours,omitempty"`
	// Postmortem is the incident's life after resolution.
	Postmortem Postmortem `json:"postmortem,omitzero"`
	// RecurrenceOf is the earlier incident of the same title this one is a
	// recurrence of; Recurrences are the later ones.
	RecurrenceOf string   `json:"recurrence_of,omitempty"`
	Recurrences  []string `json:"recurrences,omitempty"`
}

// Incident is the whole state of one incident, as its workflow keeps it.
type Incident struct {
	Summary
	Timeline []TimelineEvent `json:"timeline"`
	// Omitted is how many of the oldest timeline events the incident no
	// longer keeps (limits.go); the channel has them all.
	Omitted int `json:"omitted,omitempty"`
	// Participants are the Slack users who have acted in the incident's channel,
	// sorted.
	Participants []string        `json:"participants,omitempty"`
	Activity     ChannelActivity `json:"activity"`
	// Evidence are the messages marked for the papertrail and the postmortem.
	Evidence []Evidence `json:"evidence,omitempty"`
	// Metrics are the response's, as of the query that returned the incident
	// (Summary.ResponseMetrics computes them).
	Metrics *Metrics `json:"metrics,omitempty"`
	// Rules are what this run of the incident's workflow does (rules.go).
	Rules Rules `json:"-"`
	// correcting: the change being made corrects a fact after the
	// resolution (Make), and its events say so.
	correcting bool
}

// Declaration is what someone says when they declare an incident.
type Declaration struct {
	Title       string   `json:"title"`
	Severity    Severity `json:"severity"`
	Impact      string   `json:"impact,omitempty"`
	Description string   `json:"description,omitempty"`
	Services    []string `json:"services,omitempty"`
	// CustomersAffected: yes, no or unknown (the default).
	CustomersAffected Answer `json:"customers_affected,omitempty"`
	Commander         Person `json:"commander"` // defaults to the declarer
	Declarer          Person `json:"declarer"`
	// Alerts are the services' recent alerts, put on the timeline; the
	// first is when the problem was detected unless DetectedAt says.
	Alerts     []AlertEpisode `json:"alerts,omitempty"`
	DetectedAt time.Time      `json:"detected_at,omitzero"`
}

// Validate checks a declaration and returns it cleaned: trimmed, control
// characters removed, the commander defaulted to the declarer.
func (d Declaration) Validate() (Declaration, error) {
	d.Title = CleanText(d.Title)
	d.Impact = CleanText(d.Impact)
	d.Description = CleanText(d.Description)
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		return d, FieldErrorf("title", "An incident needs a title: say what is broken, e.g. `create S2 Checkout API returning 500s`.")
	case normalizeTitle(d.Title) == "":
		return d, FieldErrorf("title", "A title needs a word (or an emoji), not only punctuation: say what is broken.")
	case n > MaxTitleRunes:
		return d, FieldErrorf("title", "The title is %d characters long; keep it under %d and put the details in the description.", n, MaxTitleRunes)
	}
	if !d.Severity.Valid() {
		return d, FieldErrorf("severity", "Unknown severity %q: use one of S1, S2, S3, S4 (S1 is the worst).", d.Severity)
	}
	var err error
	if d.Services, err = cleanServices(d.Services); err != nil {
		return d, err
	}
	for _, f := range []struct{ name, text string }{{"impact", d.Impact}, {"description", d.Description}} {
		if n := utf8.RuneCountInString(f.text); n > MaxTextRunes {
			return d, FieldErrorf(f.name, "The %s is %d characters long; keep it under %d.", f.name, n, MaxTextRunes)
		}
	}
	switch d.CustomersAffected {
	case "":
		d.CustomersAffected = Unknown
	case Yes, No, Unknown:
	default:
		return d, FieldErrorf("customers_affected", "Do customers' workloads suffer? Answer yes, no or unknown, not %q.", d.CustomersAffected)
	}
	if d.Commander == (Person{}) {
		d.Commander = d.Declarer
	}
	if len(d.Alerts) > MaxSuggestionAlerts {
		d.Alerts = append(d.Alerts[:1], d.Alerts[len(d.Alerts)-MaxSuggestionAlerts+1:]...)
	}
	alerts := d.Alerts[:0:0]
	for _, a := range d.Alerts {
		if b, err := a.Alert.Bounded(); err == nil {
			alerts = append(alerts, AlertEpisode{Alert: b})
		}
	}
	d.Alerts = alerts
	return d, nil
}

// NewIncident starts an incident's record from a validated declaration.
func NewIncident(id string, d Declaration, at time.Time) Incident {
	inc := Incident{Summary: Summary{
		ID: id, Title: d.Title, Severity: d.Severity, Status: Investigating, Stage: StageActive,
		Impact: d.Impact, Description: d.Description, Services: d.Services, CustomersAffected: d.CustomersAffected,
		Commander: d.Commander, Declarer: d.Declarer, DeclaredAt: at,
	}}
	inc.record(at, EventDeclared, d.Declarer, d.Severity.String()+" "+d.Title)
	if d.CustomersAffected == Yes || d.CustomersAffected == No {
		inc.CustomersAnsweredAt = at.UTC()
	}
	for _, p := range []Person{d.Declarer, d.Commander} {
		inc.Observe(ChannelEvent{User: p.SlackID})
	}
	for _, a := range d.Alerts {
		inc.recordAbout(a.StartsAt, EventAlert, Bot, Person{}, a.Line(), a.StartsAt, a.EndsAt)
	}
	detected := d.DetectedAt
	if detected.IsZero() && len(d.Alerts) > 0 {
		detected = d.Alerts[0].StartsAt
	}
	if !detected.IsZero() && detected.Before(at) {
		inc.DetectedAt = detected.UTC()
		inc.record(detected, EventDetected, Bot, "first detected")
	}
	return inc
}

// Note puts the bot's own remark on the timeline (a reminder, a failure).
// The times it names (with Stamp), at most two, Slack shows in each reader's
// zone.
func (inc *Incident) Note(at time.Time, kind EventKind, text string, times ...time.Time) TimelineEvent {
	return inc.recordAbout(at, kind, Bot, Person{}, text, times...)
}

// Bot is Incident Buddy itself, as the author of the events it records.
var Bot = Person{Name: "Incident Buddy"}

// record puts an event on the timeline in time order: a detection time given
// after declaring goes before the declaration.
func (inc *Incident) record(at time.Time, kind EventKind, by Person, text string) TimelineEvent {
	return inc.add(TimelineEvent{At: at.UTC(), Kind: kind, By: by, Text: text})
}

// recordAbout is record for an event about a person, or naming times.
func (inc *Incident) recordAbout(at time.Time, kind EventKind, by, whom Person, text string, times ...time.Time) TimelineEvent {
	e := TimelineEvent{At: at.UTC(), Kind: kind, By: by, Whom: whom, Text: text}
	copy(e.Times[:], times)
	return inc.add(e)
}

func (inc *Incident) add(e TimelineEvent) TimelineEvent {
	e.Correction = inc.correcting
	i := len(inc.Timeline)
	for i > 0 && inc.Timeline[i-1].At.After(e.At) {
		i--
	}
	inc.Timeline = slices.Insert(inc.Timeline, i, e)
	return e
}

// cleanServices cleans a declaration's services, each once, and checks their
// number and length.
func cleanServices(services []string) ([]string, error) {
	var out []string
	for _, s := range services {
		if s = CleanText(s); s != "" && !slices.Contains(out, s) {
			if err := checkService(s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	if len(out) > MaxServices {
		return nil, FieldErrorf("services", "%d services is too many; name at most %d, the most affected first.", len(out), MaxServices)
	}
	return out, nil
}

// checkService checks a service's name.
func checkService(s string) error {
	if n := utf8.RuneCountInString(s); n > MaxServiceRunes {
		return FieldErrorf("services", "%q is not a service name (%d characters; names are at most %d).", clipRunes(s, 40), n, MaxServiceRunes)
	}
	return nil
}

// CleanText trims text and drops what could break or disguise it: invalid
// UTF-8, control characters other than newlines and tabs, and the invisible
// format characters (zero-width spaces and joiners, bidirectional overrides)
// that make text read as something else. Slack's markup becomes the text
// people typed (readable).
func CleanText(s string) string {
	return strings.TrimSpace(stripText(readable(s)))
}

// stripText drops what CleanText drops, keeping Slack's markup as it came:
// commands are split into words before their people and links are read.
func stripText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

func (s Severity) String() string { return string(s) }

// HandOver makes someone else the incident's commander.
type HandOver struct {
	Commander string `json:"target"` // a Slack user ID, or a name
	By        Person `json:"by"`
}

func (c *HandOver) read(args []string, t Typist) error {
	if len(args) != 1 {
		return usageProblem("needs one person")
	}
	var err error
	c.Commander, err = t.person(args[0])
	c.By = t.By
	return err
}

func (c HandOver) Asker() Person { return c.By }

func (c HandOver) Check(inc *Incident, _ time.Time) error {
	next := PersonNamed(c.Commander)
	switch {
	case next == (Person{}):
		return Errorf(EINVALID, "Who takes over? `commander @someone`.")
	case next == inc.Commander || next.SlackID != "" && next.SlackID == inc.Commander.SlackID:
		return Errorf(ECONFLICT, "%s already commands %s.", next.Label(), inc.ID)
	}
	return checkName(c.Commander, "")
}

func (c HandOver) Apply(inc *Incident, at time.Time) Applied {
	from := inc.Commander
	inc.Commander = PersonNamed(c.Commander)
	e := inc.recordAbout(at, EventCommander, c.By, inc.Commander, fmt.Sprintf("%s → %s", from.Label(), inc.Commander.Label()))
	if inc.Commander.SlackID == "" {
		return fact(e)
	}
	return Applied{Event: e, Owed: []Owed{{Kind: OweInvite, To: inc.Commander.SlackID}}}
}

// clipRunes shortens text to at most n runes, marking the cut.
func clipRunes(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return string([]rune(text)[:n-1]) + "…"
}
