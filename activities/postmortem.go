package activities

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/incident-buddy/ib"
)

// UserZone is the time zone of a person's Slack profile; "" when unknown.
func (a *Activities) UserZone(ctx context.Context, slackID string) (string, error) {
	if slackID == "" {
		return "", nil
	}
	zone, err := a.Slack.UserZone(ctx, slackID)
	return zone, a.fail(err)
}

// OwnerInput asks who owns an incident's postmortem.
type OwnerInput struct {
	Services []string  `json:"services,omitempty"`
	At       time.Time `json:"at"`
	// Recovering are people still recovering from an off-hours page: none
	// of them is made the owner.
	Recovering []ib.Person `json:"recovering,omitempty"`
}

// OwnerChoice is the postmortem's owner, and who was passed over because
// they are still recovering.
type OwnerChoice struct {
	Owner  ib.Person `json:"owner,omitzero"`
	Passed ib.Person `json:"passed,omitzero"`
}

// PostmortemOwner is the current on-call of the rotation of the team that owns
// the incident's primary (first) service; nobody when the catalog does not
// say, and the workflow falls back to the commander. Kept for the runs that
// ask it (ChoosePostmortemOwner since lived-in).
func (a *Activities) PostmortemOwner(ctx context.Context, in OwnerInput) (ib.Person, error) {
	c, err := a.ChoosePostmortemOwner(ctx, in)
	return c.Owner, err
}

// ChoosePostmortemOwner is the current on-call of the rotation of the team
// that owns the incident's primary (first) service, or, when they are still
// recovering from an off-hours page, the next in that rotation; nobody when
// the catalog does not say (the workflow falls back to the commander).
func (a *Activities) ChoosePostmortemOwner(ctx context.Context, in OwnerInput) (OwnerChoice, error) {
	catalog := a.Catalog.Get()
	if catalog == nil || len(in.Services) == 0 {
		return OwnerChoice{}, nil
	}
	s, ok := catalog.Service(in.Services[0])
	if !ok {
		return OwnerChoice{}, nil
	}
	r, ok := catalog.Rotation(s.Rotation)
	if !ok {
		return OwnerChoice{}, nil
	}
	var choice OwnerChoice
	next, _ := r.Next(in.At)
	for _, m := range []string{r.OnCall(in.At), next} {
		p, err := a.member(ctx, m)
		if err != nil {
			return OwnerChoice{}, err
		}
		if !slices.ContainsFunc(in.Recovering, func(q ib.Person) bool { return q.SlackID != "" && q.SlackID == p.SlackID }) {
			choice.Owner = p
			return choice, nil
		}
		if choice.Passed == (ib.Person{}) {
			choice.Passed = p
		}
	}
	return choice, nil // everyone is recovering: the commander owns it
}

// member is a catalog member (a Slack user ID or an e-mail) as a Slack user.
// E-mails are looked up, once each.
func (a *Activities) member(ctx context.Context, m string) (ib.Person, error) {
	if !strings.Contains(m, "@") {
		return ib.Person{SlackID: m}, nil
	}
	id, err := a.Slack.LookupUserByEmail(ctx, m)
	if err != nil {
		return ib.Person{}, a.fail(err)
	}
	return ib.Person{SlackID: id, Name: m}, nil
}

// DraftInput is an incident whose postmortem draft to write, and the draft's
// number.
type DraftInput struct {
	Incident ib.Incident `json:"incident"`
	Version  int         `json:"version"`
	// LookFirst: an earlier run of the incident may have uploaded it already.
	LookFirst bool `json:"look_first,omitempty"`
}

// Draft is where a draft and its channel export were written, and what
// people did in the channel, counted from the export.
type Draft struct {
	Location string              `json:"location"`
	Export   string              `json:"export,omitempty"`
	Activity *ib.ChannelActivity `json:"activity,omitempty"`
}

// DraftPostmortem writes the postmortem draft from the incident's record, puts
// it in the document store with an export of the channel's whole history
// beside it (kept outside the workflow, whose history must stay small), and
// uploads the draft to the channel. Every step is safe to repeat: documents
// are replaced, and a retried upload first looks for the file its earlier try
// shared.
func (a *Activities) DraftPostmortem(ctx context.Context, in DraftInput) (Draft, error) {
	inc := in.Incident
	text, err := ib.RenderPostmortem(a.PostmortemTemplate, inc)
	if err != nil {
		return Draft{}, a.fail(err)
	}
	name := fmt.Sprintf("%s-postmortem-v%d.md", inc.ID, in.Version)
	var d Draft
	if d.Location, err = a.Documents.Put(ctx, inc.ID+"/"+name, []byte(text)); err != nil {
		return Draft{}, err
	}
	if inc.Channel.ID == "" {
		return d, nil
	}
	history, err := a.Slack.History(ctx, inc.Channel.ID)
	if err != nil {
		return Draft{}, a.fail(err)
	}
	if d.Export, err = a.Documents.Put(ctx, inc.ID+"/"+inc.ID+"-channel.md", []byte(Transcript(inc.Channel.Name, history))); err != nil {
		return Draft{}, err
	}
	counted := ib.CountActivity(history)
	d.Activity = &counted
	if in.LookFirst || activity.GetInfo(ctx).Attempt > 1 {
		if shared, err := a.Slack.FindFile(ctx, inc.Channel.ID, name); err != nil || shared {
			return d, a.fail(err)
		}
	}
	title := fmt.Sprintf("Postmortem draft %d: %s", in.Version, inc.Title)
	return d, a.fail(a.Slack.Upload(ctx, inc.Channel.ID, name, title, []byte(text)))
}

// Transcript is a channel's history as Markdown, oldest first, replies
// indented under their thread's parent, times in UTC.
func Transcript(channel string, msgs []ib.ChannelMessage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# #%s: %d messages\n\n", channel, len(msgs))
	for _, m := range msgs {
		indent := ""
		if m.Thread != "" {
			indent = "  "
		}
		text := strings.ReplaceAll(m.Text, "\n", "\n"+indent+"  ")
		fmt.Fprintf(&b, "%s- %s <@%s>: %s", indent, slackTime(m.TS), m.User, text)
		if len(m.Files) > 0 {
			fmt.Fprintf(&b, " [files: %s]", strings.Join(m.Files, ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// slackTime reads a Slack message timestamp ("1795405560.000100").
func slackTime(ts string) string {
	secs, _, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return ts
	}
	return time.Unix(n, 0).UTC().Format("2006-01-02 15:04:05")
}
