package webhook

import (
	"context"
	"time"
)

const (
	// maxSpans bounds the cursors one exchange claims.
	maxSpans = 16
	// maxDepth bounds the spans of one cursor in flight at once.
	maxDepth = 16
)

// cursorState is a subscription cursor this node holds: its lease, the
// spans read from it that are in flight (oldest first), and what their
// POSTs made of them since the last exchange. Every exchange records it
// and renews the lease, or lets the cursor go once nothing read from it
// is in flight.
type cursorState struct {
	program string
	lease   time.Time
	next    int64 // where the next span starts
	spans   []*spanState
	done    int64 // the end of the spans that have ended, oldest first
	reach   int64 // the end of the last span with an outcome
	sent    []Sent
	out     int  // POSTs in flight
	stuck   bool // a POST was not sent (stopping, or too little lease left): read no more, let go once none is out
	lost    bool // the lease no longer holds: record nothing, let go once none is out
}

// spanState is one span of a cursor in flight; stuck when one of its
// POSTs was not sent (it never ends here).
type spanState struct {
	to    int64
	out   int
	stuck bool
}

// progressing answers how many cursors have something to record (w.mu held).
func (w *Worker) progressing() int { return len(w.cursors) }

// takeProgress answers what the held cursors have to record (w.mu held):
// each of them, so their leases are renewed. Nothing is forgotten until
// the exchange succeeds (settle).
func (w *Worker) takeProgress() []Progress {
	var out []Progress
	for sub, cs := range w.cursors {
		if cs.lost {
			continue
		}
		for len(cs.spans) > 0 && cs.spans[0].out == 0 && !cs.spans[0].stuck {
			cs.done, cs.spans = cs.spans[0].to, cs.spans[1:]
		}
		out = append(out, Progress{SubscriptionID: sub, ProgramCode: cs.program, Lease: cs.lease, Position: cs.done,
			Reach: cs.reach, Release: cs.out == 0 && (len(cs.spans) == 0 || cs.stuck), Sent: cs.sent})
	}
	return out
}

// extensions asks for the next span of each held cursor with room for
// more in flight (w.mu held).
func (w *Worker) extensions() []Extend {
	var out []Extend
	for sub, cs := range w.cursors {
		if !cs.lost && !cs.stuck && cs.out > 0 && len(cs.spans) < maxDepth && cs.out < w.PerSubscription {
			out = append(out, Extend{SubscriptionID: sub, ProgramCode: cs.program, From: cs.next})
		}
	}
	return out
}

// settle applies a recorded exchange to the cursors (w.mu held): what was
// recorded is forgotten, released and lost cursors are let go (once none
// of their POSTs is out), the others hold until lease.
func (w *Worker) settle(ps []Progress, lost []string, lease time.Time) {
	for _, sub := range lost {
		if cs, ok := w.cursors[sub]; ok {
			cs.lost, cs.sent = true, nil
		}
	}
	for _, p := range ps {
		cs, ok := w.cursors[p.SubscriptionID]
		if !ok || cs.lost {
			continue
		}
		cs.sent = cs.sent[len(p.Sent):]
		if p.Release {
			delete(w.cursors, p.SubscriptionID)
			continue
		}
		cs.lease = lease
	}
	for sub, cs := range w.cursors {
		if cs.lost && cs.out == 0 {
			delete(w.cursors, sub)
		}
	}
}

// dispatchSpans sends each span's POSTs, each on its own goroutine, and
// answers how many events it sends.
func (w *Worker) dispatchSpans(ctx context.Context, b Batch) int {
	n := 0
	for i, sp := range b.Spans {
		sub, ok := b.Subscriptions[sp.SubscriptionID]
		if !ok || !sub.Enabled {
			continue // deleted or disabled since the claim, which no longer holds
		}
		w.mu.Lock()
		cs := w.cursors[sp.SubscriptionID]
		if cs == nil || cs.lost { // (a lost one's POSTs still out update the old state)
			cs = &cursorState{program: sp.ProgramCode, done: sp.From}
			w.cursors[sp.SubscriptionID] = cs
		}
		free := min(w.MaxInFlight-w.inflight, w.PerSubscription-cs.out)
		msgs, to := plan(sp, w.MaxEvents, max(1, free/(len(b.Spans)-i)))
		st := &spanState{to: to, out: len(msgs)}
		cs.lease, cs.next, cs.spans = sp.Lease, to, append(cs.spans, st)
		cs.out += len(msgs)
		w.inflight += len(msgs)
		w.mu.Unlock()
		for _, m := range msgs {
			n += len(m.events)
			w.sends.Add(1)
			go func() {
				defer w.sends.Done()
				s, ok := w.sendStream(ctx, sp.Lease, sub, m)
				w.mu.Lock()
				defer w.mu.Unlock()
				w.inflight--
				cs.out--
				st.out--
				switch {
				case cs.lost:
				case ok:
					cs.sent, cs.reach = append(cs.sent, s), max(cs.reach, st.to)
				default:
					cs.stuck, st.stuck = true, true
				}
			}()
		}
	}
	return n
}

// sendStream POSTs one message of a span and answers its outcome; ok is
// false when it was not sent or the worker is stopping (nothing is
// recorded for it: the cursor's next holder sends it).
func (w *Worker) sendStream(ctx context.Context, lease time.Time, sub Subscription, m streamMessage) (Sent, bool) {
	now := w.Now().UTC()
	out := Sent{MessageID: m.id, AccountID: m.account, Mask: Mask(sub.EventTypes...), Events: m.events}
	if lease.Sub(now) < w.Timeout+time.Second {
		return out, false
	}
	events := make([][]byte, len(m.events))
	cycleAt := m.events[0].CreatedAt
	for i, e := range m.events {
		events[i] = e.Event
		if e.CreatedAt.Before(cycleAt) {
			cycleAt = e.CreatedAt
		}
	}
	a, retryAfter := w.post(ctx, sub, m.id, Body(m.account, events), now)
	if ctx.Err() != nil && a.ErrorClass != "" { // stopping: a failure may be ours (an acknowledgement is kept)
		return out, false
	}
	a.MessageID = m.id
	out.Attempt = a
	out.Status, out.Next, out.Disable = decide(sub, a, retryAfter, cycleAt, now)
	w.Metrics.attempt(a, out.Status, len(m.events))
	return out, true
}
