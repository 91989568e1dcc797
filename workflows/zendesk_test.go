package workflows_test

import (
	"context"
	"strings"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/workflows"
)

// TestTicketFollowUpTimers follows linked customer tickets after resolution,
// with time skipping: the resolution is noted on them, the follow-up task goes
// to the customer reliability on-call at once, then a reminder every working
// morning (09:00 in the commander's Berlin) for as long as a ticket is
// unsolved — read from Zendesk before each reminder — and none after the last
// one is solved or waived.
func (s *incidentSuite) TestTicketFollowUpTimers() {
	s.mockSlack(slack{})
	day := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	at := func(t time.Time) time.Duration { return t.Sub(declaredAt) }
	cre := ib.Person{SlackID: "U0CREONE", Name: "cre"}
	var noted []int64
	problems := 0
	s.env.OnActivity(a.CreateProblemTicket, mock.Anything, mock.Anything).Return(func(context.Context, ib.Summary) (activities.ProblemTicket, error) {
		problems++
		return activities.ProblemTicket{ID: 7, URL: "https://zd/agent/tickets/7"}, nil
	})
	s.env.OnActivity(a.LinkTickets, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.LinkInput) ([]ib.TicketOutcome, error) {
		var out []ib.TicketOutcome
		for _, id := range in.IDs {
			out = append(out, ib.TicketOutcome{ID: id, Linked: true, Subject: "cannot pay", Status: "open"})
		}
		return out, nil
	})
	s.env.OnActivity(a.NoteTickets, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.NotesInput) ([]int64, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		noted = append(noted, in.IDs...)
		return nil, nil
	})
	s.env.OnActivity(a.FollowUpOwner, mock.Anything, mock.Anything).Return(cre, nil)
	// Ticket 11 is solved on Tuesday at 10:00; 12 stays open.
	s.env.OnActivity(a.TicketStatuses, mock.Anything, mock.Anything).Return(func(_ context.Context, ids []int64) ([]ib.ZendeskTicket, error) {
		var out []ib.ZendeskTicket
		for _, id := range ids {
			status := "open"
			if id == 11 && !s.env.Now().Before(day(24, 10, 0)) {
				status = "solved"
			}
			out = append(out, ib.ZendeskTicket{ID: id, Status: status})
		}
		return out, nil
	})

	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(workflows.UpdateLinkTickets, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { s.Fail("link refused", err.Error()) }, OnComplete: func(any, error) {},
		}, workflows.LinkRequest{IDs: []int64{11, 12}, By: alice})
	}, 10*time.Minute)
	s.change(at(day(23, 4, 7)), &ib.Resolve{Summary: "reverted", By: alice}, new(error))
	var early error
	s.change(at(day(25, 11, 0)), &ib.RecordReview{By: alice}, new(error))
	s.change(at(day(25, 11, 30)), &ib.Close{By: alice}, &early)
	s.change(at(day(25, 12, 0)), &ib.WaiveTicket{Ticket: 12, Reason: "customer gone", By: alice}, new(error))
	s.change(at(day(25, 13, 0)), &ib.Close{By: alice}, new(error))
	req := request()
	req.Settings.ProblemTickets = []ib.Severity{ib.S1, ib.S2}
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, req)
	s.Require().NoError(s.env.GetWorkflowError())

	s.ErrorContains(early, "customer tickets 12 are not solved")
	s.ElementsMatch([]int64{11, 12}, noted, "the resolution is noted on each ticket, once")
	var followUps []time.Time
	for _, n := range s.notices {
		if strings.Contains(n.Text, "Follow up with the customers") {
			s.Equal(cre.SlackID, n.To)
			followUps = append(followUps, n.At)
		}
	}
	s.Equal([]time.Time{day(23, 4, 7), day(23, 8, 0), day(24, 8, 0), day(25, 8, 0)}, followUps,
		"the task at resolution, then each working morning until the last ticket is waived")
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal(int64(7), inc.Tickets.ProblemID)
	s.Equal(1, problems, "an S2 opens its problem ticket when declared; linking uses it")
	s.Equal(ib.StageClosed, inc.Stage)
}
