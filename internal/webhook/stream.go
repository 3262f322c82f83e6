package webhook

import (
	"fmt"
	"strconv"
	"time"
)

// The happy path keeps no row per delivery. Each program's events form a
// stream: every event has a position, handed out in commit order (the
// store explains how), so a reader that sees a position sees every one
// below it. Each subscription has a cursor over its program's stream: a
// worker leases it, reads the events after it that the subscription
// wants (a span), POSTs them grouped by account, records one row per
// acknowledged POST, and moves the cursor past the span once every POST
// of it has an outcome. An event whose POST failed gets a delivery row
// (the retry queue, with the schedule of Next); so does one an operator
// sends again. The delivery log reads both.

// StreamEvent is an event read from a program's stream.
type StreamEvent struct {
	Seq       int64 // its position
	ID        string
	AccountID string
	Type      string
	CreatedAt time.Time
	Event     []byte // as sent
	// Alone: the event lies in a span whose outcomes a previous holder
	// of the cursor partly recorded; it is sent in a POST of its own, so
	// no POST's range spans an event it did not carry.
	Alone bool
}

// Span is a run of a subscription's stream claimed for sending: the
// events after From up to To that it wants, its cursor leased until Lease
// (which also identifies the claim).
type Span struct {
	SubscriptionID string
	ProgramCode    string
	Lease          time.Time
	From, To       int64
	Events         []StreamEvent
}

// Sent is one POST of a span and what became of it.
type Sent struct {
	MessageID string
	AccountID string
	Mask      int64 // the subscription's event types when it was sent
	Events    []StreamEvent
	Attempt   Attempt
	Status    string // Delivered; Pending (a delivery row retries it at Next) or Failed
	Next      time.Time
	Disable   string // as Outcome.Disable
}

// Progress is what a worker records, at each exchange, of a cursor it
// holds: the POSTs that ended since the last one; Position, the end of
// the spans that have ended, oldest first (the cursor moves there); Reach,
// the end of the last span with an outcome (a later holder leaves out
// what is handled up to there); and Release, that nothing read from the
// cursor is in flight any more and the worker lets it go (else the lease
// is renewed until Claim.Lease).
type Progress struct {
	SubscriptionID string
	ProgramCode    string
	Lease          time.Time
	Position       int64
	Reach          int64
	Release        bool
	Sent           []Sent
}

// Extend asks for the next span of a cursor the worker holds (whose lease
// the same exchange renews), after From: spans follow one another while
// earlier ones are in flight, so a slow POST holds up no other account.
type Extend struct {
	SubscriptionID string
	ProgramCode    string
	From           int64
}

// DeliveryID names the delivery of the event at position seq to a
// subscription: the subscription's identifier with the position in its
// last 12 hex digits, so it is a UUID that the delivery log can read back
// (ParseDeliveryID) with no row per delivery. A delivery row made for
// that event (a failure, a redelivery) has the same identifier.
func DeliveryID(subscriptionID string, seq int64) string {
	if len(subscriptionID) < 24 {
		return ""
	}
	return subscriptionID[:24] + fmt.Sprintf("%012x", seq)
}

// ParseDeliveryID splits a DeliveryID into the start of the subscription
// identifier (24 characters) and the position.
func ParseDeliveryID(id string) (prefix string, seq int64, ok bool) {
	if len(id) != 36 {
		return "", 0, false
	}
	n, err := strconv.ParseUint(id[24:], 16, 48)
	if err != nil || n == 0 {
		return "", 0, false
	}
	return id[:24], int64(n), true
}

// streamMessage is one POST of a span: events of one account.
type streamMessage struct {
	id      string
	account string
	events  []StreamEvent
}

// plan groups a span's events (in position order) into POSTs: the
// events of one account share one, at most maxEvents each, and an Alone
// event has its own. At most maxMessages are made: the span is cut
// before the event that would need one more, and to answers where it
// ends (w.To when it is not cut).
func plan(w Span, maxEvents, maxMessages int) (msgs []streamMessage, to int64) {
	open := map[string]int{} // account -> index of the message being filled
	for _, e := range w.Events {
		i, ok := open[e.AccountID]
		if !ok || e.Alone || len(msgs[i].events) >= maxEvents || msgs[i].events[0].Alone {
			if len(msgs) >= maxMessages {
				return msgs, e.Seq - 1
			}
			i = len(msgs)
			open[e.AccountID] = i
			msgs = append(msgs, streamMessage{id: DeliveryID(w.SubscriptionID, e.Seq), account: e.AccountID})
		}
		msgs[i].events = append(msgs[i].events, e)
	}
	return msgs, w.To
}
