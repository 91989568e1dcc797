// Package gateway answers Slack: slash commands, interactions (buttons, menus,
// modals) and events, over HTTP (each request verified against the signing
// secret) or Socket Mode. It only starts, changes, queries and signals
// incidents through ib.IncidentService; the work happens in their workflows.
package gateway

import (
	"context"
	"net/url"
	"regexp"
	"sync"
	"time"

	goslack "github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/oncall"
)

// Slack wants an answer within 3 s. The gateway acknowledges in
// milliseconds: work that finishes within answerInline is answered in the
// acknowledgement; slower work is acknowledged empty (Slack shows nothing) and
// answered on the request's response_url. Either way the person sees one
// message, and it comes within answerWithin, a clear "try again" included.
const (
	answerInline = 25 * time.Millisecond
	answerWithin = 2500 * time.Millisecond
)

// Gateway answers Slack: slash commands, interactions (buttons, modals) and
// events, whether they come over HTTP or Socket Mode. It only starts, changes,
// queries and signals incidents; all the work happens in their workflows.
type Gateway struct {
	Incidents ib.IncidentService
	// Ready says whether the gateway can serve people: Temporal answers.
	Ready            func(context.Context) error
	API              *goslack.Client // views.open
	Policy           ib.Policy
	DefaultSeverity  ib.Severity
	CustomerQuestion string
	CollectionEmoji  map[string]ib.Collection // emoji whose reactions keep a message
	ChannelPrefix    string                   // incident channels are named <prefix>-…
	// APIURL is the Slack Web API's URL (SLACK_API_URL): response_urls are
	// followed only to Slack's hooks.slack.com or to this URL's host.
	APIURL  string
	Catalog *oncall.LiveCatalog // for /ib oncall; may hold none
	// Watches take the Declare? suggestions' dismissals; nil: none offered.
	Watches ib.Watches
	// Dismissed is told of each suggestion dismissed, with its reason and the
	// menu's reasons (metrics); nil: nobody.
	Dismissed func(ctx context.Context, reason string, known []string)
	Log       *zap.Logger

	events   seenEvents
	present  toldOf           // who each incident was told takes part
	people   *slack.Directory // the workspace's people by name, for @name typed as text
	replays  signatures       // requests taken, to refuse them replayed
	followUp sync.WaitGroup   // work still running after its answer

	mu        sync.Mutex
	botUserID string                    // from auth.test: the bot's own reactions are not people's
	zones     map[string]*time.Location // Slack user → the time zone of their profile
	channels  map[string]channelInfo    // channels that are no incident's, as Slack tells of them
}

// signatures remembers the signatures of the requests taken for as long as
// Slack's signing lets them be sent again.
type signatures struct {
	mu sync.Mutex
	at map[string]time.Time
}

// replayWindow is how long a signed request may be sent again (Slack's five
// minutes of timestamp skew, either way).
const replayWindow = 10 * time.Minute

// seen says whether a signature was taken already, and remembers it.
func (s *signatures) seen(sig string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.at == nil || len(s.at) >= 100_000 {
		fresh := map[string]time.Time{}
		for k, at := range s.at {
			if now.Sub(at) < replayWindow {
				fresh[k] = at
			}
		}
		s.at = fresh
	}
	if at, ok := s.at[sig]; ok && now.Sub(at) < replayWindow {
		return true
	}
	s.at[sig] = now
	return false
}

// userZone is the time zone of a person's Slack profile, in which the times
// they type are read; UTC when Slack does not say.
func (g *Gateway) userZone(ctx context.Context, userID string) *time.Location {
	g.mu.Lock()
	loc, ok := g.zones[userID]
	g.mu.Unlock()
	if ok {
		return loc
	}
	loc = time.UTC
	if zone, err := slack.ProfileZone(ctx, g.API, userID); err == nil && zone != "" {
		if l, err := ib.LoadZone(zone); err == nil {
			loc = l
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.zones == nil {
		g.zones = map[string]*time.Location{}
	}
	g.zones[userID] = loc
	return loc
}

// botUser is the bot's user ID, asked of Slack once.
func (g *Gateway) botUser(ctx context.Context) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.botUserID == "" {
		if resp, err := g.API.AuthTestContext(ctx); err == nil {
			g.botUserID = resp.UserID
		}
	}
	return g.botUserID
}

// Wait blocks until every follow-up has been sent, for a clean shutdown.
func (g *Gateway) Wait() { g.followUp.Wait() }

// within runs work with the answerWithin budget, detached from the request so
// that the acknowledgement does not cancel it. If work answers inline, that is
// the answer; otherwise the answer is empty and work's reply goes to
// responseURL when it comes.
func (g *Gateway) within(ctx context.Context, responseURL string, work func(context.Context) reply) reply {
	done := make(chan reply, 1)
	g.followUp.Add(1)
	go func() {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), answerWithin)
		defer cancel()
		done <- work(wctx)
	}()
	inline := answerInline
	if responseURL == "" {
		inline = answerWithin // nowhere to answer later
	}
	select {
	case r := <-done:
		g.followUp.Done()
		return r
	case <-time.After(inline):
		go func() {
			defer g.followUp.Done()
			g.respond(ctx, responseURL, <-done)
		}()
		return reply{}
	}
}

// respond sends a reply to a response_url, ephemeral to the person who asked.
func (g *Gateway) respond(ctx context.Context, url string, r reply) {
	if r.text == "" || !g.slackURL(url) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	msg := &goslack.WebhookMessage{Text: r.text, ResponseType: goslack.ResponseTypeEphemeral}
	if err := goslack.PostWebhookContext(ctx, url, msg); err != nil {
		g.Log.Warn("could not send a reply to response_url", zap.Error(err))
	}
}

// directory is the workspace's people, read through the gateway's Web API.
func (g *Gateway) directory() *slack.Directory {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.people == nil {
		g.people = &slack.Directory{API: g.API}
	}
	return g.people
}

// slackURL says whether a response_url is Slack's, so that a request that
// got past the signature (a leaked secret) cannot make the gateway post
// anywhere else.
func (g *Gateway) slackURL(raw string) bool {
	if raw == "" {
		return true // nothing will be posted
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme == "https" && u.Host == "hooks.slack.com" {
		return true
	}
	api, err := url.Parse(g.APIURL)
	return err == nil && g.APIURL != "" && u.Scheme == api.Scheme && u.Host == api.Host
}

// slackUserID is the shape of a Slack user's ID.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

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
