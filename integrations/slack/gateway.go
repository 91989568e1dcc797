package slack

import (
	"context"
	"sync"
	"time"

	goslack "github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
)

// Slack's deadline for answering a request is 3 s. The gateway gives its work
// answerDeadline and, when that is not enough, answers with an interim message
// and sends the result to the request's response_url when it comes.
const (
	answerDeadline = 2 * time.Second
	// followUpTimeout bounds work that continues after the answer. Slack accepts
	// response_url messages for 30 minutes; a minute is plenty for Temporal.
	followUpTimeout = time.Minute
)

// Gateway answers Slack: slash commands, interactions (buttons, modals) and
// events, whether they come over HTTP or Socket Mode. It only starts, changes,
// queries and signals incidents; all the work happens in their workflows.
type Gateway struct {
	Incidents        ib.IncidentService
	API              *goslack.Client // views.open, direct messages
	Policy           ib.Policy
	DefaultSeverity  ib.Severity
	CustomerQuestion string
	Log              *zap.Logger

	// Deadline is how long a request may work before Slack gets an interim
	// answer; answerDeadline unless a test sets another.
	Deadline time.Duration
	// FollowUpTimeout bounds work that goes on after the interim answer;
	// followUpTimeout unless a test sets another.
	FollowUpTimeout time.Duration
	// PostResponse sends a message to a response_url; slack-go's webhook poster
	// unless a test sets another.
	PostResponse func(ctx context.Context, url string, msg *goslack.WebhookMessage) error

	events   seenEvents
	followUp sync.WaitGroup // work still running after its answer
}

// Wait blocks until every follow-up has been sent, for a clean shutdown.
func (g *Gateway) Wait() { g.followUp.Wait() }

func (g *Gateway) deadline() time.Duration {
	if g.Deadline > 0 {
		return g.Deadline
	}
	return answerDeadline
}

// within runs work, detached from the request so that Slack hanging up does
// not cancel it. If work answers within the deadline, that is the answer.
// Otherwise the answer says so, and work's reply goes to responseURL later.
func (g *Gateway) within(ctx context.Context, responseURL string, work func(context.Context) reply) reply {
	done := make(chan reply, 1)
	g.followUp.Add(1)
	go func() {
		limit := g.FollowUpTimeout
		if limit <= 0 {
			limit = followUpTimeout
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
		defer cancel()
		done <- work(wctx)
	}()
	select {
	case r := <-done:
		g.followUp.Done()
		return r
	case <-time.After(g.deadline()):
		go func() {
			defer g.followUp.Done()
			g.respond(ctx, responseURL, <-done)
		}()
		return say("⏳ The incident service is slow to answer; I will reply here as soon as it does. Trying again is safe: nothing happens twice.")
	}
}

// respond sends a reply to a response_url, ephemeral to the person who asked.
func (g *Gateway) respond(ctx context.Context, url string, r reply) {
	if url == "" || r.text == "" {
		return
	}
	post := g.PostResponse
	if post == nil {
		post = goslack.PostWebhookContext
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	msg := &goslack.WebhookMessage{Text: r.text, ResponseType: goslack.ResponseTypeEphemeral}
	if err := post(ctx, url, msg); err != nil {
		g.Log.Warn("could not send a reply to response_url", zap.Error(err))
	}
}

// reply is the gateway's answer to a person: ephemeral text.
type reply struct {
	text   string
	failed bool // a refusal or an error: a modal keeps it on the form
}

func say(text string) reply { return reply{text: text} }

// sorry turns an error into the reply the person sees, logging what they do
// not.
func (g *Gateway) sorry(err error) reply {
	if ib.ErrorCode(err) == ib.EINTERNAL || ib.ErrorCode(err) == ib.EUNAVAILABLE {
		g.Log.Warn("request failed", zap.Error(err))
	}
	return reply{text: "❌ " + ib.ErrorMessage(err), failed: true}
}

// message is the Slack form of a reply to a slash command.
func (r reply) message() *goslack.Msg {
	if r.text == "" {
		return nil
	}
	return &goslack.Msg{ResponseType: goslack.ResponseTypeEphemeral, Text: r.text}
}
