package ib

import (
	"fmt"
	"slices"
	"time"
)

// MaxRecurrences bounds the later incidents an incident names.
const MaxRecurrences = 20

// Recurs records that the incident recurs an earlier one of the same
// title, which was resolved or closed when this one was declared.
func (inc *Incident) Recurs(earlier string, at time.Time) TimelineEvent {
	inc.RecurrenceOf = earlier
	return inc.Note(at, EventRecurrence, fmt.Sprintf("A recurrence of %s, which was resolved: declared again with the same title.", earlier))
}

// Recurred records a later incident of the same title, declared after this
// one was resolved.
func (inc *Incident) Recurred(later string, at time.Time) TimelineEvent {
	if !slices.Contains(inc.Recurrences, later) && len(inc.Recurrences) < MaxRecurrences {
		inc.Recurrences = append(inc.Recurrences, later)
	}
	return inc.Note(at, EventRecurrence, fmt.Sprintf("It recurred: %s was declared with the same title.", later))
}
