package gateway

import (
	"context"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
)

// RunSocketMode serves Slack over a Socket Mode connection until ctx ends, with
// the same routing as the HTTP endpoints. No public URL and no signing secret
// are needed: the connection is opened with the app-level token.
//
// For slash commands and modal submissions the acknowledgement carries the
// answer, so it is sent as soon as the answer is ready (within the gateway's
// deadline). An event is acknowledged only once it is handed to its incident:
// while Temporal cannot take it, the gateway keeps trying, and an event it
// could not hand over is left unacknowledged for Slack to deliver again
// (failure mode F21). A redelivered envelope carries the same event ID and is
// dropped (F14).
func (g *Gateway) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	errs := make(chan error, 1)
	go func() { errs <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errs:
			return err
		case evt := <-client.Events:
			g.route(ctx, client, evt)
		}
	}
}

func (g *Gateway) route(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(goslack.SlashCommand)
		if ok {
			ack(g, client, evt.Request, g.Command(ctx, sc))
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(goslack.InteractionCallback)
		if !ok {
			return
		}
		switch cb.Type {
		case goslack.InteractionTypeViewSubmission:
			ack(g, client, evt.Request, g.Interaction(ctx, cb))
			return
		case goslack.InteractionTypeBlockSuggestion:
			ack(g, client, evt.Request, g.Suggest(cb))
			return
		}
		ack[struct{}](g, client, evt.Request, nil)
		go g.Interaction(context.WithoutCancel(ctx), cb)
	case socketmode.EventTypeEventsAPI:
		e, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		g.followUp.Add(1)
		go func() {
			defer g.followUp.Done()
			if g.handOver(ctx, e) {
				ack[struct{}](g, client, evt.Request, nil)
			}
		}()
	case socketmode.EventTypeInvalidAuth:
		g.Log.Error("Socket Mode refused the app-level token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeConnected:
		g.Log.Info("Socket Mode connected")
	case socketmode.EventTypeConnectionError:
		g.Log.Warn("Socket Mode connection failed; reconnecting", zap.Any("reason", evt.Data))
	}
}

// handOverFor bounds how long the gateway keeps an event it cannot hand to
// its incident before leaving it to Slack's redelivery.
const handOverFor = 10 * time.Minute

// handOver hands an event to its incident, trying again with backoff while
// Temporal cannot take it, until ctx ends or handOverFor has passed.
func (g *Gateway) handOver(ctx context.Context, e slackevents.EventsAPIEvent) bool {
	deadline := time.Now().Add(handOverFor)
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 15*time.Second) {
		if g.Event(context.WithoutCancel(ctx), e) == nil {
			return true
		}
		if time.Now().Add(wait).After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
}

// ack acknowledges an envelope, with the answer as its payload when there is
// one: a nil answer must not become a "null" payload.
func ack[T any](g *Gateway, client *socketmode.Client, req *socketmode.Request, answer *T) {
	if req == nil {
		return
	}
	var err error
	if answer != nil {
		err = client.Ack(*req, answer)
	} else {
		err = client.Ack(*req)
	}
	if err != nil {
		g.Log.Warn("could not acknowledge a Socket Mode envelope", zap.String("envelope", req.EnvelopeID), zap.Error(err))
	}
}
