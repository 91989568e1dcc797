package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
	"github.com/incident-buddy/ib/workflows"
)

var (
	a          *activities.Activities
	alice      = ib.Person{SlackID: "U0ALICE", Name: "alice"}
	bob        = ib.Person{SlackID: "U0BOBBY", Name: "bob"}
	declaredAt = time.Date(2026, 11, 23, 3, 55, 0, 0, time.UTC)
	channel    = ib.Channel{ID: "C0INC", Name: "inc-20261123-checkout-down"}
)

type incidentSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	mu sync.Mutex // guards what the mocked activities record

	posted    []ib.Message // timeline posts to the incident channel, in order
	announced []ib.MessageKind
	indexed   temporal.SearchAttributes // the search attributes last upserted
	drafts    []int                     // postmortem drafts written, by number
	notices   []notice                  // reminders and words to people, in order
	// care says whether a page reached its person off-hours; nil: never.
	care func(activities.CareInput) activities.CareResult
	// recovering are the people the postmortem's owner was chosen around.
	recovering []ib.Person
	upserts    int // search attribute upserts (the channel's not counted)
}

// notice is a reminder as it was sent: when, to which channel or person.
type notice struct {
	At     time.Time
	To     string
	People []ib.Person
	Text   string
}

func TestIncidentWorkflow(t *testing.T) { suite.Run(t, new(incidentSuite)) }

func (s *incidentSuite) SetupSuite() {
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
}

func (s *incidentSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.env.RegisterActivity(a)
	s.env.SetStartTime(declaredAt)
	s.posted, s.announced, s.indexed, s.drafts, s.notices, s.care, s.recovering = nil, nil, temporal.SearchAttributes{}, nil, nil, nil, nil
}

// slack is how the mocked Slack activities behave in one test.
type slack struct {
	openAfter  time.Duration // how long creating the channel takes
	inviteErr  error
	responders activities.Responders
}

func (s *incidentSuite) mockSlack(sl slack) {
	s.env.OnActivity(a.OpenChannel, mock.Anything, mock.Anything).After(sl.openAfter).Return(channel, nil)
	s.env.OnActivity(a.SetTopic, mock.Anything, mock.Anything).Return(nil)
	s.env.OnActivity(a.Invite, mock.Anything, mock.Anything).Return(sl.inviteErr)
	s.env.OnActivity(a.FindResponders, mock.Anything, mock.Anything).Return(sl.responders, nil)
	s.env.OnActivity(a.UpdatePost, mock.Anything, mock.Anything).Return(nil)
	s.env.OnActivity(a.Refresh, mock.Anything, mock.Anything).Return(nil)
	s.env.OnActivity(a.Post, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PostInput) (string, error) {
			s.mu.Lock() // posts of one step run in parallel
			defer s.mu.Unlock()
			if in.Announce {
				s.announced = append(s.announced, in.Message.Kind)
				return "2.0001", nil
			}
			if len(in.Batch) > 0 {
				in.Message = ib.Merged(in.Batch)
			}
			s.posted = append(s.posted, in.Message)
			if in.Message.Kind == ib.MsgNotice {
				s.notices = append(s.notices, notice{At: s.env.Now().UTC(), To: in.Channel, People: in.Message.People, Text: in.Message.Text})
			}
			return "1.0001", nil
		})
	s.env.OnActivity(a.Announce, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m ib.Message) (string, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.announced = append(s.announced, m.Kind)
			return "2.0001", nil
		})
	s.env.OnActivity(a.CareFor, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CareInput) (activities.CareResult, error) {
		if s.care == nil {
			return activities.CareResult{}, nil
		}
		return s.care(in), nil
	})
	s.env.OnActivity(a.UserZone, mock.Anything, mock.Anything).Return("Europe/Berlin", nil)
	s.env.OnActivity(a.PostmortemOwner, mock.Anything, mock.Anything).Return(bob, nil)
	s.env.OnActivity(a.ChoosePostmortemOwner, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OwnerInput) (activities.OwnerChoice, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.recovering = append(s.recovering, in.Recovering...)
			if slices.Contains(in.Recovering, bob) {
				return activities.OwnerChoice{Owner: alice, Passed: bob}, nil
			}
			return activities.OwnerChoice{Owner: bob}, nil
		})
	s.env.OnActivity(a.DraftPostmortem, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DraftInput) (activities.Draft, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.drafts = append(s.drafts, in.Version)
			return activities.Draft{Location: fmt.Sprintf("/documents/%s/draft-v%d.md", in.Incident.ID, in.Version)}, nil
		})
	s.env.OnUpsertTypedSearchAttributes(mock.MatchedBy(func(sa temporal.SearchAttributes) bool {
		s.indexed = sa
		s.upserts++
		return true
	})).Return(nil)
}

// resolve resolves the incident after delay, then records its review and
// closes it, so that the workflow ends.
func (s *incidentSuite) resolve(delay time.Duration, c ib.Change, outcome *error) {
	s.change(delay, c, outcome)
	s.change(delay+time.Second, &ib.RecordReview{By: alice}, new(error))
	s.change(delay+2*time.Second, &ib.Close{By: alice}, new(error))
}

func request() workflows.DeclareRequest {
	return workflows.DeclareRequest{
		ID:          "INC-20261123-K7QF",
		Declaration: ib.Declaration{Title: "Checkout down", Severity: ib.S2, Declarer: alice, Impact: "EU checkouts fail"},
		DeclaredAt:  declaredAt,
	}
}

// change sends an update after delay and records its outcome.
func (s *incidentSuite) change(delay time.Duration, c ib.Change, outcome *error) {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(ib.VerbOf(c).Update, "", &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { *outcome = err },
			OnComplete: func(any, error) {},
		}, c)
	}, delay)
}

func (s *incidentSuite) state() ib.Incident {
	v, err := s.env.QueryWorkflow(workflows.QueryState)
	s.Require().NoError(err)
	var inc ib.Incident
	s.Require().NoError(v.Get(&inc))
	return inc
}

func (s *incidentSuite) TestDeclareOpensAndAnnouncesTheRoom() {
	s.mockSlack(slack{})
	s.env.RegisterDelayedCallback(func() {
		inc := s.state()
		s.Equal(channel.ID, inc.Channel.ID)
		s.Equal("1.0001", inc.Channel.HeaderTS, "the header's timestamp is kept for later edits")
		s.Equal(ib.Investigating, inc.Status)
		s.Equal(alice, inc.Commander, "the declarer commands by default")
		s.env.CancelWorkflow()
	}, time.Minute)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())

	s.env.AssertActivityCalled(s.T(), "Invite", mock.Anything, invited(channel.ID, alice.SlackID))
	s.Require().Len(s.posted, 1)
	s.Equal(ib.MsgHeader, s.posted[0].Kind)
	s.Equal([]ib.MessageKind{ib.MsgAnnouncement}, s.announced)
}

// A change that changes no search attribute (a note, a link) upserts none:
// each upsert is a history event and a write to visibility.
func (s *incidentSuite) TestUpsertsOnlyWhatChanged() {
	s.mockSlack(slack{})
	var before, afterNotes int
	s.env.RegisterDelayedCallback(func() { before = s.upserts }, 50*time.Second)
	s.change(time.Minute, &ib.AddNote{Text: "looking at the pods", By: alice}, new(error))
	s.change(2*time.Minute, &ib.AddLink{URL: "https://grafana.example/d/checkout", By: alice}, new(error))
	s.env.RegisterDelayedCallback(func() { afterNotes = s.upserts }, 3*time.Minute)
	s.change(4*time.Minute, &ib.SetStatus{Status: ib.Identified, By: alice}, new(error))
	s.resolve(5*time.Minute, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(before, afterNotes, "a note and a link upsert nothing")
	s.Greater(s.upserts, afterNotes, "a status change does")
	got, _ := s.indexed.GetKeyword(workflows.StageKey)
	s.Equal(string(ib.StageClosed), got, "the last upsert is current")
}

// An incident declared with its services' recent alerts records them and
// the detection time they give, and posts them on its timeline.
func (s *incidentSuite) TestDeclaredWithAlerts() {
	s.mockSlack(slack{})
	req := request()
	first := declaredAt.Add(-30 * time.Minute)
	for i, m := range []time.Duration{0, 7 * time.Minute, 16 * time.Minute} {
		req.Declaration.Alerts = append(req.Declaration.Alerts, ib.AlertEpisode{Alert: ib.Alert{
			Fingerprint: "f00d", Name: "KubePodCrashLooping", Service: "checkout", Status: ib.AlertResolved,
			StartsAt: first.Add(m), EndsAt: first.Add(m + 4*time.Minute), Summary: fmt.Sprint("crash ", i)}})
	}
	s.resolve(time.Minute, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, req)
	s.Require().NoError(s.env.GetWorkflowError())
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal(first, inc.DetectedAt, "detected at the first alert")
	var lines []string
	for _, m := range s.posted {
		for _, e := range m.Events {
			if e.Kind == ib.EventAlert || e.Kind == ib.EventDetected {
				lines = append(lines, e.Text)
			}
		}
	}
	s.Len(lines, 4, "three alerts and the detection, posted on the timeline")
	s.Contains(lines[0], "KubePodCrashLooping: crash 0")
}

// Whoever is on call for the incident's services is invited and named.
func (s *incidentSuite) TestRespondersInvited() {
	s.mockSlack(slack{responders: activities.Responders{
		Responders: []ib.Responder{{Person: bob, Rotation: "payments-primary", Service: "checkout"}},
		Unknown:    []string{"billing"},
	}})
	s.resolve(time.Minute, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	s.env.AssertActivityCalled(s.T(), "Invite", mock.Anything, invited(channel.ID, alice.SlackID, bob.SlackID))
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal("payments-primary", inc.Responders[0].Rotation)
	s.Contains(inc.Timeline[1].Text, "no service billing")
}

func (s *incidentSuite) TestChangesUntilResolved() {
	s.mockSlack(slack{})
	var refusedSame, refusedBad, refusedAfter error
	s.change(time.Minute, &ib.SetStatus{Status: ib.Identified, By: bob}, new(error))
	s.change(2*time.Minute, &ib.SetStatus{Status: ib.Identified, By: bob}, &refusedSame)
	s.change(3*time.Minute, &ib.SetSeverity{Severity: "S7", By: bob}, &refusedBad)
	s.change(4*time.Minute, &ib.SetSeverity{Severity: ib.S1, By: bob}, new(error))
	s.change(5*time.Minute, &ib.AddNote{Text: "rolled back deploy 1234", By: alice}, new(error))
	s.resolve(6*time.Minute, &ib.Resolve{Summary: "reverted the change", By: alice}, new(error))
	s.change(6*time.Minute, &ib.Resolve{By: alice}, &refusedAfter)

	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())

	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal(ib.Resolved, inc.Status)
	s.Equal(ib.StageClosed, inc.Stage)
	s.Equal(ib.S1, inc.Severity)
	s.Equal("reverted the change", inc.Resolution)
	s.Equal(declaredAt.Add(6*time.Minute), inc.ResolvedAt)

	s.ErrorContains(refusedSame, "already identified")
	s.ErrorContains(refusedBad, "Unknown severity")
	s.NotNil(refusedAfter, "resolving twice is refused")

	var events []ib.EventKind
	for _, e := range inc.Timeline {
		events = append(events, e.Kind)
	}
	s.Equal([]ib.EventKind{ib.EventDeclared, ib.EventStatusChanged, ib.EventSeverityChanged, ib.EventNote, ib.EventResolved,
		ib.EventStage, ib.EventStage, ib.EventStage}, events,
		"refused changes leave no trace; the postmortem's plan, review and close follow the resolution")

	var posted []ib.EventKind
	for _, m := range s.posted[1:] {
		for _, e := range m.Events {
			posted = append(posted, e.Kind)
		}
	}
	s.Equal(events[1:], posted, "every accepted change is posted to the channel, in order")
	s.Equal([]ib.MessageKind{ib.MsgAnnouncement, ib.MsgResolved}, s.announced)
	for key, want := range map[temporal.SearchAttributeKeyKeyword]string{
		workflows.SeverityKey: "S1", workflows.StatusKey: "resolved", workflows.StageKey: "closed", workflows.CommanderKey: "alice",
	} {
		got, _ := s.indexed.GetKeyword(key)
		s.Equal(want, got, "search attribute %s follows the incident", key.GetName())
	}
}

func (s *incidentSuite) TestUpdateNameDecidesTheKind() {
	s.mockSlack(slack{})
	// What a caller sends cannot turn a note into a resolution: the Update's
	// name decides what its payload is.
	note, _ := ib.VerbNamed("note")
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(note.Update, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(error) {}, OnComplete: func(any, error) {},
		}, &ib.Resolve{Summary: "just a note", By: bob})
	}, time.Minute)
	s.env.RegisterDelayedCallback(func() {
		inc := s.state()
		s.Equal(ib.Investigating, inc.Status)
		s.Equal(ib.EventNote, inc.Timeline[len(inc.Timeline)-1].Kind)
		s.env.CancelWorkflow()
	}, 2*time.Minute)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
}

func (s *incidentSuite) TestChangesDuringRoomOpeningWait() {
	// The channel takes a minute to create (Slack rate limit); a change arrives
	// meanwhile and is posted once the room exists.
	s.mockSlack(slack{openAfter: time.Minute})
	var refused error
	s.change(10*time.Second, &ib.SetStatus{Status: ib.Identified, By: bob}, &refused)
	s.resolve(2*time.Minute, &ib.Resolve{By: bob}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	s.NoError(refused)
	s.Require().Len(s.posted, 6, "header, status, resolution, postmortem plan, review, close")
	s.Equal(ib.MsgHeader, s.posted[0].Kind)
	s.Equal(ib.EventStatusChanged, s.posted[1].Events[0].Kind)
}

func (s *incidentSuite) TestFailedInviteIsRecordedNotFatal() {
	s.mockSlack(slack{inviteErr: temporal.NewNonRetryableApplicationError(
		"Slack refused conversations.invite: user_not_found", activities.ErrTypeInvalid, errors.New("user_not_found"))})
	s.resolve(time.Minute, &ib.Resolve{By: bob}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Contains(inc.Timeline[1].Text, "Could not invite")
	s.Equal(ib.Resolved, inc.Status)
}

func (s *incidentSuite) TestInvalidDeclarationFails() {
	req := request()
	req.Declaration.Title = ""
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, req)
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	var app *temporal.ApplicationError
	s.Require().True(errors.As(err, &app))
	s.Equal(ib.EINVALID, app.Type())
}

func TestUpdateName(t *testing.T) {
	names := map[string]bool{}
	changes := 0
	for _, v := range ib.Verbs {
		if v.New == nil {
			continue
		}
		changes++
		require.NotEmpty(t, v.Update, "verb %s has an update", v.Name)
		require.Same(t, v, ib.VerbOf(v.New()), "the verb of %s's change is %s", v.Name, v.Name)
		names[v.Update] = true
	}
	assert.Len(t, names, changes, "one update per verb")
	assert.False(t, names[workflows.UpdateLinkTickets], "linking tickets has its own update")
}

func TestSearchAttributes(t *testing.T) {
	sa := temporal.NewSearchAttributes(workflows.SearchAttributes(ib.Summary{
		Severity: ib.S1, Status: ib.Identified, Stage: ib.StageActive, Commander: alice, Services: []string{"checkout"},
	})...)
	sev, _ := sa.GetKeyword(workflows.SeverityKey)
	require.Equal(t, "S1", sev)
	services, _ := sa.GetKeywordList(workflows.ServicesKey)
	require.Equal(t, []string{"checkout"}, services)
	require.Len(t, workflows.SearchAttributeKeys, len(workflows.SearchAttributes(ib.Summary{}))+1,
		"every key is kept current (the channel's once the channel exists)")
}

// The status page reminder of an active S1/S2 incident fires when the page has
// had no update for the interval, is moved by each update, and stops when the
// incident is resolved.
func (s *incidentSuite) TestStatusPageReminder() {
	s.mockSlack(slack{})
	s.env.OnActivity(a.PostStatusPage, mock.Anything, mock.Anything).Return("sp000001", nil)
	req := request() // S2
	req.Settings.StatusPageReminder = 30 * time.Minute
	s.change(40*time.Minute, &ib.PostStatusPage{Status: ib.Investigating, Message: "We are looking into failed checkouts.", By: alice}, new(error))
	s.resolve(80*time.Minute, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, req)
	s.Require().NoError(s.env.GetWorkflowError())

	var reminders []time.Duration
	for _, m := range s.posted {
		for _, e := range m.Events {
			if e.Kind == ib.EventReminder {
				reminders = append(reminders, e.At.Sub(declaredAt))
			}
		}
	}
	s.Equal([]time.Duration{30 * time.Minute, 70 * time.Minute}, reminders)
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal("sp000001", inc.StatusPage.IncidentID)
	s.Equal(ib.Resolved, inc.StatusPage.Status, "the resolution resolves the status page's incident")
	s.env.AssertActivityNumberOfCalls(s.T(), "PostStatusPage", 2)
}

// A status page update sent with the resolution is posted before the run ends.
func (s *incidentSuite) TestLastStatusPageUpdateNotLost() {
	s.mockSlack(slack{})
	s.env.OnActivity(a.PostStatusPage, mock.Anything, mock.Anything).After(time.Minute).Return("sp000001", nil)
	s.change(time.Minute, &ib.PostStatusPage{Status: ib.Resolved, Message: "All good again.", By: alice}, new(error))
	s.resolve(time.Minute, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	s.env.AssertActivityNumberOfCalls(s.T(), "PostStatusPage", 1)
}

func (s *incidentSuite) TestNoStatusPageReminderBelowS2() {
	s.mockSlack(slack{})
	req := request()
	req.Declaration.Severity = ib.S3
	req.Settings.StatusPageReminder = 30 * time.Minute
	s.resolve(3*time.Hour, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, req)
	s.Require().NoError(s.env.GetWorkflowError())
	for _, m := range s.posted {
		for _, e := range m.Events {
			s.NotEqual(ib.EventReminder, e.Kind)
		}
	}
}

// pageSends records whom each page message went to, and when.
type pageSend struct {
	to string
	at time.Duration
}

func (s *incidentSuite) mockPaging(chain ...ib.Person) *[]pageSend {
	var sends []pageSend
	s.env.OnActivity(a.PageChain, mock.Anything, mock.Anything).Return(chain, nil)
	s.env.OnActivity(a.UpdatePagerDuty, mock.Anything, mock.Anything).Return(nil)
	s.env.OnActivity(a.SendPage, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SendPageInput) error {
		sends = append(sends, pageSend{to: in.To.SlackID, at: s.env.Now().Sub(declaredAt)})
		return nil
	})
	return &sends
}

var dora = ib.Person{SlackID: "U0DORA", Name: "dora (manager)"}

// An unacknowledged page escalates along its chain at the severity's interval
// (S2: 10 minutes), and says so when everyone was paged.
func (s *incidentSuite) TestPageEscalates() {
	s.mockSlack(slack{})
	sends := s.mockPaging(bob, alice, dora)
	s.change(time.Minute, &ib.SendPage{Target: "checkout", Message: "DB down", By: alice}, new(error))
	s.resolve(2*time.Hour, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal([]pageSend{{bob.SlackID, time.Minute}, {alice.SlackID, 11 * time.Minute}, {dora.SlackID, 21 * time.Minute}}, *sends)
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.True(inc.Pages[0].Exhausted)
	s.Equal(2, inc.Pages[0].Level)
}

// An acknowledgement stops the escalation.
func (s *incidentSuite) TestPageAcknowledged() {
	s.mockSlack(slack{})
	sends := s.mockPaging(bob, alice, dora)
	s.change(time.Minute, &ib.SendPage{Target: "checkout", By: alice}, new(error))
	var twice error
	s.change(13*time.Minute, &ib.AckPage{Page: "P1", By: alice}, new(error))
	s.change(14*time.Minute, &ib.AckPage{Page: "P1", By: bob}, &twice)
	s.resolve(time.Hour, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal([]pageSend{{bob.SlackID, time.Minute}, {alice.SlackID, 11 * time.Minute}}, *sends, "no page after the acknowledgement")
	s.ErrorContains(twice, "already acknowledged by alice")
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal(alice, inc.Pages[0].AckedBy)
}

// PagerDuty hanging does not hold up the page in Slack.
func (s *incidentSuite) TestPagerDutyOutageDoesNotBlockThePage() {
	s.mockSlack(slack{})
	var sends []pageSend
	s.env.OnActivity(a.PageChain, mock.Anything, mock.Anything).Return([]ib.Person{bob}, nil)
	s.env.OnActivity(a.UpdatePagerDuty, mock.Anything, mock.Anything).After(time.Hour).Return(nil)
	s.env.OnActivity(a.SendPage, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SendPageInput) error {
		sends = append(sends, pageSend{to: in.To.SlackID, at: s.env.Now().Sub(declaredAt)})
		return nil
	})
	s.change(time.Minute, &ib.SendPage{Target: "checkout", By: alice}, new(error))
	s.resolve(3*time.Hour, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal([]pageSend{{bob.SlackID, time.Minute}}, sends, "paged in Slack at once")
}

// A page at night is recorded as off-hours; the next working morning the
// person and their manager are reminded of the recovery time, on a durable
// timer that keeps even a closed incident's workflow open until it fires.
func (s *incidentSuite) TestOffHoursPageRemindsRecovery() {
	s.mockSlack(slack{})
	s.mockPaging(bob, alice)
	morning := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // 09:00 in Berlin
	s.care = func(in activities.CareInput) activities.CareResult {
		if in.Person != bob {
			return activities.CareResult{}
		}
		return activities.CareResult{OffHours: true, Zone: "Europe/Berlin", RemindAt: morning, Manager: dora, Recovery: "half a day off"}
	}
	s.change(time.Minute, &ib.SendPage{Target: "checkout", By: alice}, new(error))
	s.change(5*time.Minute, &ib.AckPage{Page: "P1", By: bob}, new(error))
	s.resolve(time.Hour, &ib.Resolve{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())
	s.Require().NoError(s.env.GetWorkflowError())

	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Require().Len(inc.OffHours, 1)
	s.Equal(ib.OffHoursPage{Page: "P1", Person: bob, At: declaredAt.Add(time.Minute), Zone: "Europe/Berlin", RemindAt: morning,
		Manager: dora, Recovery: "half a day off", Reminded: true}, inc.OffHours[0])
	s.Require().Len(s.notices, 2, "the person and the manager, once each")
	var to []string
	for _, n := range s.notices {
		s.Equal(morning, n.At, "the next working morning, not before")
		s.Contains(n.Text, "half a day off")
		to = append(to, n.To)
	}
	s.ElementsMatch([]string{bob.SlackID, dora.SlackID}, to)
}

// An incident of the first loop that continues as new hands its queues to the
// ledger loop: its posts, refresh, status page update and collected message
// go out, and, resolved but not yet announced, its resolution's work is done.
func (s *incidentSuite) TestFirstLoopStateTakenOver() {
	s.mockSlack(slack{})
	s.env.OnActivity(a.PostStatusPage, mock.Anything, mock.Anything).Return("sp-1", nil)
	s.env.OnActivity(a.Collect, mock.Anything, mock.Anything).Return(activities.CollectResult{Fetched: activities.FetchResult{
		Messages: []ib.MessageContent{{TS: "5.0001", Found: true, Author: "U0BOBBY", Text: "error rate back to normal"}}}}, nil)
	req := request()
	d, err := req.Declaration.Validate()
	s.Require().NoError(err)
	inc := ib.NewIncident(req.ID, d, declaredAt)
	inc.Channel = channel
	inc.Evidence = []ib.Evidence{{Collection: ib.Papertrail, TS: "5.0001", Emoji: "receipt", HeldBy: []string{"U0BOBBY"}}}
	(&ib.Resolve{Summary: "reverted", By: alice}).Apply(&inc, declaredAt.Add(time.Hour))
	note := ib.NewMessage(ib.MsgEvent, inc.Summary, "7")
	note.Events = []ib.TimelineEvent{{At: declaredAt.Add(time.Minute), Kind: ib.EventNote, Text: "queued before the hand-over"}}
	req.Carried = &workflows.Carried{Incident: inc, FirstLoopState: workflows.FirstLoopState{
		Outbox: []ib.Message{note}, Stale: true, ToFetch: []string{"5.0001"},
		Reactions: []activities.ReactionChange{{TS: "5.0001", Emoji: "receipt", Add: true}},
		ToPublish: []activities.StatusPageInput{{Status: ib.Resolved, Body: "all good"}},
	}}
	s.env.RegisterDelayedCallback(func() {
		got := s.state()
		s.Equal("sp-1", got.StatusPage.IncidentID, "the queued status page update is posted")
		s.True(got.Evidence[0].Fetched, "the collected message is fetched")
		s.False(got.Postmortem.StartAt.IsZero(), "the postmortem stage is planned")
		s.env.CancelWorkflow()
	}, time.Hour)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, req)

	s.Require().NotEmpty(s.posted)
	s.Equal("queued before the hand-over", s.posted[0].Events[0].Text, "the queued post goes out first")
	s.Equal([]ib.MessageKind{ib.MsgResolved}, s.announced, "the resolution is announced")
	// The topic and header are refreshed with the queued post.
	s.env.AssertActivityCalled(s.T(), "Post", mock.Anything, mock.MatchedBy(func(in activities.PostInput) bool { return in.Refresh != nil }))
	// The collected message is fetched and confirmed in one call.
	s.env.AssertActivityCalled(s.T(), "Collect", mock.Anything, activities.CollectInput{Channel: channel.ID, TS: []string{"5.0001"},
		Changes: []activities.ReactionChange{{TS: "5.0001", Emoji: "receipt", Add: true}}})
}

// A collected message is fetched and confirmed with the bot's reaction in one
// call (Collect). The reactions that call could not set (Slack's rate limit)
// are set on their own, and a fetch given up does not take its message's
// confirmation with it.
func (s *incidentSuite) TestCollectLeavesNoReactionBehind() {
	s.mockSlack(slack{})
	collects := 0
	s.env.OnActivity(a.Collect, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CollectInput) (activities.CollectResult, error) {
		collects++
		if collects == 1 { // fetched, then rate limited
			return activities.CollectResult{Unset: in.Changes, Fetched: activities.FetchResult{
				Messages: []ib.MessageContent{{TS: in.TS[0], Found: true, Author: bob.SlackID, Text: "DB CPU at 100%"}}}}, nil
		}
		return activities.CollectResult{}, temporal.NewNonRetryableApplicationError("the bot is not in the channel", activities.ErrTypeInvalid, nil)
	})
	var set []activities.ReactionChange
	s.env.OnActivity(a.SetReactions, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ReactionsInput) ([]activities.ReactionChange, error) {
		set = append(set, in.Changes...)
		return nil, nil
	})
	for i, ts := range []string{"5.0001", "5.0002"} {
		s.env.RegisterDelayedCallback(func() {
			s.env.SignalWorkflow(workflows.SignalSlackEvent, ib.ChannelEvent{ID: "Ev" + ts, Kind: ib.ReactionAdded, User: bob.SlackID,
				TS: ts, Reaction: "receipt", Collection: ib.Papertrail, At: s.env.Now()})
		}, time.Duration(i+1)*time.Minute)
	}
	var inc ib.Incident
	s.env.RegisterDelayedCallback(func() { inc = s.state(); s.env.CancelWorkflow() }, time.Hour)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, request())

	s.Equal(2, collects, "one call for each message collected")
	s.Equal([]activities.ReactionChange{{TS: "5.0001", Emoji: "receipt", Add: true}, {TS: "5.0002", Emoji: "receipt", Add: true}}, set,
		"each confirmation the calls left is set on its own")
	s.Require().Len(inc.Evidence, 2)
	s.True(inc.Evidence[0].Fetched)
	s.Equal("DB CPU at 100%", inc.Evidence[0].Text)
	s.False(inc.Evidence[1].Fetched, "the fetch given up")
	s.True(slices.ContainsFunc(inc.Timeline, func(e ib.TimelineEvent) bool {
		return strings.HasPrefix(e.Text, "Could not fetch collected messages: the bot is not in the channel")
	}), "and said on the timeline")
}

// The postmortem stage waits for a rest after the resolution and for the
// recovery of whoever was paged off-hours; begun early, it passes over
// someone still recovering for its owner.
func (s *incidentSuite) TestPostmortemWaitsForRecovery() {
	s.mockSlack(slack{})
	s.mockPaging(bob, alice)
	morning := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // 09:00 in Berlin
	s.care = func(in activities.CareInput) activities.CareResult {
		return activities.CareResult{OffHours: true, Zone: "Europe/Berlin", RemindAt: morning, RecoveredAt: morning.Add(4 * time.Hour), Recovery: "half a day off"}
	}
	req := request()
	req.Settings.Postmortem = ib.PostmortemPolicy{Rest: time.Hour}
	s.change(time.Minute, &ib.SendPage{Target: "checkout", By: alice}, new(error))
	s.change(5*time.Minute, &ib.AckPage{Page: "P1", By: bob}, new(error))
	s.change(12*time.Minute, &ib.Resolve{By: alice}, new(error)) // 04:07
	var planned time.Time
	s.env.RegisterDelayedCallback(func() { planned = s.state().Postmortem.StartAt }, time.Hour)
	s.change(morning.Add(2*time.Hour).Sub(declaredAt), &ib.StartPostmortem{By: alice}, new(error)) // begun during the recovery
	s.change(48*time.Hour, &ib.RecordReview{By: alice}, new(error))
	s.change(48*time.Hour+time.Second, &ib.Close{By: alice}, new(error))
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, req)
	s.Require().NoError(s.env.GetWorkflowError())

	s.Equal(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), planned, "Tuesday morning: bob recovers until Monday noon")
	var inc ib.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	s.Equal([]ib.Person{bob}, s.recovering)
	s.Equal(alice, inc.Postmortem.Owner, "not bob, who is still recovering")
	s.Contains(timelineText(inc), "bob is still recovering from a page outside working hours, so the postmortem went to alice")
}

func timelineText(inc ib.Incident) string {
	var b strings.Builder
	for _, e := range inc.Timeline {
		b.WriteString(e.Text + "\n")
	}
	return b.String()
}

// invited matches an invitation of these people to the channel, of whichever
// incident.
func invited(channelID string, userIDs ...string) any {
	return mock.MatchedBy(func(in activities.InviteInput) bool {
		return in.ChannelID == channelID && slices.Equal(in.UserIDs, userIDs)
	})
}

func TestTitleWords(t *testing.T) {
	for title, want := range map[string]string{
		"Checkout API returning 500s":                                 "Checkout API returning 500s",
		"Checkout & payments down (EU)":                               "Checkout payments down EU",
		"Hostile @channel <https://evil.example|x> 'quoted' a:b \\\\": "Hostile channel https evil example x quoted a b",
		"Zahlungen schlagen fehl ✗ 東京":                                "Zahlungen schlagen fehl 東京",
		"🔥🔥":                                                          "",
	} {
		assert.Equal(t, want, workflows.TitleWords(title), title)
	}
}
