package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/activities"
)

// lane is a queue of owed work paid in order, one step at a time, beside the
// loop and beside the other lanes: a status page that is slow, Zendesk down
// or a page's lookup never holds up the channel's posts, nor the other way
// round.
type lane string

const (
	laneChannel    lane = "channel"    // timeline posts, the topic and header
	laneMessages   lane = "messages"   // direct messages, announcements
	laneEvidence   lane = "evidence"   // collected messages fetched and confirmed
	lanePages      lane = "pages"      // whom to page, the pages, their off-hours check
	lanePeople     lane = "people"     // on-call pulled in, who follows up with the customers
	laneStatusPage lane = "statuspage" // the public status page
	lanePager      lane = "pager"      // PagerDuty
	laneZendesk    lane = "zendesk"    // notes, the follow-up's tickets, the search for tickets
	lanePostmortem lane = "postmortem" // the plan, the owner, the draft, the word to the owner
)

// laneOrder is the order in which pay looks at the lanes.
var laneOrder = []lane{laneChannel, laneMessages, laneEvidence, lanePages, lanePeople, laneStatusPage, lanePager, laneZendesk, lanePostmortem}

var laneOf = map[ib.OwedKind]lane{
	ib.OwePost: laneChannel, ib.OweRefresh: laneChannel,
	ib.OweAnnouncement: laneMessages, ib.OweMessage: laneMessages,
	ib.OweFetch: laneEvidence, ib.OweReaction: laneEvidence,
	ib.OwePageChain: lanePages, ib.OwePageSend: lanePages, ib.OweCare: lanePages,
	ib.OweResponders: lanePeople, ib.OweInvite: lanePeople, ib.OweFollowUp: lanePeople,
	ib.OweStatusPage:  laneStatusPage,
	ib.OwePager:       lanePager,
	ib.OweTicketNotes: laneZendesk, ib.OweFollowUpNote: laneZendesk, ib.OweTicketSearch: laneZendesk,
	ib.OwePlan: lanePostmortem, ib.OweOwner: lanePostmortem, ib.OweDraft: lanePostmortem, ib.OweOwnerNotice: lanePostmortem,
}

// lanes is which lanes are paying, and what: the one in-flight guard. It
// lives for one run.
type lanes struct {
	busy     map[lane]bool
	paying   map[int]bool // owed work under way, by number
	inflight int          // lanes paying
	// callOff ends the work under way for continue-as-new; Zendesk's work
	// finishes instead, as adding a note twice would show twice.
	callOffCtx workflow.Context
	stop       workflow.CancelFunc
}

func newLanes(ctx workflow.Context) lanes {
	l := lanes{busy: map[lane]bool{}, paying: map[int]bool{}}
	l.callOffCtx, l.stop = workflow.WithCancel(ctx)
	return l
}

// payable says whether some idle lane has owed work.
func (w *incident) payable() bool {
	return slices.ContainsFunc(w.Owed, func(o Owed) bool { return !w.busy[laneOf[o.Kind]] })
}

// pay starts every idle lane on its next owed work.
func (w *incident) pay(ctx workflow.Context) {
	for _, l := range laneOrder {
		if w.busy[l] {
			continue
		}
		if batch := w.nextOf(l); len(batch) > 0 {
			w.beside(ctx, l, batch)
		}
	}
}

// nextOf is a lane's next step: its first owed work, with the work of the
// same kind that one activity can do with it (timeline posts share a post in
// their order; all collected messages are fetched at once, all reactions set
// at once; since collectTogether, both in one call). The topic and header are
// refreshed once the posts before them are out; since cheaperCalls, by the
// call that posts them.
func (w *incident) nextOf(l lane) []Owed {
	var batch, refresh []Owed
	for _, o := range w.Owed {
		switch {
		case laneOf[o.Kind] != l:
		case o.Kind == ib.OweRefresh:
			if refresh == nil {
				refresh = []Owed{o}
			}
		case len(batch) == 0:
			batch = append(batch, o)
			if !batches(o, 0) {
				return batch
			}
		case (o.Kind == batch[0].Kind || w.collectTogether && l == laneEvidence) && batches(o, len(batch)):
			batch = append(batch, o)
		case o.Kind == ib.OwePost:
			return batch // posts keep their order
		}
	}
	if len(batch) == 0 {
		return refresh
	}
	if w.cheaperCalls && batch[0].Kind == ib.OwePost {
		return append(batch, refresh...) // posted, then refreshed, in one call
	}
	return batch
}

// batches says whether owed work joins n others of its kind in one step.
func batches(o Owed, n int) bool {
	switch o.Kind {
	case ib.OwePost:
		return o.Message.Kind == ib.MsgEvent && n < maxEventsPerPost
	case ib.OweFetch, ib.OweReaction:
		return true
	}
	return false
}

// beside pays a lane's step in a coroutine of its own; it is the only place
// the in-flight guard moves. Work paid leaves the ledger; work called off for
// continue-as-new stays, marked tried.
func (w *incident) beside(ctx workflow.Context, l lane, batch []Owed) {
	w.busy[l] = true
	w.inflight++
	for _, o := range batch {
		w.paying[o.N] = true
	}
	if l != laneZendesk {
		ctx = w.callOffCtx
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { w.busy[l] = false; w.inflight-- }()
		left := numbers(w.payStep(ctx, slices.Clone(batch)))
		calledOff := ctx.Err() != nil
		for _, o := range batch {
			delete(w.paying, o.N)
		}
		w.Owed = slices.DeleteFunc(w.Owed, func(o Owed) bool {
			return slices.ContainsFunc(batch, func(b Owed) bool { return b.N == o.N }) && !slices.Contains(left, o.N)
		})
		for i := range w.Owed {
			if calledOff && slices.Contains(left, w.Owed[i].N) {
				w.Owed[i].Tried = true
			}
		}
	})
}

// numbers are the numbers of owed work.
func numbers(work []Owed) []int {
	ns := make([]int, len(work))
	for i, o := range work {
		ns[i] = o.N
	}
	return ns
}

// payStep does one step of owed work and returns the work it left unpaid:
// called off, or left over by a rate-limited batch.
func (w *incident) payStep(ctx workflow.Context, batch []Owed) []Owed {
	switch batch[0].Kind {
	case ib.OwePost:
		return w.payPosts(ctx, batch)
	case ib.OweRefresh:
		return w.payRefresh(ctx, batch)
	case ib.OweAnnouncement, ib.OweMessage:
		return w.payMessage(ctx, batch)
	case ib.OweFetch, ib.OweReaction:
		return w.payEvidence(ctx, batch)
	case ib.OweStatusPage:
		return w.payStatusPage(ctx, batch)
	case ib.OwePager:
		return w.payPager(ctx, batch)
	case ib.OwePageChain, ib.OwePageSend, ib.OweCare:
		return w.payPage(ctx, batch)
	case ib.OweResponders:
		return w.payResponders(ctx, batch)
	case ib.OweInvite:
		return unless(w.settle(ctx, "invite the new commander", w.quick(ctx, slackCall, a.Invite,
			activities.InviteInput{ChannelID: w.Channel.ID, UserIDs: []string{batch[0].To}, Incident: w.Summary}), nil), batch)
	case ib.OwePlan, ib.OweOwner, ib.OweDraft, ib.OweOwnerNotice:
		return w.payPostmortem(ctx, batch)
	default: // Zendesk's work and who follows up with the customers
		return w.payCustomers(ctx, batch)
	}
}

// unless is batch when ok is false (the work was called off), else nothing.
func unless(ok bool, batch []Owed) []Owed {
	if ok {
		return nil
	}
	return batch
}
