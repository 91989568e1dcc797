package oncall

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/incident-buddy/ib"
	"go.yaml.in/yaml/v3"
)

// Catalog is the service catalog, kept as code: which team owns each service,
// which rotation is on call for it, and which rotations every incident of a
// severity pages. Teams that build a service support it.
type Catalog struct {
	Teams       []Team                   `yaml:"teams"`
	Services    []Service                `yaml:"services"`
	Rotations   []Rotation               `yaml:"rotations"`
	AlwaysPaged map[ib.Severity][]string `yaml:"always_paged"` // severity → rotation names
	// OffHours is the policy for people paged outside their working hours.
	OffHours OffHoursPolicy `yaml:"off_hours"`
	// Alerting is how alerts reach owners before they become incidents.
	Alerting Alerting `yaml:"alerting"`
}

// Alerting is the catalog's say on alerts: the customer reliability team's
// channel (where Declare? suggestions also go), the default thresholds every
// service's watch uses, and the channel where alerts of no known service are
// listed for the catalog's owners.
type Alerting struct {
	CustomerChannel string `yaml:"customer_channel"`
	UnknownChannel  string `yaml:"unknown_channel"` // default: the incidents channel
	Rules           `yaml:",inline"`
}

// Rules are a watch's thresholds as the catalog writes them.
type Rules struct {
	FlapCount  int           `yaml:"flap_count"`  // auto-resolved firings that are flapping (3)
	FlapWindow time.Duration `yaml:"flap_window"` // within this (60m)
	SuggestOn  string        `yaml:"suggest_on"`  // both, flapping or ticket
}

// OffHoursPolicy is what someone paged outside their working hours is owed:
// the next working morning the bot reminds them (and their manager, if asked)
// to take it.
type OffHoursPolicy struct {
	Recovery string `yaml:"recovery"` // e.g. "half a day off"; default DefaultRecovery
	// RecoveryTime is how long the recovery lasts from the next working
	// morning: nobody still recovering is made a postmortem's owner, and the
	// postmortem stage waits for it. Default DefaultRecoveryTime.
	RecoveryTime  time.Duration `yaml:"recovery_time"`
	NotifyManager bool          `yaml:"notify_manager"` // remind the team's manager too
}

// DefaultRecovery is the recovery time granted when the catalog does not say.
const DefaultRecovery = "the time you need to recover (start late or leave early today)"

// DefaultRecoveryTime is how long a recovery lasts when the catalog does not
// say: a morning.
const DefaultRecoveryTime = 4 * time.Hour

// Team owns services.
type Team struct {
	Name    string `yaml:"name"`
	Slack   string `yaml:"slack"`   // handle or user group
	Manager string `yaml:"manager"` // Slack user ID or e-mail
	// Channel is the team's channel, where Declare? suggestions about its
	// services go (default: the incidents channel).
	Channel string `yaml:"channel"`
	// AlertChannel, when set, gets the alerts of the team's services instead
	// of a direct message to whoever is on call.
	AlertChannel string `yaml:"alert_channel"`
}

// Service is something that can break, with what routes a problem to it.
type Service struct {
	Name        string   `yaml:"name"`
	Team        string   `yaml:"team"`
	Rotation    string   `yaml:"rotation"`
	Description string   `yaml:"description"`
	Keywords    []string `yaml:"keywords"`
	Aliases     []string `yaml:"aliases"`
	Dashboards  []string `yaml:"dashboards"`
	Runbooks    []string `yaml:"runbooks"`
	// Alerts says which alerts are this service's, beside a service label
	// naming it, and its own thresholds.
	Alerts ServiceAlerts `yaml:"alerts"`
}

// ServiceAlerts routes alerts to a service by their labels: every label of
// one matcher must have the value given.
type ServiceAlerts struct {
	Match []map[string]string `yaml:"match"`
	Rules `yaml:",inline"`
}

// Rotation is a weekly on-call rotation.
type Rotation struct {
	Name     string     `yaml:"name"`
	Members  []string   `yaml:"members"` // Slack user IDs or e-mails, in turn order
	Handoff  Handoff    `yaml:"handoff"`
	TimeZone string     `yaml:"time_zone"`
	Start    string     `yaml:"start"` // YYYY-MM-DD: the first member starts at the first hand-off on or after it
	Override []Override `yaml:"overrides"`
	// PagerDutyRoutingKey, when set, also pages this rotation through
	// PagerDuty's Events API v2.
	PagerDutyRoutingKey string `yaml:"pagerduty_routing_key"`
	// WorkingHours are the members' working hours on working days, in the
	// rotation's time zone: "09:00-18:00" (the default). A page outside them
	// is off-hours.
	WorkingHours string `yaml:"working_hours"`
	// WorkingDays are the members' working days ("monday", …); default
	// Monday to Friday.
	WorkingDays []string `yaml:"working_days"`

	loc   *time.Location
	epoch time.Time // the first hand-off
	hours ib.WorkingHours
}

// Handoff is when a rotation passes to the next member, in its time zone.
type Handoff struct {
	Weekday string `yaml:"weekday"`
	Hour    int    `yaml:"hour"`
}

// Override puts someone else on call for a while.
type Override struct {
	Start  time.Time `yaml:"start"`
	End    time.Time `yaml:"end"`
	Member string    `yaml:"member"`
}

// ParseCatalog reads a catalog (YAML) and resolves its rotations' time zones
// and first hand-offs. It does not check references or the on-call policy:
// Check does.
func ParseCatalog(data []byte) (*Catalog, error) {
	var c Catalog
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, ib.Errorf(ib.EINVALID, "The catalog is not valid YAML of the expected shape: %v", err)
	}
	for i := range c.Rotations {
		if err := c.Rotations[i].resolve(); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func (r *Rotation) resolve() error {
	bad := func(format string, args ...any) error {
		return ib.Errorf(ib.EINVALID, "Rotation %q: %s", r.Name, fmt.Sprintf(format, args...))
	}
	loc, err := ib.LoadZone(r.TimeZone)
	if err != nil || r.TimeZone == "" {
		return bad("time_zone %q is not a time zone such as Europe/Berlin", r.TimeZone)
	}
	day, ok := weekdays[strings.ToLower(r.Handoff.Weekday)]
	if !ok {
		return bad("handoff weekday %q is not a day of the week", r.Handoff.Weekday)
	}
	if r.Handoff.Hour < 0 || r.Handoff.Hour > 23 {
		return bad("handoff hour %d is not between 0 and 23", r.Handoff.Hour)
	}
	start, err := time.ParseInLocation(time.DateOnly, r.Start, loc)
	if err != nil {
		return bad("start %q is not a date such as 2026-01-05", r.Start)
	}
	for start.Weekday() != day {
		start = start.AddDate(0, 0, 1)
	}
	r.loc = loc
	r.epoch = time.Date(start.Year(), start.Month(), start.Day(), r.Handoff.Hour, 0, 0, 0, loc)
	r.hours = ib.DefaultWorkingHours
	if r.WorkingHours != "" {
		var from, to int
		if n, _ := fmt.Sscanf(r.WorkingHours, "%d:00-%d:00", &from, &to); n != 2 || from < 0 || to > 24 || from >= to {
			return bad("working_hours %q must look like 09:00-18:00 (whole hours, start before end)", r.WorkingHours)
		}
		r.hours = ib.WorkingHours{Start: from, End: to}
	}
	for _, name := range r.WorkingDays {
		d, ok := weekdays[strings.ToLower(name)]
		if !ok {
			return bad("working_days: %q is not a day of the week", name)
		}
		r.hours.Days[d] = true
	}
	return nil
}

// Care is what the catalog knows of a member's working life: their zone and
// working hours (their rotation's), and who manages them.
type Care struct {
	Zone     *time.Location
	Hours    ib.WorkingHours
	Manager  string // the owning team's manager (Slack user ID or e-mail), "" if none
	Recovery string // what the policy grants after an off-hours page
	// RecoveryTime is how long the recovery lasts from the next working
	// morning.
	RecoveryTime time.Duration
	// NotifyManager: the manager is reminded too.
	NotifyManager bool
}

// CareOf finds a member by any of their names (Slack user ID, e-mail) in the
// rotations, members or overrides; ok is false for someone in none, or
// without a catalog.
func (c *Catalog) CareOf(names ...string) (Care, bool) {
	if c == nil {
		return Care{}, false
	}
	named := func(m string) bool { return m != "" && slices.Contains(names, m) }
	for i := range c.Rotations {
		r := &c.Rotations[i]
		if !slices.ContainsFunc(r.Members, named) && !slices.ContainsFunc(r.Override, func(o Override) bool { return named(o.Member) }) {
			continue
		}
		care := Care{Zone: r.loc, Hours: r.hours, Recovery: c.OffHours.Recovery, RecoveryTime: c.OffHours.RecoveryTime, NotifyManager: c.OffHours.NotifyManager}
		if care.Recovery == "" {
			care.Recovery = DefaultRecovery
		}
		if care.RecoveryTime <= 0 {
			care.RecoveryTime = DefaultRecoveryTime
		}
		for _, s := range c.Services {
			if s.Rotation != r.Name {
				continue
			}
			if t := slices.IndexFunc(c.Teams, func(t Team) bool { return t.Name == s.Team }); t >= 0 && c.Teams[t].Manager != "" {
				care.Manager = c.Teams[t].Manager
				break
			}
		}
		return care, true
	}
	return Care{}, false
}

// LoadCatalog reads a catalog file and checks it over the next 3 months from
// now: a catalog that breaks a reference or the on-call policy is refused,
// with every problem named. read is os.ReadFile in main; "" means no catalog.
func LoadCatalog(path string, read func(string) ([]byte, error), now time.Time) (*Catalog, error) {
	if path == "" {
		return nil, nil
	}
	data, err := read(path)
	if err != nil {
		return nil, ib.Errorf(ib.EINVALID, "Cannot read the catalog (IB_CATALOG): %v", err)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		return nil, err
	}
	if errs := c.Check(now, 3); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = ib.ErrorMessage(e)
		}
		return nil, ib.Errorf(ib.EINVALID, "The catalog %s is refused (run `starter catalog check`):\n  %s", path, strings.Join(msgs, "\n  "))
	}
	return c, nil
}

// RoutingKey is the PagerDuty routing key for paging a target (a service), or
// "" when its rotation has none.
func (c *Catalog) RoutingKey(target string) string {
	if s, ok := c.Service(target); ok {
		if r, ok := c.Rotation(s.Rotation); ok {
			return r.PagerDutyRoutingKey
		}
	}
	return ""
}

// Rotation finds a rotation by name.
func (c *Catalog) Rotation(name string) (*Rotation, bool) {
	if c == nil {
		return nil, false
	}
	for i := range c.Rotations {
		if c.Rotations[i].Name == name {
			return &c.Rotations[i], true
		}
	}
	return nil, false
}

// ServiceNames are the catalog's services, in its order; none without a
// catalog.
func (c *Catalog) ServiceNames() []string {
	if c == nil {
		return nil
	}
	names := make([]string, len(c.Services))
	for i, s := range c.Services {
		names[i] = s.Name
	}
	return names
}

// ServicesLike are the services whose name or alias contains query, in any
// case, in the catalog's order, at most limit of them.
func (c *Catalog) ServicesLike(query string, limit int) []string {
	query = strings.ToLower(strings.TrimSpace(query))
	var names []string
	for _, s := range c.Services {
		if len(names) == limit {
			break
		}
		if slices.ContainsFunc(append([]string{s.Name}, s.Aliases...), func(n string) bool { return strings.Contains(strings.ToLower(n), query) }) {
			names = append(names, s.Name)
		}
	}
	return names
}

// Service finds a service by name or alias, in any case.
func (c *Catalog) Service(name string) (*Service, bool) {
	if c == nil {
		return nil, false
	}
	for i := range c.Services {
		s := &c.Services[i]
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
		for _, a := range s.Aliases {
			if strings.EqualFold(a, name) {
				return s, true
			}
		}
	}
	return nil, false
}

// OnCallFor lists who is on call at t for the services, then for the
// rotations every incident of the severity pages, each person once. Members
// are as the catalog names them (Slack user ID or e-mail). unknown lists the
// services the catalog does not have.
func (c *Catalog) OnCallFor(services []string, sev ib.Severity, t time.Time) (responders []ib.Responder, unknown []string) {
	add := func(rotation, service string) {
		r, ok := c.Rotation(rotation)
		if !ok {
			return
		}
		who := r.OnCall(t)
		for _, have := range responders {
			if have.SlackID == who {
				return
			}
		}
		if who != "" {
			responders = append(responders, ib.Responder{Person: ib.Person{SlackID: who}, Rotation: rotation, Service: service})
		}
	}
	for _, name := range services {
		s, ok := c.Service(name)
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		add(s.Rotation, s.Name)
	}
	for _, rotation := range c.AlwaysPaged[sev] {
		add(rotation, "")
	}
	return responders, unknown
}

// LiveCatalog is the catalog in use. A reload swaps it whole, so readers never
// see half of one; a nil *LiveCatalog holds no catalog.
type LiveCatalog struct{ current atomic.Pointer[Catalog] }

// NewLiveCatalog holds c (which may be nil).
func NewLiveCatalog(c *Catalog) *LiveCatalog {
	l := &LiveCatalog{}
	l.current.Store(c)
	return l
}

// Get is the catalog in use, or nil.
func (l *LiveCatalog) Get() *Catalog {
	if l == nil {
		return nil
	}
	return l.current.Load()
}

// Reload reads the catalog again and uses it if it passes the check. A
// catalog that breaks a reference or the policy is refused, with the reason,
// and the last good one stays in use.
func (l *LiveCatalog) Reload(path string, read func(string) ([]byte, error), now time.Time) error {
	c, err := LoadCatalog(path, read, now)
	if err != nil {
		return err
	}
	l.current.Store(c)
	return nil
}

// ServiceOfAlert is the service whose alert has these labels: the one its
// service label names (by name or alias), else the first whose matcher it
// meets; ok is false for none.
func (c *Catalog) ServiceOfAlert(labels map[string]string) (string, bool) {
	if c == nil {
		return "", false
	}
	if s, ok := c.Service(labels["service"]); ok {
		return s.Name, true
	}
	for _, s := range c.Services {
		for _, m := range s.Alerts.Match {
			if len(m) > 0 && matches(labels, m) {
				return s.Name, true
			}
		}
	}
	return "", false
}

func matches(labels, matcher map[string]string) bool {
	for k, v := range matcher {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// WatchRules are a service's alert thresholds: its own, else the catalog's,
// else the defaults.
func (c *Catalog) WatchRules(service string) ib.WatchRules {
	if c == nil {
		return ib.DefaultWatchRules
	}
	r := c.Alerting.Rules
	if s, ok := c.Service(service); ok {
		r = r.over(s.Alerts.Rules)
	}
	return ib.WatchRules{FlapCount: r.FlapCount, FlapWindow: r.FlapWindow, SuggestOn: r.SuggestOn}.WithDefaults()
}

// over is r with what o sets.
func (r Rules) over(o Rules) Rules {
	if o.FlapCount > 0 {
		r.FlapCount = o.FlapCount
	}
	if o.FlapWindow > 0 {
		r.FlapWindow = o.FlapWindow
	}
	if o.SuggestOn != "" {
		r.SuggestOn = o.SuggestOn
	}
	return r
}

// Team is the team that owns a service.
func (c *Catalog) TeamOf(service string) (Team, bool) {
	if c == nil {
		return Team{}, false
	}
	s, ok := c.Service(service)
	if !ok {
		return Team{}, false
	}
	for _, t := range c.Teams {
		if t.Name == s.Team {
			return t, true
		}
	}
	return Team{}, false
}
