package ib

import (
	"regexp"
	"strings"
)

// Slack sends what people type with its markup: a mention of a person as
// <@U…|name>, of a channel as <#C…|name>, @here as <!here>, a link as
// <url|label>, and &, < and > as entities. Kept as it came, a note would show
// that markup; readable turns it into the text people typed, which renders
// safely as text wherever the bot writes it.
var slackMarkup = regexp.MustCompile(`<([^<>\n]{1,1000})>`)

var slackEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// linkedURL reads a link's address and label as typed in a command: the
// address first, as it came or as Slack sends it (<https://…> or
// <https://…|label>), then the label.
func linkedURL(text string) (url, label string) {
	if m := slackLink.FindStringSubmatch(text); m != nil {
		label = strings.TrimSpace(m[2] + " " + strings.TrimSpace(text[len(m[0]):]))
		return m[1], label
	}
	url, label, _ = strings.Cut(text, " ")
	return url, label
}

// slackLink is a link as Slack sends it, at the start of a text.
var slackLink = regexp.MustCompile(`^<([a-z][a-z0-9+.-]*://[^<>|\s]+)(?:\|([^<>]*))?>`)

func readable(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, labelled := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if labelled {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return target
		case strings.HasPrefix(target, "#"):
			if labelled {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			switch special, _, _ := strings.Cut(target[1:], "^"); {
			case special == "here" || special == "channel" || special == "everyone":
				return "@" + special
			case labelled && special == "subteam":
				return "@" + strings.TrimPrefix(label, "@")
			case labelled: // a date, with the text to show without it
				return label
			default:
				return "@" + special
			}
		case strings.Contains(target, ":") || strings.HasPrefix(target, "http"):
			if labelled && label != target {
				return label + " (" + target + ")"
			}
			return target
		}
		return m
	})
	return slackEntities.Replace(s)
}
