package slack

import (
	"fmt"
	"strings"

	goslack "github.com/slack-go/slack"

	"github.com/incident-buddy/ib"
)

// Callback and action IDs: how Slack's interactions find their way back.
const (
	CallbackDeclare = "ib_declare"
	CallbackResolve = "ib_resolve"

	ActionStatus   = "ib_status"   // header: pick a status
	ActionSeverity = "ib_severity" // header: pick a severity
	ActionResolve  = "ib_resolve"  // header: open the resolve modal
	ActionAckPage  = "ib_ack_page" // a page's direct message: acknowledge it
	// ActionLinkTicket links a suggested customer ticket.
	ActionLinkTicket = "ib_link_ticket"
	// ActionJoin opens the incident's channel from #incidents (a link: the
	// gateway has nothing to do).
	ActionJoin = "ib_join"
)

// Block IDs of the modals' inputs. They are the names ib.Error.Field uses, so a
// validation error lands on the input at fault.
const (
	FieldTitle       = "title"
	fieldSeverity    = "severity"
	fieldCustomers   = "customers_affected"
	fieldImpact      = "impact"
	fieldDescription = "description"
	fieldServices    = "services"
	fieldCommander   = "commander"
	FieldSummary     = "summary"
	FieldImpactStart = "impact_start"
	FieldImpactEnd   = "impact_end"
)

// DeclareModal is the form of /ib create without text. privateMetadata carries
// the channel it was opened from, for the answer.
func DeclareModal(defaultSeverity ib.Severity, customerQuestion, privateMetadata string, services []string) goslack.ModalViewRequest {
	severities := make([]*goslack.OptionBlockObject, 0, len(ib.Severities))
	var initial *goslack.OptionBlockObject
	for _, s := range ib.Severities {
		o := goslack.NewOptionBlockObject(string(s), plain(SeverityEmoji[s]+" "+string(s)), plain(truncate(s.Meaning(), 75)))
		if s == defaultSeverity {
			initial = o
		}
		severities = append(severities, o)
	}
	sevSelect := goslack.NewOptionsSelectBlockElement(goslack.OptTypeStatic, plain("Pick a severity"), fieldSeverity, severities...)
	sevSelect.InitialOption = initial

	answers := []*goslack.OptionBlockObject{
		goslack.NewOptionBlockObject(string(ib.Yes), plain("Yes"), nil),
		goslack.NewOptionBlockObject(string(ib.No), plain("No"), nil),
		goslack.NewOptionBlockObject(string(ib.Unknown), plain("Not known yet"), nil),
	}
	customers := goslack.NewRadioButtonsBlockElement(fieldCustomers, answers...)
	customers.InitialOption = answers[2]

	title := goslack.NewPlainTextInputBlockElement(plain("e.g. Checkout API returning 500s"), FieldTitle)
	title.MaxLength = ib.MaxTitleRunes

	return goslack.ModalViewRequest{
		Type:            goslack.VTModal,
		CallbackID:      CallbackDeclare,
		PrivateMetadata: privateMetadata,
		Title:           plain("Declare an incident"),
		Submit:          plain("Declare"),
		Close:           plain("Cancel"),
		Blocks: goslack.Blocks{BlockSet: []goslack.Block{
			goslack.NewInputBlock(fieldCustomers, plain(customerQuestion), nil, customers),
			goslack.NewInputBlock(FieldTitle, plain("What is broken?"), nil, title),
			goslack.NewInputBlock(fieldSeverity, plain("Severity"), nil, sevSelect),
			optional(goslack.NewInputBlock(fieldImpact, plain("Impact"), plain("Who is affected, and how?"), multiline(fieldImpact))),
			optional(goslack.NewInputBlock(fieldDescription, plain("What is known so far"), nil, multiline(fieldDescription))),
			servicesInput(services),
			optional(goslack.NewInputBlock(fieldCommander, plain("Commander"), plain("Leave empty to command it yourself"),
				goslack.NewOptionsSelectBlockElement(goslack.OptTypeUser, plain("Pick a person"), fieldCommander))),
		}},
	}
}

// maxStaticOptions is the most options Slack allows a static menu; a longer
// catalog is searched as people type (block_suggestion).
const maxStaticOptions = 100

// servicesInput asks which services are affected: picked from the catalog's
// (searched as people type when there are many), or typed when there is no
// catalog.
func servicesInput(services []string) *goslack.InputBlock {
	hint := plain("Their on-call is invited")
	var element goslack.BlockElement
	switch {
	case len(services) == 0:
		hint = plain("Comma-separated, e.g. checkout, payments")
		element = goslack.NewPlainTextInputBlockElement(nil, fieldServices)
	case len(services) <= maxStaticOptions:
		element = goslack.NewOptionsMultiSelectBlockElement(goslack.MultiOptTypeStatic, plain("Pick services"), fieldServices, ServiceOptions(services)...)
	default:
		search := goslack.NewOptionsMultiSelectBlockElement(goslack.MultiOptTypeExternal, plain("Type to find services"), fieldServices)
		one := 1
		search.MinQueryLength = &one
		element = search
	}
	return optional(goslack.NewInputBlock(fieldServices, plain("Affected services"), hint, element))
}

// ServiceOptions are services as a menu's options (at most Slack's 100).
func ServiceOptions(services []string) []*goslack.OptionBlockObject {
	var options []*goslack.OptionBlockObject
	for _, s := range services[:min(len(services), maxStaticOptions)] {
		options = append(options, goslack.NewOptionBlockObject(s, plain(truncate(s, 75)), nil))
	}
	return options
}

// DeclarationFrom reads a submitted declare modal.
func DeclarationFrom(v goslack.View, user ib.Person) ib.Declaration {
	values := v.State.Values
	get := func(field string) goslack.BlockAction { return values[field][field] }
	d := ib.Declaration{
		Title:             get(FieldTitle).Value,
		Severity:          ib.Severity(get(fieldSeverity).SelectedOption.Value),
		CustomersAffected: ib.Answer(get(fieldCustomers).SelectedOption.Value),
		Impact:            get(fieldImpact).Value,
		Description:       get(fieldDescription).Value,
		Services:          ib.SplitList(get(fieldServices).Value),
		Declarer:          user,
	}
	for _, o := range get(fieldServices).SelectedOptions {
		d.Services = append(d.Services, o.Value)
	}
	if c := get(fieldCommander).SelectedUser; c != "" {
		d.Commander = ib.Person{SlackID: c}
	}
	return d
}

// DeclaredModal replaces the declare modal once the incident exists.
func DeclaredModal(res ib.Declared, d ib.Declaration, prefix string) *goslack.ModalViewRequest {
	return &goslack.ModalViewRequest{
		Type: goslack.VTModal, Title: plain("Incident declared"), Close: plain("Done"),
		Blocks: goslack.Blocks{BlockSet: []goslack.Block{section(DeclaredText(res, d, prefix))}},
	}
}

// DeclaredText answers a declaration: the incident it started (a recurrence
// of an earlier one, perhaps), or the active one of the same title it joined.
// Its channel is named as it will be (Slack lets people type the name before
// it exists); prefix is the incident channels' prefix.
func DeclaredText(res ib.Declared, d ib.Declaration, prefix string) string {
	if res.Existing {
		return fmt.Sprintf("*%s* is already open for this title, so no second incident was declared. `/ib list` shows it.", res.ID)
	}
	channel := "Its channel"
	if day, ok := ib.DeclaredOn(res.ID); ok && prefix != "" {
		channel += ", #" + ib.ChannelName(prefix, day, d.Title, res.ID, 1) + ","
	}
	text := fmt.Sprintf("%s *%s* declared: %s\n%s is being opened; you will be invited. In it, `/ib` commands need no ID.",
		SeverityEmoji[d.Severity], res.ID, Escape(d.Title), channel)
	if res.RecurrenceOf != "" {
		text += fmt.Sprintf("\nA recurrence of *%s*, which was resolved: the two are linked.", res.RecurrenceOf)
	}
	return text
}

// ResolveModal asks for a resolution summary. Its private metadata carries the
// incident ID and the channel the button was pressed in.
func ResolveModal(incidentID, channelID string) goslack.ModalViewRequest {
	return goslack.ModalViewRequest{
		Type: goslack.VTModal, CallbackID: CallbackResolve, PrivateMetadata: actionValue(incidentID, channelID),
		Title: plain("Resolve incident"), Submit: plain("Resolve"), Close: plain("Cancel"),
		Blocks: goslack.Blocks{BlockSet: []goslack.Block{
			section("Resolving *" + incidentID + "*: customers are no longer affected."),
			optional(goslack.NewInputBlock(FieldSummary, plain("How was it resolved?"), plain("Shown in the channel and in #incidents"), multiline(FieldSummary))),
			optional(goslack.NewInputBlock(FieldImpactStart, plain("Customers affected from"), plain("e.g. 03:25 or 2026-11-23 03:25, in your time zone"),
				goslack.NewPlainTextInputBlockElement(nil, FieldImpactStart))),
			optional(goslack.NewInputBlock(FieldImpactEnd, plain("Customers affected until"), nil,
				goslack.NewPlainTextInputBlockElement(nil, FieldImpactEnd))),
		}},
	}
}

// headerActions are the buttons on an active incident's header.
func headerActions(s ib.Summary) goslack.Block {
	statuses := make([]*goslack.OptionBlockObject, 0, len(ib.Statuses))
	for _, st := range ib.Statuses[:len(ib.Statuses)-1] {
		statuses = append(statuses, goslack.NewOptionBlockObject(actionValue(s.ID, string(st)), plain(TitleCase(string(st))), nil))
	}
	severities := make([]*goslack.OptionBlockObject, 0, len(ib.Severities))
	for _, sev := range ib.Severities {
		severities = append(severities, goslack.NewOptionBlockObject(actionValue(s.ID, string(sev)), plain(SeverityEmoji[sev]+" "+string(sev)), nil))
	}
	resolve := goslack.NewButtonBlockElement(ActionResolve, s.ID, plain("Resolve"))
	resolve.Style = goslack.StylePrimary
	return goslack.NewActionBlock("ib_header_actions",
		goslack.NewOptionsSelectBlockElement(goslack.OptTypeStatic, plain("Change status"), ActionStatus, statuses...),
		goslack.NewOptionsSelectBlockElement(goslack.OptTypeStatic, plain("Change severity"), ActionSeverity, severities...),
		resolve,
	)
}

// actionValue packs an incident ID with the value picked, so that the action
// needs no lookup to find its incident.
func actionValue(id, value string) string { return id + "|" + value }

func SplitActionValue(v string) (id, value string) {
	id, value, _ = strings.Cut(v, "|")
	return id, value
}

func plain(text string) *goslack.TextBlockObject {
	return goslack.NewTextBlockObject(goslack.PlainTextType, text, false, false)
}

func multiline(actionID string) *goslack.PlainTextInputBlockElement {
	e := goslack.NewPlainTextInputBlockElement(nil, actionID)
	e.Multiline = true
	e.MaxLength = ib.MaxTextRunes
	return e
}

func optional(b *goslack.InputBlock) *goslack.InputBlock {
	b.Optional = true
	return b
}
