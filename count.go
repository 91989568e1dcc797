package ib

import "strconv"

// Count says how many of a thing there are, in the right number: "1 problem",
// "2 problems".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
