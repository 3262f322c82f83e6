package webhook

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Claimed is a delivery claimed for an attempt.
type Claimed struct {
	ID             string
	EventID        string
	SubscriptionID string
	AccountID      string
	// MessageID is the message the delivery was first sent in ("" before
	// its first attempt): a retry sends the same message again.
	MessageID string
	Attempt   int       // this attempt's number
	CycleAt   time.Time // start of the retry schedule
	CreatedAt time.Time // the event's time
	Event     []byte    // the event as sent
}

// Batch is what one claim took: deliveries leased until Lease (which
// also identifies the claim), spans of subscriptions' streams, and
// their subscriptions; Lost names the cursors whose Progress was not
// recorded (their lease no longer held).
type Batch struct {
	Lease         time.Time
	Deliveries    []Claimed
	Spans         []Span
	Subscriptions map[string]Subscription
	Lost          []string
}

// Outcome is what became of one message; the store records it on each
// of the message's deliveries that the claim still holds.
type Outcome struct {
	Lease          time.Time
	MessageID      string
	SubscriptionID string
	DeliveryIDs    []string
	Attempt        Attempt // DeliveryID and N are each delivery's own
	Status         string  // Delivered, Pending (again at Next) or Failed
	Next           time.Time
	// Disable, when set, disables the subscription with this reason and
	// fails its pending deliveries.
	Disable string
}

// Claim asks for due deliveries.
type Claim struct {
	Now   time.Time
	Lease time.Time
	Limit int      // 0: claim nothing, only record
	Skip  []string // subscriptions not to claim for (busy on this node)
	// FailingCutoff disables a subscription that has failed every
	// attempt since before it (DisableAfter ago).
	FailingCutoff time.Time
	// Spans is how many subscriptions' cursors to claim (0: none), each
	// for a span of at most SpanEvents events; Extend asks for the next
	// spans of cursors held already.
	Spans      int
	SpanEvents int
	Extend     []Extend
}

// Queue is the persistence the worker needs.
type Queue interface {
	// Due reports, with a read only, whether any delivery is due or any
	// enabled subscription's cursor is free with events after it: idle
	// polling costs no write transaction.
	Due(ctx context.Context, now time.Time) (bool, error)
	// Exchange records outcomes and spans' progress, then claims the
	// next due deliveries (with the rest of every message it claims) and
	// free cursors that have events after them, in one transaction, so a
	// busy worker pays one commit per cycle; a span's events are read
	// after it commits. Claims hold across nodes: what a claim no longer
	// holds (its lease lapsed and another took it, or the subscription
	// was disabled or deleted) records nothing.
	Exchange(ctx context.Context, outcomes []Outcome, progress []Progress, c Claim) (Batch, error)
	// Prune deletes, up to limit at a time, what the delivery log keeps of
	// deliveries made before before (delivered rows with their attempts,
	// acknowledged POSTs, events every cursor has passed that no delivery
	// row needs) and answers how many delivered deliveries it removed; it
	// never removes a pending or failed one.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
	// Backlog answers how many deliveries are undelivered (pending rows,
	// and events after an enabled subscription's cursor that it wants)
	// and the time of the oldest one's event.
	Backlog(ctx context.Context) (int, time.Time, error)
}

// message is one POST: deliveries of one subscription and one account.
type message struct {
	id         string
	sub        string
	account    string
	cycleAt    time.Time
	deliveries []Claimed
}

// group turns claimed deliveries into messages: the deliveries of a
// message sent before stay together (the same webhook-id is sent again);
// new ones are grouped by subscription and account, at most max events
// a message, oldest first.
func group(ds []Claimed, max int) []message {
	slices.SortFunc(ds, func(a, b Claimed) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	var out []message
	open := map[[2]string]int{} // (subscription, account) -> index of the message being filled
	byID := map[string]int{}    // message id -> index
	for _, d := range ds {
		if d.MessageID != "" {
			i, ok := byID[d.MessageID]
			if !ok {
				i = len(out)
				byID[d.MessageID] = i
				out = append(out, message{id: d.MessageID, sub: d.SubscriptionID, account: d.AccountID, cycleAt: d.CycleAt})
			}
			out[i].deliveries = append(out[i].deliveries, d)
			continue
		}
		k := [2]string{d.SubscriptionID, d.AccountID}
		i, ok := open[k]
		if !ok || len(out[i].deliveries) >= max {
			i = len(out)
			open[k] = i
			out = append(out, message{id: d.ID, sub: d.SubscriptionID, account: d.AccountID, cycleAt: d.CycleAt})
		}
		out[i].deliveries = append(out[i].deliveries, d)
	}
	for i := range out {
		for _, d := range out[i].deliveries {
			if d.CycleAt.Before(out[i].cycleAt) {
				out[i].cycleAt = d.CycleAt
			}
		}
	}
	return out
}

// decide is the outcome of an attempt: delivered when acknowledged;
// failed (and the subscription disabled) on 410; otherwise retried on the
// schedule, or failed past it.
func decide(sub Subscription, a Attempt, retryAfter time.Duration, cycleAt, now time.Time) (status string, next time.Time, disable string) {
	switch {
	case a.ErrorClass == "":
		return Delivered, time.Time{}, ""
	case a.ErrorClass == ClassGone:
		return Failed, time.Time{}, "the receiver answered 410 Gone"
	}
	if t, ok := Next(cycleAt, now, retryAfter, sub.Retries); ok {
		return Pending, t, ""
	}
	return Failed, time.Time{}, ""
}
