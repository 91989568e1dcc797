package workflows

import (
	"fmt"
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// aftercare is the incident's life after resolution: the resolution announced,
// the postmortem stage planned in the commander's zone, then every reminder on
// its durable timer, until someone closes the incident. The workflow holds one
// timer at a time, for the earliest reminder the incident's state implies, so
// nothing a restart, a deploy or a continue-as-new does can lose or repeat one.
func (w *firstLoop) aftercare(ctx workflow.Context) (ib.Incident, error) {
	if !w.ResolutionAnnounced {
		w.announceResolution(ctx)
		if len(w.Tickets.Linked) > 0 {
			w.closeTheLoop(ctx)
		}
		w.ResolutionAnnounced = true
	}
	if w.Postmortem.StartAt.IsZero() {
		var zone string
		w.settle(ctx, "read the commander's time zone", workflow.ExecuteActivity(slackCall(ctx), a.UserZone, w.Commander.SlackID), &zone)
		w.PlanPostmortem(w.settings.Postmortem, zone)
		loc := w.Postmortem.Location()
		w.tell(w.Note(workflow.Now(ctx), ib.EventStage, fmt.Sprintf("The postmortem stage begins %s (`/ib postmortem` begins it now); the review meeting is %s.",
			w.Postmortem.StartAt.In(loc).Format("Mon 2 Jan 15:04 MST"), w.Postmortem.ReviewAt.In(loc).Format("Mon 2 Jan 15:04 MST"))))
		w.Stale = true
		w.upsertSearchAttributes(ctx)
	}
	for w.Stage != ib.StageClosed {
		w.awaitAftercare(ctx)
		w.flush(ctx)
		w.postmortemWork(ctx)
		if w.historyFull(ctx) {
			return w.Incident, w.continueAsNew(ctx)
		}
	}
	// Recovery reminders still to come keep the closed incident's workflow
	// open until they are given: a night's page is owed its morning.
	_ = workflow.Await(ctx, func() bool {
		return workflow.AllHandlersFinished(ctx) && len(w.ToFetch) == 0 && len(w.Reactions) == 0 && w.fetching == nil && w.confirming == nil &&
			len(w.PendingRecoveries()) == 0 && w.paging == 0
	})
	w.flush(ctx)
	return w.Incident, nil
}

// awaitAftercare waits for work (a change, a draft to write), or for the next
// reminder's time, and gives that reminder.
func (w *firstLoop) awaitAftercare(ctx workflow.Context) {
	work := func() bool {
		return len(w.Outbox) > 0 || w.Stale || w.NeedsOwner() || w.ownerToTell() || w.DraftWanted ||
			w.Stage == ib.StageClosed || w.historyFull(ctx)
	}
	r, ok := w.NextReminder()
	if !ok {
		_ = workflow.Await(ctx, work)
		return
	}
	if wait := r.At.Sub(workflow.Now(ctx)); wait > 0 {
		worked, _ := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout: wait, TimerOptions: workflow.TimerOptions{Summary: r.Summary()},
		}, work)
		if worked {
			return
		}
	}
	w.remind(ctx, r)
}

// remind gives a reminder that is due.
func (w *firstLoop) remind(ctx workflow.Context, r ib.Reminder) {
	if r.Kind == ib.RemindFollowUp {
		if w.refreshTickets(ctx); len(w.OpenFollowUps()) == 0 {
			return // solved since: nobody to remind
		}
	}
	now := workflow.Now(ctx)
	n := w.Remind(r, now)
	if n.Event != (ib.TimelineEvent{}) {
		w.tell(n.Event)
		w.Stale = true
		w.upsertSearchAttributes(ctx)
		return
	}
	w.notify(ctx, n, string(r.Kind)+strconv.Itoa(r.Action)+"-"+strconv.FormatInt(now.Unix(), 10))
}

// notify says a notice to its people: by direct message, or in the channel
// naming them. People known only by name (through the CLI) are named in the
// channel instead. key makes each message posted once.
func (w *firstLoop) notify(ctx workflow.Context, n ib.Notice, key string) {
	msg := ib.NewMessage(ib.MsgNotice, w.Summary, key)
	msg.Text = n.Text
	var inChannel []ib.Person
	var futures []workflow.Future
	for _, p := range n.To {
		if n.InChannel || p.SlackID == "" {
			inChannel = append(inChannel, p)
			continue
		}
		dm := msg
		dm.Key += "-" + p.SlackID
		futures = append(futures, workflow.ExecuteActivity(slackCall(ctx), a.Post, activities.PostInput{Channel: p.SlackID, Message: dm}))
	}
	if len(inChannel) > 0 {
		msg.People = inChannel
		futures = append(futures, workflow.ExecuteActivity(slackCall(ctx), a.Post, activities.PostInput{Channel: w.Channel.ID, Message: msg}))
	}
	for _, f := range futures {
		w.settle(ctx, "send a reminder", f, nil)
	}
}

// postmortemWork does what the postmortem stage asks for: an owner once the
// stage begins (the primary service's on-call, else the commander), a draft
// when one is wanted, and a word to a new owner.
func (w *firstLoop) postmortemWork(ctx workflow.Context) {
	if w.NeedsOwner() {
		owner := w.Postmortem.Owner
		if owner == (ib.Person{}) {
			w.settle(ctx, "find the postmortem's owner", workflow.ExecuteActivity(slackCall(ctx), a.PostmortemOwner,
				activities.OwnerInput{Services: w.Services, At: workflow.Now(ctx)}), &owner)
		}
		if owner == (ib.Person{}) {
			owner = w.Commander
		}
		w.tell(w.AssignOwner(owner, w.settings.Postmortem, workflow.Now(ctx)))
		w.TellOwner, w.DraftWanted, w.Stale = true, true, true
	}
	if w.DraftWanted {
		w.DraftWanted = false
		var d activities.Draft
		w.settle(ctx, "write the postmortem draft", workflow.ExecuteActivity(documentCall(ctx), a.DraftPostmortem,
			activities.DraftInput{Incident: w.Incident, Version: w.Postmortem.Drafts + 1}), &d)
		if d.Location != "" {
			w.Postmortem.Drafts++
			w.Postmortem.Document = d.Location
			w.tell(w.Note(workflow.Now(ctx), ib.EventStage, fmt.Sprintf("Postmortem draft %d: %s (uploaded here; the channel's history is exported beside it)", w.Postmortem.Drafts, d.Location)))
		}
	}
	if w.ownerToTell() {
		w.TellOwner = false
		pm := w.Postmortem
		w.notify(ctx, ib.Notice{To: []ib.Person{pm.Owner}, Text: fmt.Sprintf(
			"📝 You own the postmortem of %s (%s). The draft is due %s. Start from the generated draft: %s. When it is written: `/ib postmortem %s done`.",
			w.ID, w.Title, pm.DueAt.In(pm.Location()).Format("Mon 2 Jan 15:04 MST"), pm.Document, w.ID)},
			"owner-"+strconv.Itoa(len(w.Timeline)))
	}
	w.flush(ctx)
}

// announceResolution resolves the incident's pages in PagerDuty and tells the
// incidents channel.
func (w *firstLoop) announceResolution(ctx workflow.Context) {
	w.resolvePages(ctx)
	w.announceResolved(ctx)
}

func (w *firstLoop) resolvePages(ctx workflow.Context) {
	for _, p := range w.Pages {
		w.updatePager(ctx, p.ID, "resolve")
	}
}

func (w *firstLoop) announceResolved(ctx workflow.Context) {
	w.settle(ctx, "announce the resolution", workflow.ExecuteActivity(slackCall(ctx), a.Announce, ib.NewMessage(ib.MsgResolved, w.Summary, "")), nil)
}

// ownerToTell says whether a new owner is to be told of their deadline.
func (w *firstLoop) ownerToTell() bool { return w.TellOwner && !w.Postmortem.DueAt.IsZero() }
