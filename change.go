package ib

import (
	"fmt"
	"net/url"
	"slices"
	"time"
	"unicode/utf8"
)

// ChangeKind names what a Change alters.
type ChangeKind string

const (
	ChangeStatus      ChangeKind = "status"
	ChangeSeverity    ChangeKind = "severity"
	ChangeNote        ChangeKind = "note"
	ChangeResolve     ChangeKind = "resolve"
	ChangeDetected    ChangeKind = "detected"     // when the problem was first seen (Time)
	ChangeMitigated   ChangeKind = "mitigated"    // when customers stopped suffering the worst (Time)
	ChangeLink        ChangeKind = "link"         // a dashboard, pull request or log (URL, Text as label)
	ChangeImpactTime  ChangeKind = "impact-time"  // when customers were affected (Time, Until)
	ChangeImpactSize  ChangeKind = "impact-size"  // how many were affected (Count, Text as unit)
	ChangeCustomers   ChangeKind = "customers"    // the answer to the first question (Answer)
	ChangeStatusPage  ChangeKind = "statuspage"   // a public status page update (Status, Text as message)
	ChangePage        ChangeKind = "page"         // page a service's on-call or a person (Target, Text as message)
	ChangeAckPage     ChangeKind = "ack-page"     // acknowledge a page (Target as page ID)
	ChangeAddService  ChangeKind = "add-service"  // another service is affected (Target)
	ChangeTicketWaive ChangeKind = "ticket-waive" // a linked ticket needs no follow-up (Count as its ID, Text as reason)
)

// ChangeKinds lists every kind of change.
var ChangeKinds = []ChangeKind{ChangeStatus, ChangeSeverity, ChangeNote, ChangeResolve, ChangeDetected,
	ChangeMitigated, ChangeLink, ChangeImpactTime, ChangeImpactSize, ChangeCustomers, ChangeStatusPage, ChangePage, ChangeAckPage, ChangeAddService, ChangeTicketWaive,
	ChangePostmortem, ChangePostmortemOwner, ChangePostmortemDraft, ChangePostmortemDone, ChangeWaive,
	ChangeReview, ChangeActionAdd, ChangeActionDone, ChangeClose}

// Change is one request to alter an incident. Only the fields its Kind names
// are read. Times are absolute: front doors read what people type in their
// own time zone.
type Change struct {
	Kind     ChangeKind `json:"kind"`
	Status   Status     `json:"status,omitempty"`
	Severity Severity   `json:"severity,omitempty"`
	Text     string     `json:"text,omitempty"` // note, resolution summary, link label, impact unit
	Time     time.Time  `json:"time,omitzero"`  // detected, mitigated, impact start
	Until    time.Time  `json:"until,omitzero"` // impact end
	URL      string     `json:"url,omitempty"`
	Count    int        `json:"count,omitempty"`
	Answer   Answer     `json:"answer,omitempty"`
	Target   string     `json:"target,omitempty"` // page: a service or a Slack user ID; ack-page: the page's ID
	By       Person     `json:"by"`
}

// Link is a page that helps understand the incident.
type Link struct {
	URL   string `json:"url"`
	Label string `json:"label,omitempty"`
}

// Impact is what customers suffered, apart from how long the incident was open.
type Impact struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	Count int       `json:"count,omitempty"`
	Unit  string    `json:"unit,omitempty"` // "failed requests", "customers"
}

// Check says whether the change may be applied at now, and if not, why, in
// words for the person who asked. It never alters the incident.
func (inc *Incident) Check(c Change, now time.Time) error {
	if err := inc.checkStage(c); err != nil {
		return err
	}
	if err := inc.checkKind(c, now); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(c.Text); n > MaxTextRunes {
		return Errorf(EINVALID, "The text is %d characters long; keep it under %d.", n, MaxTextRunes)
	}
	return nil
}

func (inc *Incident) checkKind(c Change, now time.Time) error {
	if c.Kind.afterResolution() {
		return inc.checkPostmortem(c, now)
	}
	switch c.Kind {
	case ChangeStatus:
		if !c.Status.Valid() {
			return Errorf(EINVALID, "Unknown status %q: use one of investigating, identified, monitoring, resolved.", c.Status)
		}
		if c.Status == inc.Status {
			return Errorf(ECONFLICT, "%s is already %s.", inc.ID, c.Status)
		}
	case ChangeSeverity:
		if !c.Severity.Valid() {
			return Errorf(EINVALID, "Unknown severity %q: use one of S1, S2, S3, S4.", c.Severity)
		}
		if c.Severity == inc.Severity {
			return Errorf(ECONFLICT, "%s is already %s.", inc.ID, c.Severity)
		}
	case ChangeNote:
		if CleanText(c.Text) == "" {
			return Errorf(EINVALID, "A note needs some text, e.g. `note rolled back deploy 1234`.")
		}
	case ChangeResolve:
	case ChangeDetected, ChangeMitigated:
		return checkPast(c.Kind, c.Time, now)
	case ChangeImpactTime:
		if err := checkPast("impact start", c.Time, now); err != nil {
			return err
		}
		if !c.Until.IsZero() {
			if err := checkPast("impact end", c.Until, now); err != nil {
				return err
			}
			if !c.Until.After(c.Time) {
				return Errorf(EINVALID, "The impact must end after it starts (start %s, end %s).", c.Time.UTC().Format(time.DateTime), c.Until.UTC().Format(time.DateTime))
			}
		}
	case ChangeImpactSize:
		if c.Count <= 0 || CleanText(c.Text) == "" {
			return Errorf(EINVALID, "Say how many of what, e.g. `impact count 1234 failed requests`.")
		}
	case ChangeLink:
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Errorf(EINVALID, "%q is not a web address; give one starting with https://.", c.URL)
		}
	case ChangeStatusPage:
		if !c.Status.Valid() {
			return Errorf(EINVALID, "Unknown status page status %q: use investigating, identified, monitoring or resolved.", c.Status)
		}
		if CleanText(c.Text) == "" {
			return Errorf(EINVALID, "Say what customers should read, e.g. `statuspage investigating We are looking into failed checkouts.`")
		}
	case ChangePage:
		if CleanText(c.Target) == "" {
			return Errorf(EINVALID, "Whom to page? Name a service or a person: `page checkout Checkout is down`.")
		}
	case ChangeAddService:
		switch {
		case CleanText(c.Target) == "":
			return Errorf(EINVALID, "Which service? `service add core-api`.")
		case slices.Contains(inc.Services, CleanText(c.Target)):
			return Errorf(ECONFLICT, "%s already lists %s.", inc.ID, c.Target)
		}
	case ChangeAckPage:
		p, ok := inc.Page(c.Target)
		switch {
		case !ok:
			return Errorf(EINVALID, "%s has no page %s.", inc.ID, c.Target)
		case !p.AckedAt.IsZero():
			return Errorf(ECONFLICT, "Page %s was already acknowledged by %s.", c.Target, p.AckedBy.Label())
		}
	case ChangeTicketWaive:
		t, ok := inc.LinkedTicket(int64(c.Count))
		switch {
		case !ok:
			return Errorf(EINVALID, "Ticket %d is not linked to %s.", c.Count, inc.ID)
		case t.Waived != "":
			return Errorf(ECONFLICT, "Ticket %d needs no follow-up already: %s", c.Count, t.Waived)
		case CleanText(c.Text) == "":
			return Errorf(EINVALID, "Say why ticket %d needs no follow-up: `ticket waive %d <reason>`.", c.Count, c.Count)
		}
	case ChangeCustomers:
		if c.Answer != Yes && c.Answer != No && c.Answer != Unknown {
			return Errorf(EINVALID, "Answer yes, no or unknown, not %q.", c.Answer)
		}
		if c.Answer == inc.CustomersAffected {
			return Errorf(ECONFLICT, "The answer is already %s.", c.Answer)
		}
	default:
		return Errorf(EINVALID, "Unknown change %q.", c.Kind)
	}
	return nil
}

func checkPast[K ~string](what K, t, now time.Time) error {
	switch {
	case t.IsZero():
		return Errorf(EINVALID, "Give the %s time, e.g. 03:25 or 2026-11-23 03:25 (optionally with a time zone).", what)
	case t.After(now.Add(time.Minute)):
		return Errorf(EINVALID, "The %s time %s is in the future.", what, t.UTC().Format(time.DateTime+" UTC"))
	}
	return nil
}

// Apply makes a change that Check accepted and returns the timeline event that
// records it. Setting the status to resolved is the same as resolving.
func (inc *Incident) Apply(c Change, at time.Time) TimelineEvent {
	if c.Kind.afterResolution() {
		return inc.applyPostmortem(c, at)
	}
	text := CleanText(c.Text)
	switch {
	case c.Kind == ChangeResolve || c.Kind == ChangeStatus && c.Status == Resolved:
		inc.Status, inc.ResolvedAt, inc.Resolution = Resolved, at.UTC(), text
		return inc.record(at, EventResolved, c.By, text)
	case c.Kind == ChangeStatus:
		from := inc.Status
		inc.Status = c.Status
		return inc.record(at, EventStatusChanged, c.By, fmt.Sprintf("%s → %s", from, c.Status))
	case c.Kind == ChangeSeverity:
		from := inc.Severity
		inc.Severity = c.Severity
		return inc.record(at, EventSeverityChanged, c.By, fmt.Sprintf("%s → %s", from, c.Severity))
	case c.Kind == ChangeDetected:
		inc.DetectedAt = c.Time.UTC()
		return inc.record(c.Time, EventDetected, c.By, "first detected")
	case c.Kind == ChangeMitigated:
		inc.MitigatedAt = c.Time.UTC()
		return inc.record(c.Time, EventMitigated, c.By, "mitigated")
	case c.Kind == ChangeImpactTime:
		inc.CustomerImpact.Start, inc.CustomerImpact.End = c.Time.UTC(), c.Until.UTC()
		if c.Until.IsZero() {
			inc.CustomerImpact.End = time.Time{}
			return inc.record(at, EventImpact, c.By, "customers affected since "+Stamp(c.Time))
		}
		return inc.record(at, EventImpact, c.By, fmt.Sprintf("customers affected %s – %s (%d min)", Stamp(c.Time), Stamp(c.Until), int(c.Until.Sub(c.Time).Minutes())))
	case c.Kind == ChangeImpactSize:
		inc.CustomerImpact.Count, inc.CustomerImpact.Unit = c.Count, text
		return inc.record(at, EventImpact, c.By, fmt.Sprintf("impact: %d %s", c.Count, text))
	case c.Kind == ChangeLink:
		inc.Links = append(inc.Links, Link{URL: c.URL, Label: text})
		return inc.record(at, EventLink, c.By, c.URL+" "+text)
	case c.Kind == ChangeCustomers:
		if inc.CustomersAnsweredAt.IsZero() && c.Answer != Unknown {
			inc.CustomersAnsweredAt = at.UTC()
		}
		inc.CustomersAffected = c.Answer
		return inc.record(at, EventCustomers, c.By, "customers' running workloads affected: "+string(c.Answer))
	case c.Kind == ChangePage:
		id := fmt.Sprintf("P%d", len(inc.Pages)+1)
		inc.Pages = append(inc.Pages, Page{ID: id, Target: CleanText(c.Target), Message: text, By: c.By, At: at.UTC()})
		return inc.record(at, EventPage, c.By, fmt.Sprintf("page %s: %s %s", id, c.Target, text))
	case c.Kind == ChangeAddService:
		inc.Services = append(slices.Clip(inc.Services), CleanText(c.Target))
		return inc.record(at, EventNote, c.By, "service affected: "+CleanText(c.Target))
	case c.Kind == ChangeAckPage:
		p := &inc.Pages[inc.page(c.Target)]
		p.AckedBy, p.AckedAt, p.NextAt = c.By, at.UTC(), time.Time{}
		return inc.record(at, EventPageAck, c.By, "acknowledged page "+p.ID)
	case c.Kind == ChangeTicketWaive:
		i := slices.IndexFunc(inc.Tickets.Linked, func(t Ticket) bool { return t.ID == int64(c.Count) })
		inc.Tickets.Linked[i].Waived = text
		return inc.record(at, EventTicket, c.By, fmt.Sprintf("customer ticket %d needs no follow-up: %s", c.Count, text))
	case c.Kind == ChangeStatusPage:
		inc.StatusPage.Status, inc.StatusPage.UpdatedAt = c.Status, at.UTC()
		return inc.record(at, EventStatusPage, c.By, string(c.Status)+": "+text)
	default:
		return inc.record(at, EventNote, c.By, text)
	}
}

// Stamp is a time as the timeline and the catalog's messages write it: UTC,
// to the minute.
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
