package ib

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Tickets are the incident's side in Zendesk: its problem ticket, the customer
// tickets linked to it, the tickets the bot offered to link, and the
// follow-up after resolution.
type Tickets struct {
	ProblemID  int64    `json:"problem_id,omitempty"`
	ProblemURL string   `json:"problem_url,omitempty"`
	Linked     []Ticket `json:"linked,omitempty"`
	Suggested  []int64  `json:"suggested,omitempty"` // offered in the channel, each once
	// FollowUpOwner is who follows up with the customers after resolution
	// (the customer reliability rotation's on-call); FollowUpRemindedAt is
	// when they were last reminded.
	FollowUpOwner      Person    `json:"follow_up_owner,omitzero"`
	FollowUpRemindedAt time.Time `json:"follow_up_reminded_at,omitzero"`
	// SearchedAt is when Zendesk was last searched for customer tickets about
	// the incident's services.
	SearchedAt time.Time `json:"searched_at,omitzero"`
}

// Ticket is a customer's ticket linked to the incident.
type Ticket struct {
	ID       int64     `json:"id"`
	Subject  string    `json:"subject,omitempty"`
	Status   string    `json:"status,omitempty"` // Zendesk's: new, open, pending, hold, solved, closed
	URL      string    `json:"url,omitempty"`
	LinkedAt time.Time `json:"linked_at"`
	LinkedBy Person    `json:"linked_by"`
	Noted    bool      `json:"noted,omitempty"`  // the resolution note is on it
	Waived   string    `json:"waived,omitempty"` // why no follow-up is needed
}

// Solved says whether the customer's ticket is done with.
func (t Ticket) Solved() bool { return t.Status == "solved" || t.Status == "closed" }

// FollowUpOpen says whether the ticket still needs someone to follow up.
func (t Ticket) FollowUpOpen() bool { return !t.Solved() && t.Waived == "" }

// MaxTicketsPerLink bounds one `ticket` command; more at once is a bulk job.
const MaxTicketsPerLink = 20

// ParseTicketIDs reads ticket numbers as people type them: "12345", "#12345",
// or a Zendesk ticket link.
func ParseTicketIDs(words []string) ([]int64, error) {
	var ids []int64
	for _, w := range words {
		w = strings.TrimSuffix(strings.TrimPrefix(strings.Trim(w, "<>"), "#"), "/")
		if i := strings.LastIndex(w, "/"); i >= 0 {
			w = w[i+1:]
		}
		var id int64
		if _, err := fmt.Sscan(w, &id); err != nil || id <= 0 || fmt.Sprint(id) != w {
			return nil, Errorf(EINVALID, "%q is not a ticket number: give Zendesk ticket numbers such as 12345.", w)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, checkTicketCount(len(ids))
}

func checkTicketCount(n int) error {
	switch {
	case n == 0:
		return Errorf(EINVALID, "Which tickets? `ticket 12345 67890`.")
	case n > MaxTicketsPerLink:
		return Errorf(EINVALID, "%d tickets at once is too many; link at most %d per command.", n, MaxTicketsPerLink)
	}
	return nil
}

// CheckLink says whether tickets may be linked to the incident now.
func (inc *Incident) CheckLink(ids []int64) error {
	if inc.Stage == StageClosed {
		return Errorf(ECONFLICT, "%s is closed; link tickets to an open incident.", inc.ID)
	}
	if n := len(inc.Tickets.Linked); n+len(ids) > MaxLinkedTickets {
		return Errorf(EINVALID, "%s has %d customer tickets linked; at most %d can be. Link further customers to its problem ticket in Zendesk.", inc.ID, n, MaxLinkedTickets)
	}
	return checkTicketCount(len(ids))
}

// LinkedTicket finds a linked ticket.
func (inc *Incident) LinkedTicket(id int64) (Ticket, bool) {
	i := slices.IndexFunc(inc.Tickets.Linked, func(t Ticket) bool { return t.ID == id })
	if i < 0 {
		return Ticket{}, false
	}
	return inc.Tickets.Linked[i], true
}

// LinkTicket records a ticket linked to the problem ticket.
func (inc *Incident) LinkTicket(t Ticket) TimelineEvent {
	t.Subject, t.URL = clipRunes(CleanText(t.Subject), MaxSubjectRunes), ClipBytes(t.URL, MaxURLBytes)
	if _, ok := inc.LinkedTicket(t.ID); !ok {
		inc.Tickets.Linked = append(inc.Tickets.Linked, t)
	}
	return inc.record(t.LinkedAt, EventTicket, t.LinkedBy, fmt.Sprintf("customer ticket %d linked: %s", t.ID, t.Subject))
}

// TicketStatus records a linked ticket's new status, as Zendesk reports it;
// ok is false when nothing changed.
func (inc *Incident) TicketStatus(id int64, status string, at time.Time) (TimelineEvent, bool) {
	i := slices.IndexFunc(inc.Tickets.Linked, func(t Ticket) bool { return t.ID == id })
	if i < 0 || status == "" || inc.Tickets.Linked[i].Status == status {
		return TimelineEvent{}, false
	}
	t := &inc.Tickets.Linked[i]
	t.Status = status
	return inc.Note(at, EventTicket, fmt.Sprintf("customer ticket %d is %s", id, status)), true
}

// Suggest records that a ticket was offered for linking; false when it was
// offered before or is linked already.
func (inc *Incident) Suggest(id int64) bool {
	if _, linked := inc.LinkedTicket(id); linked || slices.Contains(inc.Tickets.Suggested, id) {
		return false
	}
	inc.Tickets.Suggested = append(inc.Tickets.Suggested, id)
	inc.Tickets.Suggested = inc.Tickets.Suggested[max(0, len(inc.Tickets.Suggested)-MaxSuggested):]
	return true
}

// OpenFollowUps are the linked tickets still to follow up.
func (inc *Incident) OpenFollowUps() []Ticket {
	var out []Ticket
	for _, t := range inc.Tickets.Linked {
		if t.FollowUpOpen() {
			out = append(out, t)
		}
	}
	return out
}

// FollowUpNotice is the follow-up task, or its reminder: the customers'
// tickets still unsolved, for whoever follows up.
func (inc *Incident) FollowUpNotice() Notice {
	var lines []string
	for _, t := range inc.OpenFollowUps() {
		lines = append(lines, fmt.Sprintf("• %d %s (%s) %s", t.ID, t.Subject, t.Status, t.URL))
	}
	return Notice{To: []Person{inc.Tickets.FollowUpOwner}, Text: fmt.Sprintf(
		"🎫 Follow up with the customers of %s (%s), resolved: %d ticket(s) are not solved yet:\n%s\nSolve them in Zendesk, or `/ib ticket %s waive <number> <reason>` when no follow-up is needed.",
		inc.ID, inc.Title, len(lines), strings.Join(lines, "\n"), inc.ID)}
}

// ResolutionNote is the internal note every linked ticket gets on resolution.
func (inc *Incident) ResolutionNote() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Incident %s (%s) is resolved.\n", inc.ID, inc.Title)
	if inc.Resolution != "" {
		fmt.Fprintf(&b, "Resolution: %s\n", inc.Resolution)
	}
	if i := inc.CustomerImpact; !i.Start.IsZero() {
		end := "ongoing"
		if e := inc.ImpactEnd(); !e.IsZero() {
			end = Stamp(e)
		}
		fmt.Fprintf(&b, "Customers were affected from %s to %s.\n", Stamp(i.Start), end)
	}
	b.WriteString("Please follow up with the customer and solve this ticket.")
	return b.String()
}

// TicketOutcome is what became of one ticket asked to be linked.
type TicketOutcome struct {
	ID      int64  `json:"id"`
	Linked  bool   `json:"linked"`
	Subject string `json:"subject,omitempty"`
	Status  string `json:"status,omitempty"`
	URL     string `json:"url,omitempty"`
	Reason  string `json:"reason,omitempty"` // why it was not linked
}

// LinkResult is the answer to linking tickets.
type LinkResult struct {
	Summary  Summary         `json:"summary"`
	Outcomes []TicketOutcome `json:"outcomes"`
}

// TicketEvent is news of a Zendesk ticket for an incident: a new ticket that
// mentions it or its services, or a linked ticket's new status.
type TicketEvent struct {
	ID      int64  `json:"id"`
	Subject string `json:"subject,omitempty"`
	Status  string `json:"status,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Bounded is the news as an incident keeps it: its subject, status and URL,
// written by Zendesk's users, cut to their limits.
func (e TicketEvent) Bounded() TicketEvent {
	e.Subject = clipRunes(CleanText(e.Subject), MaxSubjectRunes)
	e.Status = clipRunes(CleanText(e.Status), 20)
	e.URL = ClipBytes(e.URL, MaxURLBytes)
	return e
}

var mentionedID = regexp.MustCompile(`(?i)\bINC-\d{8}-[0-9A-HJKMNP-TV-Z]{4}\b`)

// MaxMentionedIncidents bounds the incidents one customer's ticket can reach
// by naming their IDs: a customer's text must not make the bot do unbounded
// work.
const MaxMentionedIncidents = 5

// IncidentMentions are the first MaxMentionedIncidents incident IDs a text
// names, each once, upper case.
func IncidentMentions(text string) []string {
	var ids []string
	seen := map[string]bool{}
	for _, m := range mentionedID.FindAllString(text, -1) {
		if m = strings.ToUpper(m); !seen[m] {
			seen[m] = true
			if ids = append(ids, m); len(ids) == MaxMentionedIncidents {
				break
			}
		}
	}
	return ids
}

// WaiveTicket says a linked customer ticket needs no follow-up after
// resolution, and why.
type WaiveTicket struct {
	Ticket int64  `json:"count"`
	Reason string `json:"text"`
	By     Person `json:"by"`
}

func (c *WaiveTicket) read(args []string, t Typist) error {
	if len(args) < 2 {
		return usageProblem("needs a ticket number and a reason")
	}
	ids, err := ParseTicketIDs(args[:1])
	if err != nil {
		return err
	}
	c.Ticket, c.Reason, c.By = ids[0], strings.Join(args[1:], " "), t.By
	return nil
}

func (c WaiveTicket) Asker() Person { return c.By }

func (c WaiveTicket) Check(inc *Incident, _ time.Time) error {
	t, ok := inc.LinkedTicket(c.Ticket)
	switch {
	case !ok:
		return Errorf(EINVALID, "Ticket %d is not linked to %s.", c.Ticket, inc.ID)
	case t.Waived != "":
		return Errorf(ECONFLICT, "Ticket %d needs no follow-up already: %s", c.Ticket, t.Waived)
	case CleanText(c.Reason) == "":
		return Errorf(EINVALID, "Say why ticket %d needs no follow-up: `ticket waive %d <reason>`.", c.Ticket, c.Ticket)
	}
	return checkText("A reason", c.Reason, true, "")
}

func (c WaiveTicket) Apply(inc *Incident, at time.Time) Applied {
	reason := CleanText(c.Reason)
	i := slices.IndexFunc(inc.Tickets.Linked, func(t Ticket) bool { return t.ID == c.Ticket })
	inc.Tickets.Linked[i].Waived = reason
	return fact(inc.record(at, EventTicket, c.By, fmt.Sprintf("customer ticket %d needs no follow-up: %s", c.Ticket, reason)))
}
