package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// tried says whether an earlier run may have done some of the work.
func tried(batch []Owed) bool {
	return slices.ContainsFunc(batch, func(o Owed) bool { return o.Tried })
}

// payPosts posts timeline events, several in one post (F5: Slack allows
// about one message a second per channel, so a burst goes out in a few
// posts, none dropped and in order), or one other post of the channel.
func (w *incident) payPosts(ctx workflow.Context, batch []Owed) []Owed {
	in := activities.PostInput{Channel: w.Channel.ID, LookFirst: tried(batch)}
	for _, o := range batch {
		if o.Kind == ib.OweRefresh {
			shown := w.Summary
			in.Refresh = &shown
			continue
		}
		in.Batch = append(in.Batch, *o.Message)
	}
	in.Batch[0].Incident = w.Summary
	posted := w.settle(ctx, "post the timeline", workflow.ExecuteActivity(slackCall(ctx), a.Post, in), nil)
	return unless(posted, batch)
}

// payRefresh brings the channel's topic and header up to date, once for
// every change since the last refresh.
func (w *incident) payRefresh(ctx workflow.Context, batch []Owed) []Owed {
	return unless(w.settle(ctx, "refresh the topic and header", w.quick(ctx, slackCall, a.Refresh, w.Summary), nil), batch)
}

// payMessage posts an announcement in the incidents channel, a direct
// message, or a word to people in the incident's channel.
func (w *incident) payMessage(ctx workflow.Context, batch []Owed) []Owed {
	o := batch[0]
	msg := *o.Message
	msg.Incident = w.Summary
	in := activities.PostInput{Channel: o.To, Message: msg, Announce: o.Kind == ib.OweAnnouncement, LookFirst: o.Tried}
	if in.Channel == "" {
		in.Channel = w.Channel.ID
	}
	what := "send a message"
	if in.Announce {
		what = "announce it"
	}
	return unless(w.settle(ctx, what, workflow.ExecuteActivity(slackCall(ctx), a.Post, in), nil), batch)
}

// payEvidence pays the evidence lane's step: newly collected messages
// fetched, the bot's reactions set or taken back, or, since collectTogether,
// both in one call (Collect), so that a message collected costs one step.
func (w *incident) payEvidence(ctx workflow.Context, batch []Owed) []Owed {
	var fetches, reactions []Owed
	for _, o := range batch {
		if o.Kind == ib.OweFetch {
			fetches = append(fetches, o)
		} else {
			reactions = append(reactions, o)
		}
	}
	switch {
	case len(reactions) == 0:
		return w.payFetch(ctx, fetches)
	case len(fetches) == 0:
		return w.payReactions(ctx, reactions)
	}
	var got activities.CollectResult
	collect := w.quick(ctx, slackCall, a.Collect, activities.CollectInput{
		Channel: w.Channel.ID, TS: refs(fetches), Changes: reactionChanges(reactions)})
	if !w.settle(ctx, "fetch collected messages", collect, &got) {
		return batch
	}
	if collect.Get(ctx, nil) != nil {
		return reactions // the fetch was given up; the reactions are yet to be tried
	}
	return append(w.fetched(fetches, got.Fetched), reactions[len(reactions)-len(got.Unset):]...)
}

// payFetch reads newly collected messages, all waiting ones at once: a burst
// of reactions costs one activity. What Slack's rate limit left unread stays
// owed.
func (w *incident) payFetch(ctx workflow.Context, batch []Owed) []Owed {
	var got activities.FetchResult
	if !w.settle(ctx, "fetch collected messages", w.quick(ctx, slackCall, a.FetchMessages,
		activities.FetchInput{Channel: w.Channel.ID, TS: refs(batch)}), &got) {
		return batch
	}
	return w.fetched(batch, got)
}

// fetched fills the evidence with the messages a fetch got, and returns the
// fetches it left unread.
func (w *incident) fetched(batch []Owed, got activities.FetchResult) []Owed {
	for _, m := range got.Messages {
		w.Fill(m)
	}
	var left []Owed
	for _, o := range batch {
		if slices.Contains(got.Rest, o.Ref) {
			left = append(left, o)
		}
	}
	return left
}

// payReactions confirms collected messages with the bot's own reaction, or
// takes it back from those withdrawn, all waiting at once.
func (w *incident) payReactions(ctx workflow.Context, batch []Owed) []Owed {
	var rest []activities.ReactionChange
	if !w.settle(ctx, "confirm collected messages", w.quick(ctx, slackCall, a.SetReactions,
		activities.ReactionsInput{Channel: w.Channel.ID, Changes: reactionChanges(batch)}), &rest) {
		return batch
	}
	return batch[len(batch)-len(rest):]
}

// refs are the messages owed work concerns.
func refs(batch []Owed) []string {
	ts := make([]string, len(batch))
	for i, o := range batch {
		ts[i] = o.Ref
	}
	return ts
}

// reactionChanges are the bot's reactions owed.
func reactionChanges(batch []Owed) []activities.ReactionChange {
	changes := make([]activities.ReactionChange, len(batch))
	for i, o := range batch {
		changes[i] = activities.ReactionChange{TS: o.Ref, Emoji: o.Emoji, Add: !o.Undo}
	}
	return changes
}

// payStatusPage posts an update on the public status page: the first opens
// the public incident, which the incident remembers for the rest.
func (w *incident) payStatusPage(ctx workflow.Context, batch []Owed) []Owed {
	o := batch[0]
	var id string
	post := workflow.ExecuteActivity(slackCall(ctx), a.PostStatusPage, activities.StatusPageInput{
		IncidentID: w.ID, PageIncidentID: w.StatusPage.IncidentID, Name: w.Title, Severity: w.Severity, Status: o.Status, Body: o.Text,
	})
	posted := w.settle(ctx, "update the status page", post, &id)
	if id != "" {
		w.StatusPage.IncidentID = id
	}
	if posted && w.Rules.LivedIn && o.Status == ib.Resolved && post.Get(ctx, nil) != nil {
		// Customers must not be left reading that the incident goes on.
		w.take(ctx, ib.Applied{Event: w.Note(workflow.Now(ctx), ib.EventStatusPage,
			"The status page still shows this incident as open: close it there, or try `/ib statuspage resolved <message>` again.")})
	}
	return unless(posted, batch)
}

// payPager tells PagerDuty what became of a page (triggered, acknowledged,
// or the incident resolved), for pages that go through it.
func (w *incident) payPager(ctx workflow.Context, batch []Owed) []Owed {
	o := batch[0]
	p, _ := w.Page(o.Ref)
	told := w.settle(ctx, o.Action+" the page in PagerDuty", w.quick(ctx, pagerCall, a.UpdatePagerDuty,
		activities.PagerDutyInput{Action: o.Action, Page: p, Incident: w.Summary}), nil)
	return unless(told, batch)
}
