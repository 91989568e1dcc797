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
	// To is the Slack user a direct message goes to ("": the incident's
	// channel).
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

// What an incident can owe. Each is paid by one activity of the workflow.
const (
	OwePost         OwedKind = "post"          // Message, in the incident's channel
	OweRefresh      OwedKind = "refresh"       // the channel's topic and header, after changes
	OweAnnouncement OwedKind = "announcement"  // Message, in the incidents channel
	OweMessage      OwedKind = "message"       // Message, to the Slack user To, else in the incident's channel
	OweFetch        OwedKind = "fetch"         // read the collected message Ref
	OweReaction     OwedKind = "reaction"      // the bot's Emoji on message Ref, or Undo it
	OweStatusPage   OwedKind = "status-page"   // post Status and Text on the public status page
	OwePager        OwedKind = "pager"         // tell PagerDuty Action about page Ref
	OwePageChain    OwedKind = "page-chain"    // find whom page Ref goes to
	OwePageSend     OwedKind = "page-send"     // message page Ref to whom it has reached
	OweCare         OwedKind = "care"          // read whether page Ref reached Person off-hours
	OweResponders   OwedKind = "responders"    // pull in the on-call of service Ref
	OweInvite       OwedKind = "invite"        // invite the Slack user To to the channel
	OwePlan         OwedKind = "plan"          // plan the postmortem stage in the commander's zone
	OweOwner        OwedKind = "owner"         // find the postmortem's owner and its deadline
	OweDraft        OwedKind = "draft"         // write the postmortem draft and upload it
	OweOwnerNotice  OwedKind = "owner-notice"  // tell the postmortem's owner of it and its deadline
	OweTicketNotes  OwedKind = "ticket-notes"  // note the resolution on the linked tickets
	OweFollowUp     OwedKind = "follow-up"     // find who follows up with the customers
	OweFollowUpNote OwedKind = "follow-up-dm"  // read the tickets, then remind whoever follows up
	OweTicketSearch OwedKind = "ticket-search" // look in Zendesk for tickets about the services
)

// owe is plain owed work of the kinds.
func owe(kinds ...OwedKind) []Owed {
	out := make([]Owed, len(kinds))
	for i, k := range kinds {
		out[i] = Owed{Kind: k}
	}
	return out
}

// message is a message of the incident's to owe, keyed so that posting it
// twice finds the first. The incident's summary is filled in when it is
// posted, so that what is owed stays small and shows the latest state.
func (inc *Incident) message(kind MessageKind, keySuffix string) *Message {
	m := NewMessage(kind, Summary{ID: inc.ID}, keySuffix)
	m.Incident = Summary{}
	return &m
}

// OwedFor turns a notice into what is owed: a direct message to each person with
// a Slack account, and one message in the channel naming the others (all of
// them, for a notice meant for the channel), in the order of the notice.
func (inc *Incident) OwedFor(n Notice, key string) []Owed {
	var out []Owed
	var inChannel []Person
	for _, p := range n.To {
		if n.InChannel || p.SlackID == "" {
			inChannel = append(inChannel, p)
			continue
		}
		m := inc.message(MsgNotice, key+"-"+p.SlackID)
		m.Text = n.Text
		out = append(out, Owed{Kind: OweMessage, To: p.SlackID, Message: m})
	}
	if len(inChannel) > 0 {
		m := inc.message(MsgNotice, key)
		m.Text, m.People = n.Text, inChannel
		out = append(out, Owed{Kind: OweMessage, Message: m})
	}
	return out
}
