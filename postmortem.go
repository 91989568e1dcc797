package ib

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PostmortemPolicy is how an organisation carries incidents through their
// postmortem stage. Zero values take the defaults (see withDefaults).
type PostmortemPolicy struct {
	// Start is when a resolved incident enters its postmortem stage:
	// "next-morning" (the next working morning in the commander's zone, so people
	// sleep first), "now", or a duration after resolution such as "2h".
	Start string `json:"start,omitempty"`
	// WorkdayStart is the hour working mornings begin.
	WorkdayStart int `json:"workday_start,omitempty"`
	// DraftDays are the working days the owner has for the draft, by severity.
	DraftDays map[Severity]int `json:"draft_days,omitempty"`
	// ReviewAfter is how long after resolution the review meeting is held,
	// moved to the next working morning.
	ReviewAfter time.Duration `json:"review_after,omitempty"`
	// Rest is, with next-morning, the rest people get after the resolution
	// before the stage begins (by the rules of runs since lived-in).
	Rest time.Duration `json:"rest,omitempty"`
	// Zone is the time zone used when the commander's is not known.
	Zone string `json:"zone,omitempty"`
}

// DefaultDraftDays are the working days for a postmortem draft by severity.
var DefaultDraftDays = map[Severity]int{S1: 3, S2: 5, S3: 10, S4: 10}

func (p PostmortemPolicy) withDefaults() PostmortemPolicy {
	if p.Start == "" {
		p.Start = "next-morning"
	}
	if p.WorkdayStart == 0 {
		p.WorkdayStart = DefaultWorkdayStart
	}
	if p.ReviewAfter == 0 {
		p.ReviewAfter = 7 * 24 * time.Hour
	}
	if p.Zone == "" {
		p.Zone = "UTC"
	}
	return p
}

// Check says what is wrong with the policy, in the words of its settings.
func (p PostmortemPolicy) Check() error {
	p = p.withDefaults()
	if p.Start != "next-morning" && p.Start != "now" {
		if d, err := time.ParseDuration(p.Start); err != nil || d < 0 {
			return fmt.Errorf("%q must be next-morning, now, or a duration such as 2h", p.Start)
		}
	}
	if p.WorkdayStart < 0 || p.WorkdayStart > 23 {
		return fmt.Errorf("the working morning's hour %d must be 0–23", p.WorkdayStart)
	}
	if _, err := LoadZone(p.Zone); err != nil {
		return err
	}
	for sev, days := range p.DraftDays {
		if !sev.Valid() || days < 1 {
			return fmt.Errorf("draft days %s=%d: give S1–S4 a number of working days of at least 1", sev, days)
		}
	}
	return nil
}

// draftDays is how many working days a draft has for an incident of sev.
func (p PostmortemPolicy) draftDays(sev Severity) int {
	if d := p.DraftDays[sev]; d > 0 {
		return d
	}
	return DefaultDraftDays[sev]
}

// ParseDraftDays reads "S1=3,S2=5" (severities left out keep their defaults).
func ParseDraftDays(text string) (map[Severity]int, error) {
	days := map[Severity]int{}
	for _, item := range SplitList(text) {
		name, n, ok := strings.Cut(item, "=")
		sev, err := ParseSeverity(name)
		var d int
		if _, scanErr := fmt.Sscan(n, &d); !ok || err != nil || scanErr != nil || d < 1 {
			return nil, fmt.Errorf("%q must look like S1=3 (a severity and at least 1 working day)", item)
		}
		days[sev] = d
	}
	return days, nil
}

// Postmortem is the incident's life after resolution: when its postmortem stage
// begins, who writes the document by when, the review meeting, and action
// items. Every reminder it implies is computed from it (NextReminder), so that
// a workflow holds one durable timer at a time and loses none.
type Postmortem struct {
	Required bool   `json:"required"`       // S1 and S2 may not waive it
	Zone     string `json:"zone,omitempty"` // the commander's: working days are theirs
	// WorkdayStart is the hour working mornings begin, from the policy.
	WorkdayStart int `json:"workday_start,omitempty"`
	// StartAt is when the postmortem stage begins; zero until resolution.
	StartAt time.Time `json:"start_at,omitzero"`
	// ReviewAt is the review meeting.
	ReviewAt time.Time `json:"review_at,omitzero"`

	Owner     Person    `json:"owner,omitzero"`
	DueAt     time.Time `json:"due_at,omitzero"`     // the draft's deadline
	DraftedAt time.Time `json:"drafted_at,omitzero"` // the owner said the draft is written
	Document  string    `json:"document,omitempty"`  // where the document store keeps the latest draft (for operators; never shown in Slack)
	Drafts    int       `json:"drafts,omitempty"`    // drafts generated

	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
	ReviewedBy Person    `json:"reviewed_by,omitzero"`
	Waived     string    `json:"waived,omitempty"` // the reason, when the commander waived it
	WaivedBy   Person    `json:"waived_by,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`

	Actions []Action `json:"actions,omitempty"`

	// When the owner and the review's people were last reminded.
	OwnerRemindedAt  time.Time `json:"owner_reminded_at,omitzero"`
	ReviewRemindedAt time.Time `json:"review_reminded_at,omitzero"`
}

// Action is one thing to do so that the incident does not happen again.
type Action struct {
	N          int       `json:"n"`
	Text       string    `json:"text"`
	Owner      Person    `json:"owner"`
	Due        time.Time `json:"due"`
	AddedBy    Person    `json:"added_by"`
	DoneAt     time.Time `json:"done_at,omitzero"`
	DoneBy     Person    `json:"done_by,omitzero"`
	RemindedAt time.Time `json:"reminded_at,omitzero"`
}

// Open says whether the action is still to do.
func (a Action) Open() bool { return a.DoneAt.IsZero() }

// Limits on action items: a postmortem with more than 50 is a project plan.
const (
	MaxActions         = 50
	MaxActionTextRunes = 300
)

func (p Postmortem) workdayStart() int {
	if p.WorkdayStart > 0 {
		return p.WorkdayStart
	}
	return DefaultWorkdayStart
}

// Location is the zone the postmortem's working days are counted in.
func (p Postmortem) Location() *time.Location {
	if loc, err := LoadZone(p.Zone); err == nil && p.Zone != "" {
		return loc
	}
	return time.UTC
}

// PlanPostmortem schedules the postmortem stage and the review once the
// incident is resolved, in the commander's zone (the policy's when unknown).
func (inc *Incident) PlanPostmortem(policy PostmortemPolicy, zone string) {
	policy = policy.withDefaults()
	if _, err := LoadZone(zone); err != nil || zone == "" {
		zone = policy.Zone
	}
	pm := &inc.Postmortem
	pm.Required = inc.Severity == S1 || inc.Severity == S2
	pm.Zone, pm.WorkdayStart = zone, policy.WorkdayStart
	loc := pm.Location()
	resolved := inc.ResolvedAt
	switch policy.Start {
	case "next-morning":
		pm.StartAt = NextWorkingMorning(inc.restedAt(policy.Rest), loc, policy.WorkdayStart).UTC()
	case "now":
		pm.StartAt = resolved
	default:
		d, _ := time.ParseDuration(policy.Start)
		pm.StartAt = resolved.Add(d)
	}
	pm.ReviewAt = NextWorkingMorning(resolved.Add(policy.ReviewAfter).Add(-time.Nanosecond), loc, policy.WorkdayStart).UTC()
}

// restedAt is when the people of the incident have rested after its
// resolution: a rest after it, and the recovery of everyone paged
// off-hours. Runs before the lived-in rules waited for neither.
func (inc *Incident) restedAt(rest time.Duration) time.Time {
	t := inc.ResolvedAt
	if !inc.Rules.LivedIn {
		return t
	}
	t = t.Add(rest)
	for _, o := range inc.OffHours {
		if o.RecoveredAt.After(t) {
			t = o.RecoveredAt
		}
	}
	return t
}

// StartPostmortem moves a resolved incident into its postmortem stage.
func (inc *Incident) StartPostmortem(at time.Time, by Person) TimelineEvent {
	inc.Stage = StagePostmortem
	return inc.record(at, EventStage, by, "postmortem stage began")
}

// NeedsOwner says whether the postmortem stage has begun without an owner
// and a deadline (someone may have been named owner before it began).
func (inc *Incident) NeedsOwner() bool {
	pm := inc.Postmortem
	return (inc.Stage == StagePostmortem || inc.Stage == StageReview) && pm.DueAt.IsZero() && pm.Waived == "" && pm.ReviewedAt.IsZero()
}

// AssignOwner makes someone the owner of the postmortem, due the policy's
// working days after the stage began.
func (inc *Incident) AssignOwner(owner Person, policy PostmortemPolicy, at time.Time) TimelineEvent {
	policy = policy.withDefaults()
	pm := &inc.Postmortem
	pm.Owner, pm.OwnerRemindedAt = owner, at.UTC()
	if pm.DueAt.IsZero() {
		pm.DueAt = AddWorkingDays(at, policy.draftDays(inc.Severity), pm.Location()).UTC()
	}
	return inc.recordAbout(at, EventStage, Bot, owner, fmt.Sprintf("postmortem owner: %s, draft due %s", owner.Label(), Stamp(pm.DueAt)), pm.DueAt)
}

// ReminderKind names what a reminder is about.
type ReminderKind string

const (
	RemindStage  ReminderKind = "stage"  // the postmortem stage begins
	RemindDraft  ReminderKind = "draft"  // the owner: the draft is due, or overdue
	RemindReview ReminderKind = "review" // the review meeting is near, or not recorded
	RemindAction ReminderKind = "action" // an action item's owner: due, or overdue
	// RemindFollowUp: whoever follows up with the customers, at resolution
	// and then every working morning while linked tickets are unsolved.
	RemindFollowUp ReminderKind = "follow-up"
)

// Reminder is the next thing the incident must do at a given time.
type Reminder struct {
	Kind   ReminderKind `json:"kind"`
	At     time.Time    `json:"at"`
	Action int          `json:"action,omitempty"` // the action item's N
}

// Summary names the reminder, as the Web UI shows its timer.
func (r Reminder) Summary() string {
	if r.Kind == RemindAction {
		return fmt.Sprintf("remind action %d", r.Action)
	}
	return "remind " + string(r.Kind)
}

// NextReminder is the earliest reminder the incident still has to give, if
// any. Each kind of reminder is a series: a working day before its deadline,
// at the deadline, then every working day until what it asks for is done.
// Only reminders after the last one given count, so a reminder is given once
// however often this is asked, and a long outage leads to one reminder, not
// a burst.
func (inc *Incident) NextReminder() (Reminder, bool) {
	pm := inc.Postmortem
	if inc.Status != Resolved || inc.Stage == StageClosed || pm.StartAt.IsZero() {
		return Reminder{}, false
	}
	loc := pm.Location()
	var all []Reminder
	if inc.Stage == StageActive && pm.Waived == "" {
		all = append(all, Reminder{Kind: RemindStage, At: pm.StartAt})
	}
	pending := pm.Waived == "" && pm.ReviewedAt.IsZero()
	if pending && pm.DraftedAt.IsZero() && !pm.DueAt.IsZero() && inc.Stage != StageActive {
		all = append(all, Reminder{Kind: RemindDraft, At: nextInSeries(pm.DueAt, pm.OwnerRemindedAt, loc)})
	}
	if pending && !pm.ReviewAt.IsZero() {
		all = append(all, Reminder{Kind: RemindReview, At: nextInSeries(pm.ReviewAt, pm.ReviewRemindedAt, loc)})
	}
	for _, a := range pm.Actions {
		if a.Open() {
			all = append(all, Reminder{Kind: RemindAction, At: nextInSeries(a.Due, a.RemindedAt, loc), Action: a.N})
		}
	}
	if tk := inc.Tickets; tk.FollowUpOwner != (Person{}) && len(inc.OpenFollowUps()) > 0 {
		at := inc.ResolvedAt
		if !tk.FollowUpRemindedAt.IsZero() {
			at = NextWorkingMorning(tk.FollowUpRemindedAt, loc, pm.workdayStart())
		}
		all = append(all, Reminder{Kind: RemindFollowUp, At: at.UTC()})
	}
	if len(all) == 0 {
		return Reminder{}, false
	}
	return slices.MinFunc(all, func(a, b Reminder) int { return a.At.Compare(b.At) }), true
}

// nextInSeries is the first reminder of a deadline's series after last: a
// working day before it, at it, then each working day after it.
func nextInSeries(deadline, last time.Time, loc *time.Location) time.Time {
	t := AddWorkingDays(deadline, -1, loc)
	for !t.After(last) {
		if t.Before(deadline) {
			t = deadline
		} else {
			t = AddWorkingDays(t, 1, loc)
		}
	}
	return t.UTC()
}

// Remind records that a reminder was given at now, and says what it says and
// to whom. The stage reminder begins the postmortem stage.
func (inc *Incident) Remind(r Reminder, now time.Time) Notice {
	pm := &inc.Postmortem
	loc := pm.Location()
	switch r.Kind {
	case RemindStage:
		return Notice{Event: inc.StartPostmortem(now, Bot)}
	case RemindDraft:
		pm.OwnerRemindedAt = now.UTC()
		return Notice{To: []Person{pm.Owner}, Text: fmt.Sprintf("📝 The postmortem of %s (%s) %s. %s When it is written: `/ib postmortem done`.",
			inc.ID, inc.Title, dueText("is due", pm.DueAt, now, loc), draftText(pm.Document))}
	case RemindFollowUp:
		inc.Tickets.FollowUpRemindedAt = now.UTC()
		return inc.FollowUpNotice()
	case RemindReview:
		pm.ReviewRemindedAt = now.UTC()
		if now.Before(pm.ReviewAt) || now.Equal(pm.ReviewAt) {
			return Notice{InChannel: true, To: inc.reviewers(), Text: fmt.Sprintf("📅 The postmortem review of %s %s. %s",
				inc.ID, dueText("is", pm.ReviewAt, now, loc), draftText(pm.Document))}
		}
		return Notice{To: []Person{inc.Commander}, Text: fmt.Sprintf("📅 The postmortem review of %s %s and is not recorded yet. After the meeting: `/ib review done`.",
			inc.ID, dueText("was due", pm.ReviewAt, now, loc))}
	default:
		i := slices.IndexFunc(pm.Actions, func(a Action) bool { return a.N == r.Action })
		a := &pm.Actions[i]
		a.RemindedAt = now.UTC()
		return Notice{To: []Person{a.Owner}, Text: fmt.Sprintf("✅ Action %d of %s %s: %s. When it is done: `/ib action %s done %d`.",
			a.N, inc.ID, dueText("is due", a.Due, now, loc), a.Text, inc.ID, a.N)}
	}
}

// Notice is what a reminder says: to people by direct message, or, InChannel,
// in the incident's channel naming them. Event is set when the reminder changed
// the incident instead.
type Notice struct {
	To        []Person
	InChannel bool
	Text      string
	Event     TimelineEvent
}

// reviewers are the people a review concerns: the commander, the owner and
// everyone who acted in the incident's channel.
func (inc *Incident) reviewers() []Person {
	people := []Person{inc.Commander}
	if inc.Postmortem.Owner != (Person{}) {
		people = append(people, inc.Postmortem.Owner)
	}
	for _, id := range inc.Participants {
		people = append(people, Person{SlackID: id})
	}
	var out []Person
	for _, p := range people {
		if !slices.ContainsFunc(out, func(q Person) bool { return q == p || q.SlackID != "" && q.SlackID == p.SlackID }) {
			out = append(out, p)
		}
	}
	return out
}

// dueText says when something is due relative to now: "is due tomorrow
// (Tue 1 Dec 09:00 UTC)", "is due today (…)", "is due since 2 working days".
func dueText(verb string, due, now time.Time, loc *time.Location) string {
	when := due.In(loc).Format("Mon 2 Jan 15:04 MST")
	switch {
	case due.After(now):
		return fmt.Sprintf("%s %s", verb, when)
	case !due.Before(now.Add(-time.Minute)):
		return fmt.Sprintf("%s now (%s)", verb, when)
	default:
		return fmt.Sprintf("%s %s: overdue by %s", verb, when, overdue(due, now, loc))
	}
}

func overdue(due, now time.Time, loc *time.Location) string {
	n := 0
	for t := AddWorkingDays(due, 1, loc); !t.After(now); t = AddWorkingDays(t, 1, loc) {
		n++
	}
	if n == 1 {
		return "1 working day"
	}
	return fmt.Sprintf("%d working days", n)
}

// draftText points people at the draft uploaded to the incident's channel;
// where the document store keeps it stays on the server.
func draftText(doc string) string {
	if doc == "" {
		return ""
	}
	return "The generated draft is in the incident's channel."
}

// CloseBlockers says what keeps a resolved incident from closing: a postmortem
// review not recorded (unless waived), open action items.
func (inc *Incident) CloseBlockers() []string {
	var why []string
	pm := inc.Postmortem
	if pm.Waived == "" && pm.ReviewedAt.IsZero() {
		why = append(why, "its postmortem review is not recorded (after the meeting: `/ib review done`)")
	}
	var open []string
	for _, a := range pm.Actions {
		if a.Open() {
			open = append(open, fmt.Sprint(a.N))
		}
	}
	if len(open) > 0 {
		why = append(why, fmt.Sprintf("action items %s are open (`/ib action done N`)", strings.Join(open, ", ")))
	}
	var tickets []string
	for _, t := range inc.OpenFollowUps() {
		tickets = append(tickets, fmt.Sprint(t.ID))
	}
	if len(tickets) > 0 {
		why = append(why, fmt.Sprintf("customer tickets %s are not solved (solve them, or `/ib ticket waive <number> <reason>`)", strings.Join(tickets, ", ")))
	}
	return why
}
