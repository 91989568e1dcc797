package workflows_test

import (
	"strings"
	"time"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/workflows"
)

// TestPostmortemLife follows an S2 through its whole life after resolution,
// with time skipping: the stage begins the next working morning in the
// commander's zone (Berlin), the owner is told, the draft and the review are
// reminded a working day before and at their times, an action item reminds
// its owner, and the incident closes only once the review is recorded and
// the action item done. Every reminder comes at its exact time, once.
func (s *incidentSuite) TestPostmortemLife() {
	s.mockSlack(slack{})
	at := func(month time.Month, day, hour, minute int) time.Duration {
		return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC).Sub(declaredAt)
	}
	nov, dec := time.November, time.December
	s.change(at(nov, 23, 4, 7), &ib.Resolve{Summary: "reverted the change", By: alice}, new(error))
	s.change(at(nov, 24, 12, 0), &ib.RequestDraft{By: bob}, new(error))
	s.change(at(nov, 30, 10, 0), &ib.FinishDraft{By: bob}, new(error))
	s.change(at(nov, 30, 11, 0), &ib.RecordReview{Notes: "one action agreed", By: alice}, new(error))
	s.change(at(nov, 30, 11, 5), &ib.AddAction{Text: "alert on checkout errors", Owner: bob.SlackID, Due: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), By: alice}, new(error))
	var earlyClose, lateClose error
	s.change(at(dec, 2, 10, 0), &ib.Close{By: alice}, &earlyClose)
	s.change(at(dec, 2, 11, 0), &ib.FinishAction{N: 1, By: bob}, new(error))
	s.change(at(dec, 2, 11, 30), &ib.Close{By: alice}, &lateClose)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())

	s.ErrorContains(earlyClose, "action items 1 are open", "the close is refused while the action item is open")
	s.NoError(lateClose)
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal(ib.StageClosed, inc.Stage)
	s.Equal(bob, inc.Postmortem.Owner, "the primary service's on-call owns the postmortem")
	s.Equal(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), inc.Postmortem.DueAt, "five working days for an S2")
	s.Equal([]int{1, 2}, s.drafts, "a draft when the stage begins, another on demand")
	s.Equal(2, inc.Postmortem.Drafts)

	type sent struct {
		At   time.Time
		To   string
		Says string
	}
	var got []sent
	for _, n := range s.notices {
		says := n.Text
		switch {
		case len(n.People) > 0:
			says = "review"
		case strings.Contains(n.Text, "You own"):
			says = "owner"
		case strings.Contains(n.Text, "Action 1"):
			says = "action"
		case strings.Contains(n.Text, "postmortem of"):
			says = "draft"
		}
		got = append(got, sent{n.At, n.To, says})
	}
	utc := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	s.Equal([]sent{
		{utc(nov, 23, 8), bob.SlackID, "owner"}, // 09:00 in Berlin, the morning after the night's incident
		{utc(nov, 27, 8), bob.SlackID, "draft"}, // a working day before the draft is due
		{utc(nov, 27, 8), channel.ID, "review"}, // and before the review meeting
		{utc(nov, 30, 8), bob.SlackID, "draft"}, // the draft is due
		{utc(nov, 30, 8), channel.ID, "review"}, // the meeting is now
		{utc(dec, 1, 8), bob.SlackID, "action"}, // a working day before the action item is due
		{utc(dec, 2, 8), bob.SlackID, "action"}, // it is due
	}, got)
}
