package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/incident-buddy/ib"
)

// WatchInput is a notice of a service's watch to deliver.
type WatchInput struct {
	Notice ib.WatchNotice `json:"notice"`
	At     time.Time      `json:"at"` // when it was noticed: whose turn on call it is
}

// TellWatch delivers a watch's notice: an alert to the service's owner (its
// team's alert channel, else whoever is on call for it, directly), flapping
// to the owner and to customer reliability's on-call, a Declare? suggestion
// to the team's channel and customer reliability's channel, a changed
// suggestion to where it was posted, an alert of no service to the catalog's
// owners. It returns where it posted; each post is made once, whatever the
// retries.
func (a *Activities) TellWatch(ctx context.Context, in WatchInput) ([]ib.PostRef, error) {
	n := in.Notice
	m := ib.Message{Key: watchKey(n), Watch: &n, Links: a.serviceLinks(n.Service)}
	var to []string
	var err error
	switch n.Kind {
	case ib.NoticeAlert:
		m.Kind = ib.MsgAlert
		to, err = a.owners(ctx, n.Service, in.At, false)
	case ib.NoticeFlapping:
		m.Kind = ib.MsgFlapping
		to, err = a.owners(ctx, n.Service, in.At, true)
	case ib.NoticeSuggest:
		m.Kind = ib.MsgDeclare
		to = a.suggestionChannels(n.Service)
	case ib.NoticeSuggestion:
		m.Kind = ib.MsgDeclare
		for _, p := range n.Suggestion.Posts {
			if err := a.Slack.Update(ctx, p.Channel, p.TS, m); err != nil {
				return nil, a.fail(err)
			}
		}
		if a.Noticed != nil {
			a.Noticed(ctx, "suggestion-"+n.Suggestion.State)
		}
		return n.Suggestion.Posts, nil
	case ib.NoticeUnknownAlert:
		m.Kind = ib.MsgUnknownAlert
		to = []string{a.Settings.IncidentsChannel}
		if c := a.Catalog.Get(); c != nil && c.Alerting.UnknownChannel != "" {
			to = []string{c.Alerting.UnknownChannel}
		}
	default:
		return nil, a.fail(ib.Errorf(ib.EINVALID, "no such watch notice %q", n.Kind))
	}
	if err != nil {
		return nil, err
	}
	var refs []ib.PostRef
	for _, channel := range to {
		ts, err := a.postOnce(ctx, channel, true, m)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ib.PostRef{Channel: channel, TS: ts})
	}
	if a.Noticed != nil {
		a.Noticed(ctx, string(n.Kind))
	}
	return refs, nil
}

// watchKey tells a watch's posts apart for good: an alert's episode, an
// episode's flapping, a suggestion.
func watchKey(n ib.WatchNotice) string {
	key := "watch:" + n.Service + ":" + string(n.Kind)
	switch {
	case n.Suggestion != nil:
		key += fmt.Sprintf(":%d", n.Suggestion.At.UnixNano())
	case len(n.Alerts) > 0:
		first := n.Alerts[0]
		key += fmt.Sprintf(":%s:%d", first.Fingerprint, first.StartsAt.UnixNano())
	}
	return key
}

// owners are where a service's alerts go: its team's alert channel, else its
// rotation's on-call, directly; with customers too, customer reliability's
// on-call. Without a catalog or anyone on call, the incidents channel.
func (a *Activities) owners(ctx context.Context, service string, at time.Time, customers bool) ([]string, error) {
	catalog := a.Catalog.Get()
	var to []string
	add := func(who string) error {
		if who == "" {
			return nil
		}
		p, err := a.member(ctx, who)
		if err != nil {
			return err
		}
		for _, have := range to {
			if have == p.SlackID {
				return nil
			}
		}
		to = append(to, p.SlackID)
		return nil
	}
	if team, ok := catalog.TeamOf(service); ok && team.AlertChannel != "" {
		to = append(to, team.AlertChannel)
	} else if s, ok := catalog.Service(service); ok {
		if r, ok := catalog.Rotation(s.Rotation); ok {
			if err := add(r.OnCall(at)); err != nil {
				return nil, err
			}
		}
	}
	if customers && catalog != nil {
		if r, ok := catalog.Rotation(a.Settings.FollowUpRotation); ok {
			if err := add(r.OnCall(at)); err != nil {
				return nil, err
			}
		}
	}
	if len(to) == 0 {
		to = []string{a.Settings.IncidentsChannel}
	}
	return to, nil
}

// suggestionChannels are the owning team's channel (else the incidents
// channel) and customer reliability's.
func (a *Activities) suggestionChannels(service string) []string {
	catalog := a.Catalog.Get()
	to := []string{a.Settings.IncidentsChannel}
	if team, ok := catalog.TeamOf(service); ok && team.Channel != "" {
		to[0] = team.Channel
	}
	if catalog != nil && catalog.Alerting.CustomerChannel != "" && catalog.Alerting.CustomerChannel != to[0] {
		to = append(to, catalog.Alerting.CustomerChannel)
	}
	return to
}

// serviceLinks are a service's dashboards and runbooks.
func (a *Activities) serviceLinks(service string) []ib.Link {
	s, ok := a.Catalog.Get().Service(service)
	if !ok {
		return nil
	}
	var links []ib.Link
	for _, u := range s.Dashboards {
		links = append(links, ib.Link{URL: u, Label: s.Name + " dashboard"})
	}
	for _, u := range s.Runbooks {
		links = append(links, ib.Link{URL: u, Label: s.Name + " runbook"})
	}
	return links
}
