package ib_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

func TestWorkingDays(t *testing.T) {
	berlin, err := ib.LoadZone("Europe/Berlin")
	require.NoError(t, err)
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.DateTime, s)
		require.NoError(t, err)
		return v
	}
	// 2026-11-23 is a Monday.
	for _, tc := range []struct {
		name     string
		from     string
		loc      *time.Location
		morning  string // NextWorkingMorning at 09:00
		plusTwo  string // AddWorkingDays +2
		minusOne string // AddWorkingDays -1
	}{
		{"night before work", "2026-11-23 03:00:00", time.UTC, "2026-11-23 09:00:00", "2026-11-25 03:00:00", "2026-11-20 03:00:00"},
		{"during work", "2026-11-23 10:00:00", time.UTC, "2026-11-24 09:00:00", "2026-11-25 10:00:00", "2026-11-20 10:00:00"},
		{"friday", "2026-11-27 10:00:00", time.UTC, "2026-11-30 09:00:00", "2026-12-01 10:00:00", "2026-11-26 10:00:00"},
		{"saturday", "2026-11-28 10:00:00", time.UTC, "2026-11-30 09:00:00", "2026-12-01 10:00:00", "2026-11-27 10:00:00"},
		// Summer time ends on Sunday 2026-10-25 in Berlin: 09:00 local is 07:00 UTC before, 08:00 after.
		{"across the end of summer time", "2026-10-23 07:00:00", berlin, "2026-10-26 08:00:00", "2026-10-27 08:00:00", "2026-10-22 07:00:00"},
		// It begins on Sunday 2027-03-28: 09:00 local is 08:00 UTC before, 07:00 after.
		{"across the start of summer time", "2027-03-26 08:00:00", berlin, "2027-03-29 07:00:00", "2027-03-30 07:00:00", "2027-03-25 08:00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := utc(tc.from)
			assert.Equal(t, utc(tc.morning), ib.NextWorkingMorning(from, tc.loc, 9).UTC(), "next working morning")
			assert.Equal(t, utc(tc.plusTwo), ib.AddWorkingDays(from, 2, tc.loc).UTC(), "two working days later")
			assert.Equal(t, utc(tc.minusOne), ib.AddWorkingDays(from, -1, tc.loc).UTC(), "a working day before")
		})
	}
	assert.True(t, ib.DefaultWorkingHours.Contain(utc("2026-11-23 08:30:00"), berlin), "09:30 on a Monday in Berlin")
	assert.False(t, ib.DefaultWorkingHours.Contain(utc("2026-11-23 02:30:00"), berlin), "03:30 at night")
	assert.False(t, ib.DefaultWorkingHours.Contain(utc("2026-11-28 10:00:00"), berlin), "a Saturday")
}

// resolvedIncident is an S2 resolved on Monday 2026-11-23 at 04:07 UTC (05:07
// in Berlin, its commander's zone), its postmortem planned by the defaults.
func resolvedIncident(t *testing.T, sev ib.Severity) ib.Incident {
	t.Helper()
	inc := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "Control plane API outage", Severity: sev, Declarer: alice, Commander: alice}, declaredAt)
	inc.Participants = []string{"U0ALICE", "U0CAROL"}
	resolve := &ib.Resolve{Summary: "reverted the change", By: alice}
	at := time.Date(2026, 11, 23, 4, 7, 0, 0, time.UTC)
	require.NoError(t, inc.Check(resolve, at))
	resolve.Apply(&inc, at)
	inc.PlanPostmortem(ib.PostmortemPolicy{}, "Europe/Berlin")
	return inc
}

func TestPostmortemPlan(t *testing.T) {
	inc := resolvedIncident(t, ib.S2)
	pm := inc.Postmortem
	assert.True(t, pm.Required, "an S2 requires a postmortem")
	assert.Equal(t, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), pm.StartAt, "09:00 in Berlin the same morning: people sleep first")
	assert.Equal(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), pm.ReviewAt, "a week later, at the working morning")

	now := ib.PostmortemPolicy{Start: "now"}
	inc.PlanPostmortem(now, "Nowhere/Atlantis")
	assert.Equal(t, inc.ResolvedAt, inc.Postmortem.StartAt)
	assert.Equal(t, "UTC", inc.Postmortem.Zone, "an unknown zone falls back to the policy's")

	assert.NoError(t, ib.PostmortemPolicy{Start: "2h", DraftDays: map[ib.Severity]int{ib.S1: 2}}.Check())
	assert.Error(t, ib.PostmortemPolicy{Start: "tomorrow"}.Check())
	assert.Error(t, ib.PostmortemPolicy{DraftDays: map[ib.Severity]int{ib.S1: 0}}.Check())
	days, err := ib.ParseDraftDays("S1=2, s3=7")
	require.NoError(t, err)
	assert.Equal(t, map[ib.Severity]int{ib.S1: 2, ib.S3: 7}, days)
	_, err = ib.ParseDraftDays("S1=soon")
	assert.Error(t, err)
}

// TestPostmortemReminders walks an S2's postmortem through two weeks of its
// reminders, each given at its exact time and never twice.
func TestPostmortemReminders(t *testing.T) {
	inc := resolvedIncident(t, ib.S2)
	bob := ib.Person{SlackID: "U0BOBBY", Name: "bob"}
	utc := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }
	type given struct {
		kind ib.ReminderKind
		at   time.Time
	}
	var got []given
	// run gives every reminder due up to until, as the workflow's timer would.
	run := func(until time.Time) {
		for {
			r, ok := inc.NextReminder()
			if !ok || r.At.After(until) {
				return
			}
			n := inc.Remind(r, r.At)
			got = append(got, given{r.Kind, r.At})
			if r.Kind == ib.RemindStage {
				assert.Equal(t, ib.StagePostmortem, inc.Stage)
				require.True(t, inc.NeedsOwner())
				inc.AssignOwner(bob, ib.PostmortemPolicy{}, r.At)
				continue
			}
			assert.NotEmpty(t, n.Text)
		}
	}
	run(utc(23, 7))
	assert.Empty(t, got, "nothing before the working morning")
	run(utc(29, 0))
	assert.Equal(t, utc(30, 8), inc.Postmortem.DueAt, "an S2's draft is due five working days after the stage began")
	assert.Equal(t, []given{
		{ib.RemindStage, utc(23, 8)},
		{ib.RemindDraft, utc(27, 8)},  // a working day before the deadline
		{ib.RemindReview, utc(27, 8)}, // a working day before the review
	}, got)

	got = nil
	run(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, []given{
		{ib.RemindDraft, utc(30, 8)}, {ib.RemindReview, utc(30, 8)}, // at the deadline and the meeting
		{ib.RemindDraft, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}, {ib.RemindReview, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}, // overdue
	}, got)
	r, _ := inc.NextReminder()
	assert.Equal(t, time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), r.At, "overdue reminders come every working day")

	// A long outage of the worker costs the missed reminders, not a burst of them.
	late := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	missed := 0
	for ; !r.At.After(late); r, _ = inc.NextReminder() {
		inc.Remind(r, late)
		missed++
	}
	assert.Equal(t, 2, missed, "one reminder of the draft, one of the review")
	assert.True(t, r.At.After(late), "the next reminder is after the late one: %s", r.At)

	done := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	for _, c := range []ib.Change{
		&ib.RecordReview{Notes: "good discussion", By: alice},
		&ib.AddAction{Text: "alert on control plane error rate", Owner: "U0BOBBY", Due: time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC), By: alice},
	} {
		require.NoError(t, inc.Check(c, done))
		c.Apply(&inc, done)
	}
	assert.Equal(t, ib.StageReview, inc.Stage)
	r, ok := inc.NextReminder()
	require.True(t, ok)
	assert.Equal(t, ib.Reminder{Kind: ib.RemindAction, At: time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC), Action: 1}, r,
		"only the action item is left to remind: a working day before it is due")
	n := inc.Remind(r, r.At)
	assert.Equal(t, []ib.Person{{SlackID: "U0BOBBY"}}, n.To)
	assert.Contains(t, n.Text, "alert on control plane error rate")
	assert.Contains(t, n.Text, "/ib action INC-20261123-K7QF done 1")
}

func TestPostmortemChanges(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	active := ib.NewIncident("INC-20261123-K7QF", ib.Declaration{Title: "API outage", Severity: ib.S3, Declarer: alice, Commander: alice}, declaredAt)
	err := active.Check(&ib.Close{}, at)
	assert.Equal(t, ib.ECONFLICT, ib.ErrorCode(err))
	assert.Contains(t, ib.ErrorMessage(err), "still open")

	s2 := resolvedIncident(t, ib.S2)
	err = s2.Check(&ib.WaivePostmortem{Reason: "minor", By: alice}, at)
	assert.Equal(t, ib.EFORBIDDEN, ib.ErrorCode(err))
	assert.Contains(t, ib.ErrorMessage(err), "S2 incidents require a postmortem")

	inc := resolvedIncident(t, ib.S3)
	refused := func(c ib.Change, code, says string) {
		t.Helper()
		err := inc.Check(c, at)
		require.Error(t, err)
		assert.Equal(t, code, ib.ErrorCode(err))
		assert.Contains(t, ib.ErrorMessage(err), says)
	}
	apply := func(c ib.Change) {
		t.Helper()
		require.NoError(t, inc.Check(c, at))
		c.Apply(&inc, at)
	}
	refused(&ib.WaivePostmortem{Reason: "minor", By: ib.Person{SlackID: "U0BOBBY"}}, ib.EFORBIDDEN, "Only the commander (alice)")
	refused(&ib.WaivePostmortem{By: alice}, ib.EINVALID, "Say why")
	refused(&ib.FinishDraft{}, ib.ECONFLICT, "not writing its postmortem")
	refused(&ib.AddAction{Text: "fix it", Owner: "U0BOBBY"}, ib.EINVALID, "When is it due")
	refused(&ib.AddAction{Text: "fix it", Owner: "U0BOBBY", Due: at.AddDate(0, 0, -3)}, ib.EINVALID, "has passed")
	refused(&ib.FinishAction{N: 1}, ib.EINVALID, "no action item 1")
	refused(&ib.Close{}, ib.ECONFLICT, "review is not recorded")

	apply(&ib.StartPostmortem{By: alice})
	refused(&ib.StartPostmortem{}, ib.ECONFLICT, "already in its postmortem stage")
	apply(&ib.SetPostmortemOwner{Owner: "U0CAROL", By: alice})
	assert.Equal(t, ib.Person{SlackID: "U0CAROL"}, inc.Postmortem.Owner)
	apply(&ib.AddAction{Text: "add a canary", Owner: "U0BOBBY", Due: at.AddDate(0, 0, 3), By: alice})
	apply(&ib.AddAction{Text: "document the revert", Owner: "carol", Due: at.AddDate(0, 0, 5), By: alice})
	assert.Equal(t, ib.Person{Name: "carol"}, inc.Postmortem.Actions[1].Owner)
	err = inc.Check(&ib.Close{}, at)
	assert.Equal(t, "INC-20261123-K7QF cannot be closed yet: its postmortem review is not recorded (after the meeting: `/ib review done`); and action items 1, 2 are open (`/ib action done N`).", ib.ErrorMessage(err))

	apply(&ib.WaivePostmortem{Reason: "a five-minute blip", By: alice})
	apply(&ib.FinishAction{N: 1, By: alice})
	refused(&ib.FinishAction{N: 1}, ib.ECONFLICT, "already done")
	refused(&ib.RecordReview{}, ib.ECONFLICT, "waived")
	refused(&ib.Close{}, ib.ECONFLICT, "action items 2 are open")
	apply(&ib.FinishAction{N: 2, By: alice})
	apply(&ib.Close{By: alice})
	assert.Equal(t, ib.StageClosed, inc.Stage)
	refused(&ib.AddNote{Text: "after"}, ib.ECONFLICT, "is closed")
	_, ok := inc.NextReminder()
	assert.False(t, ok, "a closed incident reminds nobody")
}
