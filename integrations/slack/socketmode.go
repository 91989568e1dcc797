package slack

import (
	"context"

	goslack "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
)

// RunSocketMode serves Slack over a Socket Mode connection until ctx ends, with
// the same routing as the HTTP endpoints. No public URL and no signing secret
// are needed: the connection is opened with the app-level token.
//
// Every envelope is acknowledged first. For slash commands and modal
// submissions the acknowledgement carries the answer, so it is sent as soon as
// the answer is ready (within the gateway's deadline). Events are acknowledged
// before they are handed on; a redelivered envelope carries the same event ID
// and is dropped (failure mode F14).
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
		if cb.Type == goslack.InteractionTypeViewSubmission {
			ack(g, client, evt.Request, g.Interaction(ctx, cb))
			return
		}
		ack[struct{}](g, client, evt.Request, nil)
		go g.Interaction(context.WithoutCancel(ctx), cb)
	case socketmode.EventTypeEventsAPI:
		e, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		ack[struct{}](g, client, evt.Request, nil)
		go func() { _ = g.Event(context.WithoutCancel(ctx), e) }()
	case socketmode.EventTypeInvalidAuth:
		g.Log.Error("Socket Mode refused the app-level token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeConnected:
		g.Log.Info("Socket Mode connected")
	case socketmode.EventTypeConnectionError:
		g.Log.Warn("Socket Mode connection failed; reconnecting", zap.Any("reason", evt.Data))
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
