package ib

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxChannelName is Slack's limit on channel names.
const MaxChannelName = 80

var prefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,19}$`)

// ChannelName is the name of an incident's channel: <prefix>-<yyyymmdd>-<slug>,
// at most 80 characters of lowercase letters, digits, - and _, as Slack requires.
//
// Accents are folded ("Café" → "cafe"); a title with nothing left after that
// (emoji only, or a script with no Latin letters) takes the incident ID's code
// instead, so every title gets a safe, distinct name. attempt > 1 appends
// "-<attempt>", for when the name is taken by a channel that is not this
// incident's.
func ChannelName(prefix string, declaredAt time.Time, title, incidentID string, attempt int) string {
	head := prefix + "-" + declaredAt.UTC().Format("20060102") + "-"
	tail := ""
	if attempt > 1 {
		tail = fmt.Sprintf("-%d", attempt)
	}
	slug := slugify(title, MaxChannelName-len(head)-len(tail))
	if slug == "" {
		slug = strings.ToLower(incidentID[strings.LastIndex(incidentID, "-")+1:])
	}
	return head + slug + tail
}

// slugify keeps [a-z0-9] runs joined by single dashes, cut at a dash so that no
// word is halved, within max bytes.
func slugify(title string, max int) string {
	var b strings.Builder
	dash := false
	// Lower-case after NFKD: compatibility forms can decompose to capitals (ᴶ → J).
	for _, r := range strings.ToLower(norm.NFKD.String(title)) {
		switch {
		case unicode.Is(unicode.Mn, r): // a combining accent left by NFKD
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	slug := b.String()
	if len(slug) > max {
		slug = slug[:max]
		if i := strings.LastIndexByte(slug, '-'); i > max/2 {
			slug = slug[:i]
		}
	}
	return strings.Trim(slug, "-")
}

// ValidChannelPrefix reports whether p can start a Slack channel name.
func ValidChannelPrefix(p string) bool { return prefixPattern.MatchString(p) }
