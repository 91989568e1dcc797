package ib

// Owed is something an incident owes the outside world beyond its own
// record: a message to post, a call to make, a lookup whose answer it needs.
// The workflow pays what is owed in order, each kind in its lane, and a
// continued run carries what is still unpaid, so that nothing is lost or done
// twice.
type Owed struct {
	Kind OwedKind `json:"kind"`
	// Message is what a post, an announcement or a direct message says.
	Message *Message `json:"message,omitempty"`
	// To is the Slack user a direct message goes to.
	To string `json:"to,omitempty"`
	// Ref names what the work is about: a collected message's timestamp
	// (fetch, reaction), a page's ID (page steps, the pager), a service
	// (pull in its on-call).
	Ref string `json:"ref,omitempty"`
	// Emoji is the bot's reaction to set on a collected message, or with
	// Undo to take back.
	Emoji string `json:"emoji,omitempty"`
	Undo  bool   `json:"undo,omitempty"`
	// Action is what the pager is told: trigger, acknowledge or resolve.
	Action string `json:"action,omitempty"`
	// Status and Text are a status page update.
	Status Status `json:"status,omitempty"`
	Text   string `json:"text,omitempty"`
	// Person is whose working hours an off-hours check reads.
	Person Person `json:"person,omitzero"`
}

// OwedKind names what is owed.
type OwedKind string
