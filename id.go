package ib

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// crockford is Crockford's base-32 alphabet: no I, L, O or U, so an incident ID
// read out over a call cannot be misheard as another.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var idPattern = regexp.MustCompile(`^INC-\d{8}-[0-9A-HJKMNP-TV-Z]{4}$`)

// IncidentID is the human-friendly ID of an incident, also its workflow ID:
// INC-<yyyymmdd>-<four characters>, e.g. INC-20261123-K7QF.
//
// It is deterministic from the declaring request: the same title declared on the
// same UTC day gives the same ID, so a double click, a retried request or two
// people declaring the same thing at once yield one incident. attempt (from 1)
// picks another ID for a new incident whose title matches one already closed,
// or whose ID another title's incident holds.
func IncidentID(title string, declaredAt time.Time, attempt int) string {
	day := declaredAt.UTC().Format("20060102")
	key := day + "\x00" + normalizeTitle(title)
	if attempt > 1 {
		key += fmt.Sprintf("\x00%d", attempt)
	}
	sum := sha256.Sum256([]byte(key))
	code := make([]byte, 4)
	bits := uint32(sum[0])<<16 | uint32(sum[1])<<8 | uint32(sum[2])
	for i := range code {
		code[i] = crockford[bits>>(5*(3-i))&31]
	}
	return "INC-" + day + "-" + string(code)
}

// DeclaredOn is the UTC day an incident ID was given, from the ID.
func DeclaredOn(id string) (time.Time, bool) {
	if !IsIncidentID(id) {
		return time.Time{}, false
	}
	day, err := time.Parse("20060102", strings.Split(strings.ToUpper(id), "-")[1])
	return day, err == nil
}

// SameTitle says whether two titles would be called the same incident: they
// give the same ID. Different titles can share an ID (four characters a day
// leave room for about a million); a declaration meeting another title's
// incident takes the next attempt instead of joining it.
func SameTitle(a, b string) bool { return normalizeTitle(a) == normalizeTitle(b) }

// IsIncidentID reports whether s has the shape of an incident ID (in any case).
func IsIncidentID(s string) bool { return idPattern.MatchString(strings.ToUpper(s)) }

// normalizeTitle makes titles that people would call the same compare equal:
// case, punctuation and spacing do not matter.
func normalizeTitle(title string) string {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.In(r, unicode.So)
	})
	return strings.Join(words, " ")
}
