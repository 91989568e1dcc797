package oncall

import "strings"

// ServiceTerms are the words that name a service in a customer's words: its
// name, and, when the catalog knows it, its aliases and keywords.
func (c *Catalog) ServiceTerms(service string) []string {
	terms := []string{service}
	if c == nil {
		return terms
	}
	if s, ok := c.Service(service); ok {
		terms = append(append(append(terms[:0], s.Name), s.Aliases...), s.Keywords...)
	}
	return terms
}

// MentionsAny says whether text contains any of the terms as whole words, in
// any case.
func MentionsAny(text string, terms []string) bool {
	text = strings.ToLower(text)
	for _, term := range terms {
		term = strings.ToLower(strings.TrimSpace(term))
		if term == "" {
			continue
		}
		for i := strings.Index(text, term); i >= 0; {
			end := i + len(term)
			if (i == 0 || !isWordByte(text[i-1])) && (end == len(text) || !isWordByte(text[end])) {
				return true
			}
			next := strings.Index(text[i+1:], term)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return false
}

func isWordByte(b byte) bool {
	return b == '_' || b == '-' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 0x80
}
