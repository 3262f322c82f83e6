package webhook

import (
	"context"
	"time"
)

// maxSpans bounds the cursors one exchange claims.
const maxSpans = 16

// spanState is a span in flight on this node: what its POSTs made of
// it since the last exchange, and how many are still out.
type spanState struct {
	Progress
	out   int
	lost  bool // a POST was not sent (stopping, or too little lease left): the span cannot be done here
	dirty bool // Sent changed since the last exchange
}

// progressing answers how many spans have something to record (w.mu held).
func (w *Worker) progressing() int {
	n := 0
	for _, st := range w.spans {
		if st.dirty || st.Done {
			n++
		}
	}
	return n
}

// takeProgress answers what the spans have to record and forgets the
// spans that end with it (w.mu held).
func (w *Worker) takeProgress() []Progress {
	var out []Progress
	for sub, st := range w.spans {
		if !st.dirty && !st.Done && !(st.lost && st.out == 0) {
			continue
		}
		if st.dirty || st.Done {
			out = append(out, st.Progress)
		}
		st.Sent, st.dirty = nil, false
		if st.Done || st.out == 0 {
			delete(w.spans, sub) // ended, or abandoned: the lease lapses and the next holder goes on from what was recorded
		}
	}
	return out
}

// restoreProgress puts back what an exchange failed to record, while the
// claims still hold (w.mu held).
func (w *Worker) restoreProgress(ps []Progress, now time.Time) {
	for _, p := range ps {
		if !p.Lease.After(now) {
			continue
		}
		st, ok := w.spans[p.SubscriptionID]
		if !ok {
			st = &spanState{Progress: p}
			st.Sent = nil
			w.spans[p.SubscriptionID] = st
		}
		st.Sent = append(p.Sent, st.Sent...)
		st.dirty = true
	}
}

// dispatchSpans sends each claimed span's POSTs, each on its own
// goroutine, and answers how many events it sends.
func (w *Worker) dispatchSpans(ctx context.Context, b Batch) int {
	n := 0
	for i, win := range b.Spans {
		sub, ok := b.Subscriptions[win.SubscriptionID]
		if !ok || !sub.Enabled {
			continue // deleted or disabled since the claim, which no longer holds
		}
		w.mu.Lock()
		free := w.MaxInFlight - w.inflight
		share := max(1, min(w.PerSubscription, free/(len(b.Spans)-i)))
		msgs, to := plan(win, w.MaxEvents, share)
		st := &spanState{Progress: Progress{SubscriptionID: win.SubscriptionID, ProgramCode: win.ProgramCode,
			Lease: win.Lease, To: to}, out: len(msgs)}
		st.Done = len(msgs) == 0
		w.spans[win.SubscriptionID] = st
		w.inflight += len(msgs)
		w.mu.Unlock()
		for _, m := range msgs {
			n += len(m.events)
			w.sends.Add(1)
			go func() {
				defer w.sends.Done()
				s, ok := w.sendStream(ctx, win.Lease, sub, m)
				w.mu.Lock()
				defer w.mu.Unlock()
				w.inflight--
				st.out--
				if ok {
					st.Sent, st.dirty = append(st.Sent, s), true
				} else {
					st.lost = true
				}
				st.Done = st.out == 0 && !st.lost
			}()
		}
	}
	return n
}

// sendStream POSTs one message of a span and answers its outcome; ok
// is false when it was not sent or the worker is stopping (nothing is
// recorded for it: the lease lapses and the next holder sends it).
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
	if ctx.Err() != nil {
		return out, false
	}
	a.MessageID = m.id
	out.Attempt = a
	out.Status, out.Next, out.Disable = decide(sub, a, retryAfter, cycleAt, now)
	w.Metrics.attempt(a, out.Status, len(m.events))
	return out, true
}
