package ib_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

// night is a pinned night for the 03:25–03:55 story (pure domain code).
var night = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

func nightAt(hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return night.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

func crash(starts, ends string) ib.Alert {
	a := ib.Alert{Fingerprint: "f00d", Name: "KubePodCrashLooping", Service: "core-api", Status: ib.AlertFiring,
		StartsAt: nightAt(starts), Summary: "Core API pods are crash-looping"}
	if ends != "" {
		a.Status, a.EndsAt = ib.AlertResolved, nightAt(ends)
	}
	return a
}

func kinds(ns []ib.WatchNotice) []ib.WatchNoticeKind {
	var out []ib.WatchNoticeKind
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

// The story: three auto-resolving alerts and a customer's ticket make one
// Declare? suggestion, detected at the first alert.
func TestWatchSuggestsOnFlappingAndATicket(t *testing.T) {
	w := &ib.Watch{Service: "core-api", Rules: ib.DefaultWatchRules}
	var got []ib.WatchNoticeKind
	for _, step := range []struct {
		a   ib.Alert
		now string
	}{
		{crash("03:25", ""), "03:25"}, {crash("03:25", "03:29"), "03:29"},
		{crash("03:32", ""), "03:32"}, {crash("03:32", "03:36"), "03:36"},
		{crash("03:41", ""), "03:41"}, {crash("03:41", ""), "03:42"}, // Alertmanager repeats a firing alert
		{crash("03:41", "03:45"), "03:45"}, {crash("03:41", "03:45"), "03:46"},
	} {
		got = append(got, kinds(w.TakeAlert(step.a, nightAt(step.now)))...)
	}
	assert.Equal(t, []ib.WatchNoticeKind{ib.NoticeAlert, ib.NoticeAlert, ib.NoticeAlert, ib.NoticeFlapping}, got,
		"each firing told once, the flapping once, no suggestion without a customer")

	ns := w.TakeTicket(ib.TicketEvent{ID: 4242, Subject: "Core API errors on deploy"}, nightAt("03:50"))
	require.Equal(t, []ib.WatchNoticeKind{ib.NoticeSuggest}, kinds(ns))
	s := ns[0].Suggestion
	assert.Equal(t, nightAt("03:25"), s.DetectedAt)
	assert.Len(t, s.Alerts, 3)
	assert.Equal(t, int64(4242), s.Ticket.ID)
	assert.Equal(t, ib.S2, s.Severity)
	assert.Equal(t, "core-api: Core API pods are crash-looping", s.Title)
	assert.Empty(t, w.TakeTicket(ib.TicketEvent{ID: 4243}, nightAt("03:51")), "one suggestion per episode")

	withdrawn := w.Declared("INC-1", nightAt("03:55"))
	require.Len(t, withdrawn, 1)
	assert.Equal(t, ib.SuggestionWithdrawn, withdrawn[0].Suggestion.State)
	assert.Len(t, w.Recent(nightAt("03:55")), 3, "the incident's timeline gets the three alerts")

	// Hours later the episode is over; a new one may be suggested again.
	assert.True(t, w.Idle(nightAt("06:00")))
	assert.Nil(t, w.Suggestion)
}

// A ticket about a quiet service is no signal; a dismissal needs a reason and
// is kept.
func TestWatchTicketsAndDismissals(t *testing.T) {
	w := &ib.Watch{Service: "core-api", Rules: ib.WatchRules{SuggestOn: ib.SuggestOnTicket}.WithDefaults()}
	assert.Empty(t, w.TakeTicket(ib.TicketEvent{ID: 1}, nightAt("03:00")), "no alert, no signal")
	w.TakeAlert(crash("03:25", ""), nightAt("03:25"))
	ns := w.TakeTicket(ib.TicketEvent{ID: 2}, nightAt("03:30"))
	require.Equal(t, []ib.WatchNoticeKind{ib.NoticeSuggest}, kinds(ns), "by the catalog's setting a ticket alone suggests")
	_, err := w.Dismiss(ib.Person{SlackID: "U1"}, "  ", nightAt("03:31"))
	assert.Error(t, err, "a dismissal says why")
	ns, err = w.Dismiss(ib.Person{SlackID: "U1"}, "known: the deploy is rolling back", nightAt("03:31"))
	require.NoError(t, err)
	assert.Equal(t, ib.SuggestionDismissed, ns[0].Suggestion.State)
	assert.Len(t, w.Dismissals, 1)
	assert.Empty(t, w.Declared("INC-2", nightAt("03:40")), "a dismissed suggestion is not withdrawn again")
}

// Alerts of no known service are listed once per name.
func TestWatchListsUnknownAlertsOnce(t *testing.T) {
	w := &ib.Watch{Rules: ib.DefaultWatchRules}
	a := crash("03:25", "")
	a.Service = ""
	assert.Equal(t, []ib.WatchNoticeKind{ib.NoticeUnknownAlert}, kinds(w.TakeAlert(a, nightAt("03:25"))))
	a.StartsAt = nightAt("03:30")
	assert.Empty(t, w.TakeAlert(a, nightAt("03:30")))
}

func TestAlertBounded(t *testing.T) {
	_, err := ib.Alert{Name: "X", Status: "weird", StartsAt: nightAt("03:00")}.Bounded()
	assert.Error(t, err)
	_, err = ib.Alert{Name: "X", Status: ib.AlertResolved, StartsAt: nightAt("03:00")}.Bounded()
	assert.Error(t, err, "resolved needs endsAt")
	a, err := ib.Alert{Name: "X\u200b" + string(make([]byte, 0)), Status: ib.AlertFiring, StartsAt: nightAt("03:00"), EndsAt: nightAt("04:00")}.Bounded()
	require.NoError(t, err)
	assert.True(t, a.EndsAt.IsZero(), "a firing alert's endsAt is Alertmanager's expiry, not a resolution")
	assert.Equal(t, "X|", a.Fingerprint)
}

// A firing alert that is never reported again is forgotten after a day, so
// that a sender that never resolves cannot keep a watch forever; one that is
// repeated stays.
func TestWatchForgetsSilentFiringAlerts(t *testing.T) {
	w := &ib.Watch{Service: "core-api", Rules: ib.DefaultWatchRules}
	w.TakeAlert(crash("03:25", ""), nightAt("03:25"))
	due, ok := w.NextDue()
	require.True(t, ok)
	assert.Equal(t, nightAt("03:25").Add(ib.ForgetFiringAfter), due)
	w.TakeAlert(crash("03:25", ""), nightAt("07:25")) // Alertmanager's repeat
	assert.False(t, w.Idle(nightAt("03:25").Add(ib.ForgetFiringAfter)), "repeated: still firing")
	assert.True(t, w.Idle(nightAt("07:25").Add(ib.ForgetFiringAfter+time.Minute)))
}

// A group of alerts sent at once is told to its owner in one message.
func TestWatchTellsAGroupOnce(t *testing.T) {
	w := &ib.Watch{Service: "core-api", Rules: ib.DefaultWatchRules}
	var group []ib.Alert
	for i := range ib.MaxAlertsPerNotice + 5 {
		a := crash("03:25", "")
		a.Fingerprint = fmt.Sprint("pod-", i)
		group = append(group, a)
	}
	ns := w.TakeAlerts(group, nightAt("03:26"))
	require.Len(t, ns, 2, "one notice per MaxAlertsPerNotice alerts")
	assert.Len(t, ns[0].Alerts, ib.MaxAlertsPerNotice)
	assert.Len(t, ns[1].Alerts, 5)
	assert.Empty(t, w.TakeAlerts(group, nightAt("03:27")), "sent again: nothing new")
}
