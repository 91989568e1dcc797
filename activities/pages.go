package activities

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/incident-buddy/ib"
)

// PageChainInput names whom to page.
type PageChainInput struct {
	Target string    `json:"target"` // a service, or a Slack user ID
	At     time.Time `json:"at"`
}

// PageChain is whom a page goes to, in turn: a person paged by name alone; for
// a service, its rotation's on-call, the next in the rotation, then the owning
// team's manager. Members named by e-mail are looked up in Slack.
func (a *Activities) PageChain(ctx context.Context, in PageChainInput) ([]ib.Person, error) {
	if ib.IsSlackUserID(in.Target) {
		return []ib.Person{{SlackID: in.Target}}, nil
	}
	catalog := a.Catalog.Get()
	if catalog == nil {
		return nil, a.fail(ib.Errorf(ib.EINVALID, "No service catalog is configured (IB_CATALOG): page a person with `page @name` instead."))
	}
	rotation, team := in.Target, ""
	if s, ok := catalog.Service(in.Target); ok {
		rotation, team = s.Rotation, s.Team
	}
	r, ok := catalog.Rotation(rotation)
	if !ok {
		return nil, a.fail(ib.Errorf(ib.EINVALID, "The catalog has no service or rotation %q.", in.Target))
	}
	next, _ := r.Next(in.At)
	members := []string{r.OnCall(in.At), next}
	for _, t := range catalog.Teams {
		if t.Name == team && t.Manager != "" {
			members = append(members, t.Manager)
		}
	}
	var chain []ib.Person
	for _, m := range members {
		p, err := a.member(ctx, m)
		if err != nil {
			return nil, err
		}
		if p.SlackID != "" && !slices.ContainsFunc(chain, func(have ib.Person) bool { return have.SlackID == p.SlackID }) {
			chain = append(chain, p)
		}
	}
	return chain, nil
}

// SendPageInput is a page to deliver to one person.
type SendPageInput struct {
	To       ib.Person  `json:"to"`
	Page     ib.Page    `json:"page"`
	Incident ib.Summary `json:"incident"`
	// LookFirst: an earlier run of the incident may have sent it already.
	LookFirst bool `json:"look_first,omitempty"`
}

// SendPage messages the person paged, directly, with a button to acknowledge.
func (a *Activities) SendPage(ctx context.Context, in SendPageInput) error {
	m := ib.NewMessage(ib.MsgPage, in.Incident, in.Page.ID+"-"+strconv.Itoa(in.Page.Level))
	m.Page = &in.Page
	_, err := a.postOnce(ctx, in.To.SlackID, in.LookFirst, m)
	return err
}

// PagerDutyInput tells PagerDuty about a page: a first page to a service
// whose rotation has a routing key triggers an alert (PagerDuty escalates by
// its own rules too; the dedup key makes a retried trigger one alert), then
// acknowledges or resolves it.
type PagerDutyInput struct {
	Action   string     `json:"action"` // trigger, acknowledge or resolve
	Page     ib.Page    `json:"page"`
	Incident ib.Summary `json:"incident"`
}

// UpdatePagerDuty acknowledges or resolves a page's PagerDuty alert, if it has one.
func (a *Activities) UpdatePagerDuty(ctx context.Context, in PagerDutyInput) error {
	return a.pagerDuty(ctx, in.Action, in.Incident, in.Page)
}

func (a *Activities) pagerDuty(ctx context.Context, action string, s ib.Summary, p ib.Page) error {
	catalog := a.Catalog.Get()
	if a.Pager == nil || catalog == nil {
		return nil
	}
	key := catalog.RoutingKey(p.Target)
	if key == "" {
		return nil
	}
	summary := s.Severity.String() + " " + s.ID + ": " + s.Title
	if p.Message != "" {
		summary += " — " + p.Message
	}
	return a.fail(a.Pager.Send(ctx, key, action, pagerDedupKey(s.ID, p.Target), summary, s.Severity))
}

// pagerDedupKey ties every event of one incident's pages to one target to one
// PagerDuty alert (at most 255 characters, as the API allows).
func pagerDedupKey(incidentID, target string) string {
	key := "incident-buddy/" + incidentID + "/" + target
	if len(key) > 255 {
		key = key[:255]
	}
	return key
}
