package gateway

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	goslack "github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack"
)

// Interaction answers a button press, a menu choice or a modal submission. For a
// view submission the answer is what the modal does next (show errors, change
// view, close); for anything else Slack ignores the answer, so the result goes
// to the response_url.
func (g *Gateway) Interaction(ctx context.Context, cb goslack.InteractionCallback) *goslack.ViewSubmissionResponse {
	user := ib.Person{SlackID: cb.User.ID, Name: cb.User.Name}
	if !slackUserID.MatchString(user.SlackID) {
		g.Log.Warn("ignored an interaction that names no Slack user")
		return nil
	}
	if !g.slackURL(cb.ResponseURL) {
		g.Log.Warn("ignored an interaction whose response_url is not Slack's")
		return nil
	}
	switch cb.Type {
	case goslack.InteractionTypeViewSubmission:
		return g.submit(ctx, cb, user)
	case goslack.InteractionTypeBlockActions:
		// A click is one action; a payload of more is not Slack's, and would
		// hold the request for each.
		if actions := cb.ActionCallback.BlockActions; len(actions) > 0 {
			g.act(ctx, cb, actions[0], user)
		}
	}
	return nil
}

// Suggest answers a menu searched as people type: the declare form's
// services, when the catalog has more than a menu holds.
func (g *Gateway) Suggest(cb goslack.InteractionCallback) *goslack.OptionsResponse {
	var names []string
	if catalog := g.Catalog.Get(); catalog != nil {
		names = catalog.ServicesLike(cb.Value, 100)
	}
	return &goslack.OptionsResponse{Options: slack.ServiceOptions(names)}
}

// act carries out one header action. Opening a modal must use the trigger_id
// at once; a change answers through response_url, where a refusal shows its
// reason.
func (g *Gateway) act(ctx context.Context, cb goslack.InteractionCallback, action *goslack.BlockAction, user ib.Person) {
	var change ib.Change
	var id, value string
	switch action.ActionID {
	case slack.ActionResolve:
		ctx, cancel := context.WithTimeout(ctx, answerWithin)
		defer cancel()
		if _, err := g.API.OpenViewContext(ctx, cb.TriggerID, slack.ResolveModal(action.Value, cb.Channel.ID)); err != nil {
			g.Log.Warn("could not open the resolve modal", zap.Error(err))
			g.respond(ctx, cb.ResponseURL, say("❌ Could not open the form; try `/ib resolve "+action.Value+"`."))
		}
		return
	case slack.ActionStatus:
		id, value = slack.SplitActionValue(action.SelectedOption.Value)
		change = &ib.SetStatus{Status: ib.Status(value), By: user}
	case slack.ActionSeverity:
		id, value = slack.SplitActionValue(action.SelectedOption.Value)
		change = &ib.SetSeverity{Severity: ib.Severity(value), By: user}
	case slack.ActionAckPage:
		id, value = slack.SplitActionValue(action.Value)
		change = &ib.AckPage{Page: value, By: user}
	case slack.ActionLinkTicket:
		id, value = slack.SplitActionValue(action.Value)
		ticket, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return
		}
		g.respond(ctx, cb.ResponseURL, g.within(ctx, cb.ResponseURL, func(ctx context.Context) reply {
			return g.linkTickets(ctx, id, user, []int64{ticket})
		}))
		return
	case slack.ActionDeclareSuggested:
		g.declareSuggested(ctx, cb, action)
		return
	case slack.ActionDismissSuggested:
		service, ok := slack.DismissedService(action.BlockID)
		if !ok || g.Watches == nil {
			return
		}
		g.respond(ctx, cb.ResponseURL, g.within(ctx, cb.ResponseURL, func(ctx context.Context) reply {
			if err := g.Watches.Dismiss(ctx, service, user, action.SelectedOption.Value); err != nil {
				return g.sorry(err)
			}
			if g.Dismissed != nil {
				g.Dismissed(ctx, action.SelectedOption.Value, slack.DismissReasons)
			}
			return say("👍 Dismissed the suggestion for *" + slack.Escape(service) + "*: " + slack.Escape(action.SelectedOption.Value) + ". The reason is kept to tune the alerts.")
		}))
		return
	default:
		return
	}
	// Slack ignores the acknowledgement's body here: the answer goes to
	// response_url whether it is ready inline or later.
	g.respond(ctx, cb.ResponseURL, g.within(ctx, cb.ResponseURL, func(ctx context.Context) reply {
		return g.change(ctx, id, change, cb.Channel.ID)
	}))
}

// submit handles a modal's submission. Slack waits for the answer to close the
// modal, so the work is bounded by the deadline; a refusal shows on the form.
func (g *Gateway) submit(ctx context.Context, cb goslack.InteractionCallback, user ib.Person) *goslack.ViewSubmissionResponse {
	ctx, cancel := context.WithTimeout(ctx, answerWithin)
	defer cancel()
	switch cb.View.CallbackID {
	case slack.CallbackDeclare:
		d := slack.DeclarationFrom(cb.View, user)
		suggested, fromSuggestion := slack.ParseSuggested(cb.View.PrivateMetadata)
		if fromSuggestion {
			d.DetectedAt = suggested.Detected
		}
		res, err := g.Incidents.Declare(ctx, d)
		if err != nil {
			return fieldErrors(err, slack.FieldTitle)
		}
		if fromSuggestion && suggested.Ticket > 0 && !res.Existing {
			// The customer's ticket that made the suggestion is linked; the
			// answer does not wait for Zendesk.
			g.followUp.Add(1)
			go func() {
				defer g.followUp.Done()
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				if _, err := g.Incidents.LinkTickets(ctx, res.ID, user, []int64{suggested.Ticket}); err != nil {
					g.Log.Warn("could not link the suggestion's ticket", zap.String("incident", res.ID), zap.Error(err))
				}
			}()
		}
		return goslack.NewUpdateViewSubmissionResponse(slack.DeclaredModal(res, d, g.ChannelPrefix))
	case slack.CallbackResolve:
		values := cb.View.State.Values
		id, channel := slack.SplitActionValue(cb.View.PrivateMetadata)
		// The impact window, when given, is recorded first: a resolved incident
		// takes no more changes.
		if start := values[slack.FieldImpactStart][slack.FieldImpactStart].Value; start != "" {
			window, field, err := g.impactWindow(ctx, user, start, values[slack.FieldImpactEnd][slack.FieldImpactEnd].Value)
			if err != nil {
				return goslack.NewErrorsViewSubmissionResponse(map[string]string{field: ib.ErrorMessage(err)})
			}
			if r := g.change(ctx, id, window, channel); r.failed {
				return goslack.NewErrorsViewSubmissionResponse(map[string]string{slack.FieldImpactStart: r.text})
			}
		}
		summary := values[slack.FieldSummary][slack.FieldSummary].Value
		r := g.change(ctx, id, &ib.Resolve{Summary: summary, By: user}, channel)
		if r.failed {
			return goslack.NewErrorsViewSubmissionResponse(map[string]string{slack.FieldSummary: r.text})
		}
		return goslack.NewClearViewSubmissionResponse()
	}
	return nil
}

// impactWindow reads the resolve form's impact times in the user's zone; on
// error it names the field at fault.
func (g *Gateway) impactWindow(ctx context.Context, user ib.Person, start, end string) (*ib.SetImpactWindow, string, error) {
	now, loc := time.Now(), g.userZone(ctx, user.SlackID)
	c := &ib.SetImpactWindow{By: user}
	var err error
	if c.Start, err = ib.ParseTypedTime(start, now, loc); err != nil {
		return c, slack.FieldImpactStart, err
	}
	if strings.TrimSpace(end) != "" {
		if c.End, err = ib.ParseTypedTime(end, now, loc); err != nil {
			return c, slack.FieldImpactEnd, err
		}
	}
	return c, "", nil
}

// fieldErrors shows an error on the modal input it is about, or on fallback.
func fieldErrors(err error, fallback string) *goslack.ViewSubmissionResponse {
	field := ib.ErrorField(err)
	if field == "" {
		field = fallback
	}
	return goslack.NewErrorsViewSubmissionResponse(map[string]string{field: ib.ErrorMessage(err)})
}

// declareSuggested opens the declare form filled from a Declare? suggestion.
func (g *Gateway) declareSuggested(ctx context.Context, cb goslack.InteractionCallback, action *goslack.BlockAction) {
	var s slack.Suggested
	if err := json.Unmarshal([]byte(action.Value), &s); err != nil || s.Service == "" {
		return
	}
	s.Channel = cb.Channel.ID
	ctx, cancel := context.WithTimeout(ctx, answerWithin)
	defer cancel()
	modal := slack.SuggestedDeclareModal(g.DefaultSeverity, g.CustomerQuestion, g.Catalog.Get().ServiceNames(), s)
	if _, err := g.API.OpenViewContext(ctx, cb.TriggerID, modal); err != nil {
		g.Log.Warn("could not open the declare modal", zap.Error(err))
		g.respond(ctx, cb.ResponseURL, say("❌ Could not open the form. Declare inline instead: `/ib create "+string(s.Severity)+" "+s.Title+"`."))
	}
}
