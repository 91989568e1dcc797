package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/incident-buddy/ib"
)

// ProblemTicket is the incident's problem ticket in Zendesk.
type ProblemTicket struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// CreateProblemTicket opens the incident's problem ticket, once (F12): the
// create carries an idempotency key, so a retry after a lost reply gets the
// same ticket, and a retry later than Zendesk keeps keys finds the ticket by
// its external ID (the incident's).
func (a *Activities) CreateProblemTicket(ctx context.Context, s ib.Summary) (ProblemTicket, error) {
	if a.Zendesk == nil {
		return ProblemTicket{}, a.fail(errNoZendesk)
	}
	if activity.GetInfo(ctx).Attempt > 1 {
		id, err := a.Zendesk.FindByExternalID(ctx, s.ID)
		if err != nil {
			return ProblemTicket{}, a.fail(err)
		}
		if id != 0 {
			return ProblemTicket{ID: id, URL: a.Zendesk.TicketURL(id)}, nil
		}
	}
	tags := []string{"incident", strings.ToLower(s.ID), "severity_" + strings.ToLower(string(s.Severity))}
	for _, svc := range s.Services {
		tags = append(tags, "service_"+strings.ToLower(svc))
	}
	body := fmt.Sprintf("Incident %s: %s\nSeverity: %s (%s)\nImpact: %s\nCustomers' running workloads affected: %s\nSlack channel: #%s %s\nServices: %s\n\nLink the customers' tickets to this problem ticket (`/ib ticket <number>` in the channel).",
		s.ID, s.Title, s.Severity, s.Severity.Meaning(), orNone(s.Impact), s.CustomersAffected, s.Channel.Name, slackChannelURL(s.Channel.ID), orNone(strings.Join(s.Services, ", ")))
	id, err := a.Zendesk.CreateTicket(ctx, "incident-buddy:"+s.ID+":problem", ib.NewTicket{
		Type: "problem", Subject: fmt.Sprintf("[%s] %s %s", s.ID, s.Severity, s.Title), Body: body,
		ExternalID: s.ID, Tags: tags, Priority: priorities[s.Severity],
	})
	if err != nil {
		return ProblemTicket{}, a.fail(err)
	}
	return ProblemTicket{ID: id, URL: a.Zendesk.TicketURL(id)}, nil
}

var priorities = map[ib.Severity]string{ib.S1: "urgent", ib.S2: "high", ib.S3: "normal", ib.S4: "low"}

var errNoZendesk = ib.Errorf(ib.EINVALID, "Zendesk is not configured: set ZENDESK_URL, ZENDESK_EMAIL and ZENDESK_API_TOKEN.")

func orNone(s string) string {
	if s == "" {
		return "(not given)"
	}
	return s
}

func slackChannelURL(id string) string {
	if id == "" {
		return ""
	}
	return "https://slack.com/app_redirect?channel=" + id
}

// LinkInput are customer tickets to link to the incident's problem ticket.
type LinkInput struct {
	ProblemID  int64   `json:"problem_id"`
	IDs        []int64 `json:"ids"`
	IncidentID string  `json:"incident_id"`
	Title      string  `json:"title"`
	Channel    string  `json:"channel"` // the incident channel's name
}

// LinkTickets makes each ticket an incident of the problem ticket, with an
// internal note naming the incident, and says per ticket what happened: a
// ticket that does not exist, is closed, is a problem itself or belongs to
// another problem is left alone, with the reason. A ticket already linked to
// this problem counts as linked, so a retry is harmless.
func (a *Activities) LinkTickets(ctx context.Context, in LinkInput) ([]ib.TicketOutcome, error) {
	if a.Zendesk == nil {
		return nil, a.fail(errNoZendesk)
	}
	note := fmt.Sprintf("Linked to incident %s (%s), Slack channel #%s. Its problem ticket is %d; you will get a note when it is resolved.",
		in.IncidentID, in.Title, in.Channel, in.ProblemID)
	var out []ib.TicketOutcome
	for i, id := range in.IDs {
		if i > 0 {
			a.pace(ctx)
		}
		t, err := a.Zendesk.Ticket(ctx, id)
		o := ib.TicketOutcome{ID: id, Subject: t.Subject, Status: t.Status, URL: a.Zendesk.TicketURL(id)}
		switch {
		case ib.ErrorCode(err) == ib.ENOTFOUND:
			o.Reason = fmt.Sprintf("ticket %d does not exist in Zendesk", id)
		case err != nil:
			return nil, a.fail(err)
		case t.Status == "closed":
			o.Reason = fmt.Sprintf("ticket %d is closed, and Zendesk does not change closed tickets (open a follow-up ticket instead)", id)
		case t.Type == "problem":
			o.Reason = fmt.Sprintf("ticket %d is a problem ticket itself", id)
		case t.ProblemID == in.ProblemID:
			o.Linked = true
		case t.ProblemID != 0:
			o.Reason = fmt.Sprintf("ticket %d is already linked to problem ticket %d (another incident)", id, t.ProblemID)
		default:
			if err := a.Zendesk.LinkToProblem(ctx, id, in.ProblemID, note); err != nil {
				return nil, a.fail(err)
			}
			o.Linked = true
		}
		out = append(out, o)
	}
	return out, nil
}

// NotesInput is an internal note for several tickets.
type NotesInput struct {
	IDs  []int64 `json:"ids"`
	Note string  `json:"note"`
}

// NoteTickets adds the note to each ticket, paced under Zendesk's update
// limits. Stopped by a rate limit after some progress, it returns the tickets
// it did not reach, for the next call. A ticket gone or closed since is
// skipped: there is no one to tell.
func (a *Activities) NoteTickets(ctx context.Context, in NotesInput) ([]int64, error) {
	if a.Zendesk == nil {
		return nil, a.fail(errNoZendesk)
	}
	for i, id := range in.IDs {
		if i > 0 {
			a.pace(ctx)
		}
		err := a.Zendesk.AddNote(ctx, id, in.Note)
		if err != nil && ib.ErrorCode(err) != ib.ENOTFOUND && ib.ErrorCode(err) != ib.EINVALID {
			var rest []int64
			return rest, a.partial(err, i > 0, func() { rest = in.IDs[i:] })
		}
	}
	return nil, nil
}

// pace spaces ticket updates so that a batch stays under Zendesk's limit of
// updates per minute, instead of running into 429s.
func (a *Activities) pace(ctx context.Context) {
	if a.ZendeskPace <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(a.ZendeskPace):
	}
}

// TicketStatuses reads the linked tickets' statuses; tickets gone since are
// left out.
func (a *Activities) TicketStatuses(ctx context.Context, ids []int64) ([]ib.ZendeskTicket, error) {
	if a.Zendesk == nil {
		return nil, a.fail(errNoZendesk)
	}
	var out []ib.ZendeskTicket
	for _, id := range ids {
		t, err := a.Zendesk.Ticket(ctx, id)
		if ib.ErrorCode(err) == ib.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, a.fail(err)
		}
		out = append(out, t)
	}
	return out, nil
}

// SuggestInput asks for customer tickets that may be about the incident.
type SuggestInput struct {
	Services []string  `json:"services,omitempty"`
	Since    time.Time `json:"since"`
	Exclude  []int64   `json:"exclude,omitempty"` // linked or offered already
}

// maxSearchTerms bounds the searches one suggestion round makes.
const maxSearchTerms = 6

// SuggestTickets searches Zendesk for open tickets created since the incident
// began that mention its services: their keywords and aliases from the
// catalog when it knows them, else their names. One search per term, as
// Zendesk's search ANDs the words of one query.
func (a *Activities) SuggestTickets(ctx context.Context, in SuggestInput) ([]ib.ZendeskTicket, error) {
	if a.Zendesk == nil || len(in.Services) == 0 {
		return nil, nil
	}
	var terms []string
	catalog := a.Catalog.Get()
	for _, name := range in.Services {
		for _, w := range catalog.ServiceTerms(name) {
			if w = strings.TrimSpace(strings.ReplaceAll(w, `"`, "")); w != "" && !slices.Contains(terms, w) && len(terms) < maxSearchTerms {
				terms = append(terms, w)
			}
		}
	}
	var out []ib.ZendeskTicket
	for _, term := range terms {
		found, err := a.Zendesk.Search(ctx, fmt.Sprintf(`type:ticket status<solved created>%s "%s"`, in.Since.UTC().Format(time.RFC3339), term))
		if err != nil {
			return nil, a.fail(err)
		}
		for _, t := range found {
			if t.Type != "problem" && !slices.Contains(in.Exclude, t.ID) && !slices.ContainsFunc(out, func(o ib.ZendeskTicket) bool { return o.ID == t.ID }) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// FollowUpOwner is who follows up with the customers after resolution: the
// current on-call of the customer reliability rotation (Settings); nobody
// when the catalog has none, and the workflow falls back to the commander.
func (a *Activities) FollowUpOwner(ctx context.Context, at time.Time) (ib.Person, error) {
	catalog := a.Catalog.Get()
	if catalog == nil {
		return ib.Person{}, nil
	}
	r, ok := catalog.Rotation(a.Settings.FollowUpRotation)
	if !ok {
		return ib.Person{}, nil
	}
	return a.member(ctx, r.OnCall(at))
}
