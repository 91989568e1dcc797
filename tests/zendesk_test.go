package tests

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/integrations/zendesk"
	"github.com/incident-buddy/ib/oncall"
	"github.com/incident-buddy/ib/tests/fakezendesk"
)

// withZendesk declares incidents as a deployment with Zendesk does: S1 and S2
// open a problem ticket, and active incidents look for customer tickets every
// suggestEvery (0: never).
func withZendesk(suggestEvery time.Duration) *ibtemporal.Incidents {
	return &ibtemporal.Incidents{Client: tclient, Settings: ib.Settings{
		ProblemTickets: []ib.Severity{ib.S1, ib.S2}, SuggestTickets: suggestEvery,
	}}
}

// F12: the problem ticket's create succeeds but its reply is lost; the retry
// carries the same idempotency key, and there is one problem ticket.
func TestProblemTicketOnceWhenTheReplyIsLost(t *testing.T) {
	zendeskFake.DropNextReply("POST /tickets.json", 1)
	creates := zendeskFake.Calls("POST /tickets.json")
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	id := declareWith(t, withZendesk(0), ib.Declaration{Title: "Checkout API returning 500s", Severity: ib.S2, Services: []string{"checkout"}, Declarer: alice})
	var inc ib.Incident
	waitFor(t, "the problem ticket", func() bool { inc = state(t, id); return inc.Tickets.ProblemID != 0 })
	problems := zendeskFake.Tickets("[" + id + "]")
	require.Len(t, problems, 1, "one problem ticket")
	p := problems[0]
	assert.Equal(t, inc.Tickets.ProblemID, p.ID)
	assert.Equal(t, "problem", p.Type)
	assert.Equal(t, id, p.ExternalID)
	assert.Subset(t, p.Tags, []string{"incident", strings.ToLower(id), "service_checkout"})
	assert.Contains(t, p.Comments[0].Body, "#"+inc.Channel.Name, "the channel is named on the ticket")
	assert.False(t, p.Comments[0].Public, "the incident's details are an internal note")
	assert.Equal(t, zendeskURL+"/agent/tickets/"+itoa(p.ID), inc.Tickets.ProblemURL)
	assert.GreaterOrEqual(t, zendeskFake.Calls("POST /tickets.json")-creates, 2, "the create was retried")
	waitFor(t, "the header shows the problem ticket", func() bool {
		return strings.Contains(headerOf(t, inc), "problem \\u003c"+inc.Tickets.ProblemURL) || strings.Contains(headerOf(t, inc), "problem <"+inc.Tickets.ProblemURL)
	})
}

// Linking tickets from Slack: each good ticket becomes an incident of the
// problem ticket with an internal note; bad IDs, closed tickets and tickets
// of another problem get their reasons; resolving notes every linked ticket
// and hands the follow-up to the customer reliability on-call; the incident
// cannot close while a ticket is unsolved; a signed webhook brings a solved
// status in, and a waiver covers the rest.
func TestCustomerTicketsLinkedAndFollowedUp(t *testing.T) {
	service := withZendesk(0)
	gw := startGateway(t, service)
	alice := fake.UserByName("alice")
	id := declareWith(t, service, ib.Declaration{Title: "Cluster creation failing", Severity: ib.S3, Declarer: ib.Person{SlackID: alice, Name: "alice"}})
	inc := roomReady(t, id)
	assert.Zero(t, inc.Tickets.ProblemID, "an S3 opens its problem ticket when a ticket is first linked")

	a := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "Cannot create a cluster", Description: "it spins forever", Status: "open"})
	b := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "Cluster creation 500", Description: "error 500", Status: "new"})
	c := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "Creating clusters broken?", Description: "since this morning", Status: "pending"})
	closed := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "Old problem", Description: "done", Status: "closed"})
	otherProblem := zendeskFake.AddTicket(fakezendesk.Ticket{Type: "problem", Subject: "Another incident", Description: "x", Status: "open"})
	elsewhere := zendeskFake.AddTicket(fakezendesk.Ticket{Type: "incident", Subject: "Linked elsewhere", Description: "y", Status: "open"})
	zendeskFake.Link(elsewhere, otherProblem)

	text := gw.ask(t, alice, inc.Channel.ID, "ticket "+join(a, b, c, closed, elsewhere, 999999))
	for _, want := range []string{
		itoa(a) + "> Cannot create a cluster is linked", itoa(b) + "> Cluster creation 500 is linked", itoa(c) + "> Creating clusters broken? is linked",
		"Ticket " + itoa(closed) + " is closed", "Ticket " + itoa(elsewhere) + " is already linked to problem ticket " + itoa(otherProblem),
		"Ticket 999999 does not exist",
	} {
		assert.Contains(t, text, want)
	}
	inc = state(t, id)
	require.NotZero(t, inc.Tickets.ProblemID)
	for _, tk := range []int64{a, b, c} {
		got, _ := zendeskFake.Ticket(tk)
		assert.Equal(t, "incident", got.Type)
		assert.Equal(t, inc.Tickets.ProblemID, got.ProblemID, "ticket %d points at the problem", tk)
		last := got.Comments[len(got.Comments)-1]
		assert.False(t, last.Public)
		assert.Contains(t, last.Body, "Linked to incident "+id)
	}
	got, _ := zendeskFake.Ticket(closed)
	assert.Zero(t, got.ProblemID, "a closed ticket is left alone")
	assert.Len(t, inc.Tickets.Linked, 3)
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "ticket "+itoa(a)), "is linked", "linking again is harmless")
	got, _ = zendeskFake.Ticket(a)
	assert.Len(t, got.Comments, 2, "and adds no second note")

	// Resolution: a note on each ticket, the follow-up task to CRE's on-call.
	_, err := change(t, id, &ib.Resolve{Summary: "reverted the scheduler change", By: ib.Person{SlackID: alice}})
	require.NoError(t, err)
	for _, tk := range []int64{a, b, c} {
		waitFor(t, "the resolution note", func() bool {
			got, _ := zendeskFake.Ticket(tk)
			return strings.Contains(got.Comments[len(got.Comments)-1].Body, "reverted the scheduler change")
		})
	}
	// Whoever is on call for customer reliability when the incident resolves.
	waitFor(t, "the follow-up owner", func() bool { inc = state(t, id); return inc.Tickets.FollowUpOwner.SlackID != "" })
	cre, _ := testCatalog.Rotation("cre")
	assert.Equal(t, cre.OnCall(inc.ResolvedAt), inc.Tickets.FollowUpOwner.SlackID)
	onCall := "dm-" + userName(inc.Tickets.FollowUpOwner.SlackID)
	waitFor(t, "the follow-up task", func() bool { return len(messagesAbout(onCall, "Follow up with the customers of "+id)) == 1 })
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "postmortem waive small"), "is waived")
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "close"), "customer tickets "+joinWith(", ", a, b, c)+" are not solved")

	// Zendesk tells of a solved ticket through the signed webhook.
	zendeskFake.SetStatus(a, "solved")
	status, _ := postWebhook(t, service, `{"ticket": {"id": "`+itoa(a)+`", "subject": "Cannot create a cluster", "status": "Solved"}}`, "zd-secret")
	require.Equal(t, http.StatusOK, status)
	waitFor(t, "ticket a solved", func() bool { return linked(t, id, a).Solved() })
	zendeskFake.SetStatus(b, "solved")
	status, _ = postWebhook(t, service, `{"ticket": {"id": `+itoa(b)+`, "status": "solved"}}`, "zd-secret")
	require.Equal(t, http.StatusOK, status)
	waitFor(t, "ticket b solved", func() bool { return linked(t, id, b).Solved() })
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "close"), "customer tickets "+itoa(c)+" are not solved")
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "ticket waive "+itoa(c)+" customer confirmed by phone"), "needs no follow-up")
	assert.Contains(t, gw.ask(t, alice, inc.Channel.ID, "close"), "is closed")
	waitClosed(t, id)
}

// A webhook request must carry Zendesk's signature over its body, made
// recently; a new ticket naming an incident's service reaches it, and is
// offered in its channel once, however often it is delivered.
func TestZendeskWebhook(t *testing.T) {
	service := withZendesk(0)
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	id := declareWith(t, service, ib.Declaration{Title: "Checkout slow for EU customers", Severity: ib.S3, Services: []string{"checkout"}, Declarer: alice})
	inc := roomReady(t, id)
	tk := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "Checkout-api timing out", Description: "our checkout-api calls time out", Status: "new"})
	body := `{"ticket": {"id": "` + itoa(tk) + `", "subject": "Checkout-api timing out", "description": "our checkout-api calls time out", "status": "New"}}`

	status, _ := postWebhook(t, service, body, "wrong-secret")
	assert.Equal(t, http.StatusUnauthorized, status, "signed with another secret")
	status, _ = postSigned(t, service, body, "zd-secret", time.Now().Add(-10*time.Minute))
	assert.Equal(t, http.StatusUnauthorized, status, "signed too long ago: a replay")
	status, _ = postSigned(t, service, `{"ticket": {"id": "x"}}`, "zd-secret", time.Now())
	assert.Equal(t, http.StatusBadRequest, status)

	for range 2 {
		status, answer := postWebhook(t, service, body, "zd-secret")
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, answer, id, "the active incident of the service it mentions")
	}
	waitFor(t, "the ticket offered", func() bool { return len(messagesAbout(inc.Channel.Name, "Customer tickets that may be about")) == 1 })
	settled(t, tclient, id)
	assert.Len(t, messagesAbout(inc.Channel.Name, "Customer tickets that may be about"), 1, "offered once")
	assert.Equal(t, []int64{tk}, state(t, id).Tickets.Suggested)
}

// While active, the incident looks in Zendesk for open tickets about its
// services (the catalog's aliases included) and offers each new one once.
func TestTicketSuggestions(t *testing.T) {
	service := withZendesk(time.Second)
	alice := ib.Person{SlackID: fake.UserByName("alice"), Name: "alice"}
	id := declareWith(t, service, ib.Declaration{Title: "Payments declined", Severity: ib.S3, Services: []string{"checkout"}, Declarer: alice})
	inc := roomReady(t, id)
	tk := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "checkout-api returns 402", Description: "every card declined", Status: "open"})
	solved := zendeskFake.AddTicket(fakezendesk.Ticket{Subject: "checkout-api question", Description: "answered", Status: "solved"})
	waitFor(t, "the suggestion", func() bool { return len(state(t, id).Tickets.Suggested) > 0 })
	searches := zendeskFake.Calls("GET /search.json")
	// Each round searches for the service's name and its alias.
	waitFor(t, "two more rounds of searching", func() bool { return zendeskFake.Calls("GET /search.json") >= searches+4 })
	settled(t, tclient, id)
	inc = state(t, id)
	assert.Contains(t, inc.Tickets.Suggested, tk)
	assert.NotContains(t, inc.Tickets.Suggested, solved, "solved tickets are not offered")
	offers := 0
	for _, m := range messagesAbout(inc.Channel.Name, "Customer tickets that may be about") {
		if strings.Contains(string(m.Blocks), itoa(tk)) {
			offers++
		}
	}
	assert.Equal(t, 1, offers, "each ticket is offered once")
	_, err := change(t, id, &ib.Resolve{By: alice})
	require.NoError(t, err)
}

func declareWith(t *testing.T, s *ibtemporal.Incidents, d ib.Declaration) string {
	t.Helper()
	res, err := s.Declare(t.Context(), d)
	require.NoError(t, err)
	return res.ID
}

func postWebhook(t *testing.T, s ib.IncidentService, body, secret string) (int, string) {
	return postSigned(t, s, body, secret, time.Now())
}

func postSigned(t *testing.T, s ib.IncidentService, body, secret string, at time.Time) (int, string) {
	t.Helper()
	h := &zendesk.Webhook{Secret: "zd-secret", Incidents: s, Catalog: oncall.NewLiveCatalog(testCatalog), Log: zap.NewNop()}
	ts := at.UTC().Format(time.RFC3339)
	r := httptest.NewRequest(http.MethodPost, zendesk.WebhookPath, bytes.NewBufferString(body))
	r.Header.Set("X-Zendesk-Webhook-Signature", zendesk.Sign(secret, ts, []byte(body)))
	r.Header.Set("X-Zendesk-Webhook-Signature-Timestamp", ts)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	h.Wait() // the news has reached its incidents
	return w.Code, w.Body.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// join lists ticket numbers as typed (" ") or as answers list them (", ").
func join(ids ...int64) string { return joinWith(" ", ids...) }

func joinWith(sep string, ids ...int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = itoa(id)
	}
	return strings.Join(parts, sep)
}

// headerOf is the incident's header message as the fake Slack holds it.
func headerOf(t *testing.T, inc ib.Incident) string {
	t.Helper()
	ch, ok := fake.ChannelByName(inc.Channel.Name)
	require.True(t, ok)
	for _, m := range ch.Messages {
		if m.TS == inc.Channel.HeaderTS {
			return string(m.Blocks)
		}
	}
	return ""
}

// linked is a ticket as the incident holds it.
func linked(t *testing.T, id string, ticket int64) ib.Ticket {
	inc := state(t, id)
	tk, _ := inc.LinkedTicket(ticket)
	return tk
}

func fakezendeskTicket(subject string) fakezendesk.Ticket {
	return fakezendesk.Ticket{Subject: subject, Description: subject, Status: "open"}
}
