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
func DeclareModal(defaultSeverity ib.Severity, customerQuestion, privateMetadata string) goslack.ModalViewRequest {
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
			optional(goslack.NewInputBlock(fieldServices, plain("Affected services"), plain("Comma-separated, e.g. checkout, payments"),
				goslack.NewPlainTextInputBlockElement(nil, fieldServices))),
			optional(goslack.NewInputBlock(fieldCommander, plain("Commander"), plain("Leave empty to command it yourself"),
				goslack.NewOptionsSelectBlockElement(goslack.OptTypeUser, plain("Pick a person"), fieldCommander))),
		}},
	}
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
	if c := get(fieldCommander).SelectedUser; c != "" {
		d.Commander = ib.Person{SlackID: c}
	}
	return d
}

// DeclaredModal replaces the declare modal once the incident exists.
func DeclaredModal(res ib.Declared, d ib.Declaration) *goslack.ModalViewRequest {
	text := fmt.Sprintf("%s *%s* is declared: %s\nIts channel is being opened and you will be invited.",
		SeverityEmoji[d.Severity], res.ID, Escape(d.Title))
	if res.Existing {
		text = fmt.Sprintf("*%s* was already open for this title, so no second incident was declared. You can find it with `/ib list`.", res.ID)
	}
	return &goslack.ModalViewRequest{
		Type: goslack.VTModal, Title: plain("Incident declared"), Close: plain("Done"),
		Blocks: goslack.Blocks{BlockSet: []goslack.Block{section(text)}},
	}
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
