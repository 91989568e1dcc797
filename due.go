package ib

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// An incident does some things on its own, at times its state implies: the
// postmortem stage's reminders and the customers' follow-up, a page's
// escalation, the recovery morning after an off-hours page, the nudge about a
// quiet status page, the look for customer tickets. NextDue computes the
// earliest from the state alone, so that the workflow holds one durable timer
// at a time and loses none across restarts and continue-as-new; Do does it
// and records that it was done, so that it is never done twice.

// DueKind names what an incident does on its own.
type DueKind string

const (
	DueReminder   DueKind = "reminder"    // a Reminder of the postmortem stage or the follow-up
	DueEscalation DueKind = "escalation"  // a page nobody acknowledged goes to the next person
	DueRecovery   DueKind = "recovery"    // the morning after an off-hours page
	DueStatusPage DueKind = "status-page" // an S1/S2's status page has gone quiet
	DueTickets    DueKind = "tickets"     // look in Zendesk for tickets about the services
)

// Due is something the incident does on its own, and when.
type Due struct {
	Kind     DueKind
	At       time.Time
	Reminder Reminder // DueReminder
	Ref      string   // DueEscalation: the page's ID; DueRecovery: the off-hours page's index
}

// Summary names it, as the Web UI shows its timer.
func (d Due) Summary() string {
	switch d.Kind {
	case DueReminder:
		return d.Reminder.Summary()
	case DueEscalation:
		return "escalate page " + d.Ref
	case DueRecovery:
		return "recovery reminder " + d.Ref
	case DueStatusPage:
		return "status page reminder"
	default:
		return "look for customer tickets"
	}
}

// NextDue is the earliest thing the incident still has to do on its own, if
// any.
func (inc *Incident) NextDue(s Settings) (Due, bool) {
	var all []Due
	if r, ok := inc.NextReminder(); ok {
		all = append(all, Due{Kind: DueReminder, At: r.At, Reminder: r})
	}
	for _, p := range inc.Pages {
		if p.Open() && p.Chain != nil && !p.NextAt.IsZero() {
			all = append(all, Due{Kind: DueEscalation, At: p.NextAt, Ref: p.ID})
		}
	}
	for i, o := range inc.OffHours {
		if !o.Reminded {
			all = append(all, Due{Kind: DueRecovery, At: o.RemindAt, Ref: strconv.Itoa(i)})
		}
	}
	if at, ok := inc.statusPageReminderAt(s); ok {
		all = append(all, Due{Kind: DueStatusPage, At: at})
	}
	if at, ok := inc.ticketSearchAt(s); ok {
		all = append(all, Due{Kind: DueTickets, At: at})
	}
	if len(all) == 0 {
		return Due{}, false
	}
	return slices.MinFunc(all, func(a, b Due) int { return a.At.Compare(b.At) }), true
}

// statusPageReminderAt is when an active S1 or S2 incident's channel is
// reminded that its status page has gone without an update for the
// settings' interval.
func (inc *Incident) statusPageReminderAt(s Settings) (time.Time, bool) {
	every := s.StatusPageReminder
	if every <= 0 || !s.Has(StatusPageIntegration) || inc.Status == Resolved || (inc.Severity != S1 && inc.Severity != S2) {
		return time.Time{}, false
	}
	last := inc.DeclaredAt
	for _, t := range []time.Time{inc.StatusPage.UpdatedAt, inc.StatusPage.RemindedAt} {
		if t.After(last) {
			last = t
		}
	}
	return last.Add(every), true
}

// ticketSearchAt is when an active incident looks in Zendesk again for
// customer tickets about its services.
func (inc *Incident) ticketSearchAt(s Settings) (time.Time, bool) {
	if s.SuggestTickets <= 0 || inc.Status == Resolved {
		return time.Time{}, false
	}
	last := inc.DeclaredAt
	if inc.Tickets.SearchedAt.After(last) {
		last = inc.Tickets.SearchedAt
	}
	return last.Add(s.SuggestTickets), true
}

// Do does what is due at now, records that it was done, and says what it
// meant and what it owes.
func (inc *Incident) Do(d Due, s Settings, now time.Time) Applied {
	switch d.Kind {
	case DueReminder:
		key := string(d.Reminder.Kind) + strconv.Itoa(d.Reminder.Action) + "-" + strconv.FormatInt(now.Unix(), 10)
		return inc.remind(d.Reminder, now, key)
	case DueEscalation:
		e := inc.Escalate(d.Ref, now, now.Add(s.PageTimeout(inc.Severity)))
		if p, _ := inc.Page(d.Ref); p.Exhausted {
			return fact(e)
		}
		return Applied{Event: e, Owed: []Owed{{Kind: OwePageSend, Ref: d.Ref}}}
	case DueRecovery:
		i, _ := strconv.Atoi(d.Ref)
		n, e := inc.Recovered(i, now)
		return Applied{Event: e, Owed: inc.OwedFor(n, "recovery-"+d.Ref), Unseen: true}
	case DueStatusPage:
		inc.StatusPage.RemindedAt = now.UTC()
		return Applied{Unseen: true, Event: inc.Note(now, EventReminder, fmt.Sprintf(
			"The status page has had no update for %s. Customers read it: `/ib statuspage <status> <message>`", s.StatusPageReminder))}
	default:
		inc.Tickets.SearchedAt = now.UTC()
		return Applied{Owed: owe(OweTicketSearch)}
	}
}

// remind gives a reminder of the postmortem stage or the follow-up.
func (inc *Incident) remind(r Reminder, now time.Time, key string) Applied {
	if r.Kind == RemindFollowUp {
		// Whoever follows up is reminded of the tickets Zendesk says are
		// still unsolved, read when the reminder goes out.
		inc.Tickets.FollowUpRemindedAt = now.UTC()
		return Applied{Owed: owe(OweFollowUpNote)}
	}
	n := inc.Remind(r, now)
	if n.Event != (TimelineEvent{}) { // the stage began: it needs its owner
		return Applied{Event: n.Event, Owed: owe(OweOwner)}
	}
	return Applied{Owed: inc.OwedFor(n, key)}
}
