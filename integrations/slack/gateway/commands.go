package gateway

import (
	"context"
	"fmt"
	"strings"
	"time"

	goslack "github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/integrations/slack"
	"github.com/incident-buddy/ib/oncall"
)

// Command answers a slash command (/ib …). The answer is ephemeral; what the
// command changes is also posted in the incident's channel by its workflow.
func (g *Gateway) Command(ctx context.Context, sc goslack.SlashCommand) *goslack.Msg {
	if !slackUserID.MatchString(sc.UserID) {
		g.Log.Warn("refused a command that names no Slack user")
		return say("❌ Slack did not say who sent this command; nothing was done.").message()
	}
	if strings.EqualFold(strings.TrimSpace(sc.Text), "create") {
		return g.openDeclareModal(ctx, sc).message()
	}
	user := ib.Person{SlackID: sc.UserID, Name: sc.UserName}
	return g.within(ctx, sc.ResponseURL, func(ctx context.Context) reply {
		// Times are read in the typist's zone, looked up only for a command
		// that has times in it.
		typist := ib.Typist{By: user, Now: time.Now(), Zone: func() *time.Location { return g.userZone(ctx, user.SlackID) },
			Find: func(name string) (string, error) { return g.directory().Find(ctx, name) }}
		cmd, err := ib.ParseCommand(sc.Text, g.DefaultSeverity, typist)
		switch {
		case err != nil:
			return g.sorry(err)
		case cmd.Is("help"):
			return say(ib.Help(sc.Command+" ", g.DefaultSeverity))
		}
		return g.run(ctx, cmd, user, sc.ChannelID)
	}).message()
}

// run carries out a parsed command for a user typing in a channel.
func (g *Gateway) run(ctx context.Context, cmd ib.Command, user ib.Person, channelID string) reply {
	switch {
	case cmd.Is("create"):
		d := cmd.Declaration
		d.Declarer = user
		return g.declare(ctx, d)
	case cmd.Is("list"):
		return g.list(ctx)
	case cmd.Is("oncall"):
		return g.onCall(cmd.Service)
	}
	id, err := g.target(ctx, cmd, channelID)
	if err != nil && cmd.Is("page") {
		return say(pagesOnlyInIncidents)
	} else if err != nil {
		return g.sorry(err)
	}
	switch {
	case cmd.Is("ticket"):
		return g.linkTickets(ctx, id, user, cmd.Tickets)
	case cmd.Change == nil:
		return g.show(ctx, id, !cmd.Is("status"))
	}
	return g.change(ctx, id, cmd.Change, channelID)
}

// pagesOnlyInIncidents is the answer to a page outside an open incident: the
// policy that protects on-call engineers from pages about nothing urgent.
const pagesOnlyInIncidents = "❌ Pages are allowed only during an open incident: run `/ib page` in its channel, or declare one with `/ib create`."

// target is the incident a command is about: the ID it names, or the incident
// whose channel it was typed in.
func (g *Gateway) target(ctx context.Context, cmd ib.Command, channelID string) (string, error) {
	if cmd.IncidentID != "" {
		return cmd.IncidentID, nil
	}
	id, err := g.Incidents.FindByChannel(ctx, channelID)
	if ib.ErrorCode(err) == ib.ENOTFOUND {
		return "", ib.Errorf(ib.EINVALID, "This is not an incident's channel. Name the incident: `/ib %s INC-20261123-K7QF …` (`/ib list` shows the open ones).", cmd.Verb.Words)
	}
	return id, err
}

func (g *Gateway) declare(ctx context.Context, d ib.Declaration) reply {
	res, err := g.Incidents.Declare(ctx, d)
	if err != nil {
		return g.sorry(err)
	}
	return say(slack.DeclaredText(res, d, g.ChannelPrefix))
}

// change applies a change after checking who may make it: the policy counts
// acting from inside the incident's channel (channelID) as being a responder.
// Only a restricted change needs the incident looked up first; the others go
// straight to it, one call on the way to Slack's answer.
func (g *Gateway) change(ctx context.Context, id string, c ib.Change, channelID string) reply {
	v, by := ib.VerbOf(c), c.Asker()
	if g.Policy.Restricts(c, by.SlackID) {
		inc, err := g.Incidents.Get(ctx, id)
		if err != nil {
			return g.sorry(err)
		}
		actor := ib.Actor{SlackID: by.SlackID, InChannel: channelID != "" && channelID == inc.Channel.ID}
		if err := g.Policy.Allow(c, &inc, actor); err != nil {
			return g.sorry(err)
		}
	}
	s, err := g.Incidents.Change(ctx, id, c)
	_, paging := c.(*ib.SendPage)
	if paging && ib.ErrorCode(err) == ib.ENOTFOUND {
		return say(pagesOnlyInIncidents)
	} else if err != nil {
		return g.sorry(err)
	}
	g.Log.Info("incident changed", zap.String("incident", id), zap.String("change", v.Name), zap.String("by", by.SlackID))
	return say(slack.Answer(c, s))
}

func (g *Gateway) show(ctx context.Context, id string, withTimeline bool) reply {
	inc, err := g.Incidents.Get(ctx, id)
	if err != nil {
		return g.sorry(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s* %s\n%s · %s · Commander: %s", slack.SeverityEmoji[inc.Severity], inc.ID, slack.Escape(inc.Title),
		inc.Severity, slack.TitleCase(string(inc.Status)), slack.Mention(inc.Commander))
	if inc.Channel.ID != "" {
		b.WriteString(" · " + slack.ChannelLink(inc.Channel))
	}
	if withTimeline {
		b.WriteString("\n")
		for _, e := range inc.Timeline {
			fmt.Fprintf(&b, "\n%s %s", slack.Date(e.At), slack.EventLine(e))
		}
	}
	return say(b.String())
}

func (g *Gateway) list(ctx context.Context) reply {
	rows, err := g.Incidents.List(ctx, ib.ListFilter{})
	if err != nil {
		return g.sorry(err)
	}
	if len(rows) == 0 {
		return say("No open incidents. 🎉")
	}
	var b strings.Builder
	b.WriteString("*Open incidents*")
	for _, r := range rows {
		fmt.Fprintf(&b, "\n%s *%s* %s · %s · %s", slack.SeverityEmoji[r.Severity], r.ID, slack.Escape(r.Title), r.Status, slack.Escape(r.Commander))
	}
	return say(b.String())
}

// openDeclareModal opens the declaration form. views.open must be called
// within 3 s of the command (its trigger_id expires), so it runs at once.
func (g *Gateway) openDeclareModal(ctx context.Context, sc goslack.SlashCommand) reply {
	ctx, cancel := context.WithTimeout(ctx, answerWithin)
	defer cancel()
	if _, err := g.API.OpenViewContext(ctx, sc.TriggerID, slack.DeclareModal(g.DefaultSeverity, g.CustomerQuestion, sc.ChannelID, g.Catalog.Get().ServiceNames())); err != nil {
		g.Log.Warn("could not open the declare modal", zap.Error(err))
		return say("❌ Could not open the form. Declare inline instead: `/ib create S2 Checkout API returning 500s`.")
	}
	return reply{}
}

// onCall says who is on call now and next, for a service or every rotation.
func (g *Gateway) onCall(service string) reply {
	catalog := g.Catalog.Get()
	if catalog == nil {
		return say("❌ No service catalog is configured (IB_CATALOG).")
	}
	rotations := catalog.Rotations
	if service != "" {
		s, ok := catalog.Service(service)
		if !ok {
			return say(fmt.Sprintf("❌ The catalog has no service %q.", service))
		}
		r, _ := catalog.Rotation(s.Rotation)
		rotations = []oncall.Rotation{*r}
	}
	now := time.Now()
	lines := []string{"*On call*"}
	for i := range rotations {
		r := &rotations[i]
		next, at := r.Next(now)
		lines = append(lines, fmt.Sprintf("%s: %s now, then %s from %s", slack.Escape(r.Name), member(r.OnCall(now)), member(next), slack.Date(at)))
	}
	return say(strings.Join(lines, "\n"))
}

// member shows a catalog member: a Slack slack.Mention, or the e-mail as written.
func member(m string) string {
	if strings.Contains(m, "@") {
		return slack.Escape(m)
	}
	return "<@" + m + ">"
}

// linkTickets links customer tickets and says, ticket by ticket, what became
// of them.
func (g *Gateway) linkTickets(ctx context.Context, id string, by ib.Person, tickets []int64) reply {
	res, err := g.Incidents.LinkTickets(ctx, id, by, tickets)
	if err != nil {
		return g.sorry(err)
	}
	var lines []string
	for _, o := range res.Outcomes {
		if o.Linked {
			lines = append(lines, fmt.Sprintf("🎫 <%s|%d> %s is linked to *%s*.", o.URL, o.ID, slack.Escape(o.Subject), id))
		} else {
			lines = append(lines, fmt.Sprintf("❌ %s.", slack.TitleCase(o.Reason)))
		}
	}
	return say(strings.Join(lines, "\n"))
}
