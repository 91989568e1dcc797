package ib

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// ChangeKind names what a Change alters.
type ChangeKind string

const (
	ChangeStatus   ChangeKind = "status"
	ChangeSeverity ChangeKind = "severity"
	ChangeNote     ChangeKind = "note"
	ChangeResolve  ChangeKind = "resolve"
)

// Change is one request to alter an incident. Only the field its Kind names is
// read: Status, Severity, or Text (the note, or the resolution summary).
type Change struct {
	Kind     ChangeKind `json:"kind"`
	Status   Status     `json:"status,omitempty"`
	Severity Severity   `json:"severity,omitempty"`
	Text     string     `json:"text,omitempty"`
	By       Person     `json:"by"`
}

// Check says whether the change may be applied now, and if not, why, in words
// for the person who asked. It never alters the incident.
func (inc *Incident) Check(c Change) error {
	if inc.Status == Resolved {
		return Errorf(ECONFLICT, "%s is already resolved; nothing more can change.", inc.ID)
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
	default:
		return Errorf(EINVALID, "Unknown change %q.", c.Kind)
	}
	if n := utf8.RuneCountInString(c.Text); n > MaxTextRunes {
		return Errorf(EINVALID, "The text is %d characters long; keep it under %d.", n, MaxTextRunes)
	}
	return nil
}

// Apply makes a change that Check accepted and returns the timeline event that
// records it. Setting the status to resolved is the same as resolving.
func (inc *Incident) Apply(c Change, at time.Time) TimelineEvent {
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
	default:
		return inc.record(at, EventNote, c.By, text)
	}
}
