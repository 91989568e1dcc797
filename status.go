package ib

import "strings"

// Status is where the response stands. It only describes the technical state; the
// incident's process position is its Stage.
type Status string

const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
)

// Statuses lists every status in the order an incident usually passes through them.
var Statuses = []Status{Investigating, Identified, Monitoring, Resolved}

var statusMeanings = map[Status]string{
	Investigating: "the cause is not known yet",
	Identified:    "the cause is known and a fix is under way",
	Monitoring:    "a fix is in place and being watched",
	Resolved:      "customers are no longer affected",
}

// Meaning is the one-line description of the status.
func (s Status) Meaning() string { return statusMeanings[s] }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusMeanings[s]; return ok }

// ParseStatus accepts a status name in any case.
func ParseStatus(text string) (Status, error) {
	s := Status(strings.ToLower(strings.TrimSpace(text)))
	if s.Valid() {
		return s, nil
	}
	return "", Errorf(EINVALID, "Unknown status %q: use one of investigating, identified, monitoring, resolved.", text)
}

// Stage is the incident's place in its life: the response, then the learning.
type Stage string

const (
	StageActive     Stage = "active"
	StagePostmortem Stage = "postmortem"
	StageReview     Stage = "review"
	StageClosed     Stage = "closed"
)

// Title is the stage's name for display ("Postmortem").
func (s Stage) Title() string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}
