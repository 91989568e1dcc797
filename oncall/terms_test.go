package oncall_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/incident-buddy/ib/oncall"
)

func TestServiceTerms(t *testing.T) {
	c := catalog(t, `
teams: [{name: payments}]
services: [{name: checkout, team: payments, rotation: pay, aliases: [checkout-api], keywords: [payment, cart]}]
rotations: [{name: pay, members: [a, b, c, d, e], handoff: {weekday: monday, hour: 10}, time_zone: UTC, start: 2026-01-05}]
`)
	terms := c.ServiceTerms("checkout")
	assert.Equal(t, []string{"checkout", "checkout-api", "payment", "cart"}, terms)
	assert.Equal(t, []string{"billing"}, c.ServiceTerms("billing"), "unknown to the catalog: its name")
	assert.True(t, oncall.MentionsAny("My PAYMENT failed twice", terms))
	assert.True(t, oncall.MentionsAny("cart: empty", terms))
	assert.False(t, oncall.MentionsAny("payments team is great", terms), "whole words only")
	assert.False(t, oncall.MentionsAny("checkouts", terms))
	assert.True(t, oncall.MentionsAny("the checkout-api returns 500", terms))
}
