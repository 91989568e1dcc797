package ib

import "time"

// EventKind names one kind of fact on an incident's timeline.
type EventKind string

const (
	EventDeclared        EventKind = "declared"
	EventStatusChanged   EventKind = "status_changed"
	EventSeverityChanged EventKind = "severity_changed"
	EventNote            EventKind = "note"
	EventResolved        EventKind = "resolved"
	EventDetected        EventKind = "detected"
	EventMitigated       EventKind = "mitigated"
	EventImpact          EventKind = "impact"
	EventLink            EventKind = "link"
	EventCustomers       EventKind = "customers"
	EventStatusPage      EventKind = "statuspage"
	EventReminder        EventKind = "reminder"
	EventPage            EventKind = "page"
	EventPageAck         EventKind = "page_ack"
	EventStage           EventKind = "stage"     // the postmortem stage: owner, draft, review, close
	EventAction          EventKind = "action"    // an action item added or done
	EventTicket          EventKind = "ticket"    // a customer ticket linked, solved or waived
	EventCommander       EventKind = "commander" // the incident handed to another commander
	EventReopened        EventKind = "reopened"
	EventRecurrence      EventKind = "recurrence" // declared again after it was resolved
	EventAlert           EventKind = "alert"      // an alert of its services, from before the declaration
)

// TimelineEvent is one dated fact in an incident's history. Times are UTC; front
// doors convert them to the viewer's zone.
type TimelineEvent struct {
	At   time.Time `json:"at"`
	Kind EventKind `json:"kind"`
	By   Person    `json:"by"`
	Text string    `json:"text"`
	// Correction: a fact set after the resolution, correcting the record.
	Correction bool `json:"correction,omitempty"`
	// Whom is the person the event is about (the new commander, the
	// postmortem's owner), and Times the instants (at most two, so that
	// events stay comparable) its text names with Stamp, so that Slack can
	// mention them and show the times in each reader's zone.
	Whom  Person       `json:"whom,omitzero"`
	Times [2]time.Time `json:"times,omitzero"`
}
