// Package outbox delivers side effects that leave the process (email, SMS,
// CRM calls). A capability writes a message into the outbox table in the
// same transaction as its business change (storage.Tx.Enqueue); a Worker
// claims due messages with a lease, hands each to the handler for its
// topic, and records success or schedules a retry with backoff. A crash
// loses nothing: an unacknowledged message's lease runs out and it is
// claimed again, by this node or another. Delivery is at least once;
// handlers make it effectively once with a receiver-side key (the message
// id as an SMTP Message-ID, a CRM external id).
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Message is one outbox row.
type Message struct {
	ID        string
	Topic     string
	Payload   []byte
	Attempts  int // including the current one; with ID, identifies this claim
	CreatedAt time.Time
	// LeaseUntil is when this claim lapses and another worker may claim
	// the message.
	LeaseUntil time.Time
}

// Store is the persistence the worker needs.
type Store interface {
	// Claim leases up to limit due messages (pending, due, lease
	// expired) until now+lease and counts the attempt.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// Complete marks a claimed message delivered, unless the claim
	// has been superseded (another worker claimed it after the lease).
	Complete(ctx context.Context, m Message, now time.Time) error
	// Retry records a failure of a claimed message (unless the claim
	// was superseded); dead stops further attempts.
	Retry(ctx context.Context, m Message, next time.Time, errMsg string, dead bool) error
}

// Handler delivers one message. It returns Permanent(err) for a failure
// that retrying cannot fix.
type Handler func(ctx context.Context, m Message) error

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks an error as not worth retrying.
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Worker polls the outbox and delivers messages.
type Worker struct {
	Store Store
	Log   *slog.Logger
	Now   func() time.Time
	// Poll is how often to look for due messages (default 500ms).
	Poll time.Duration
	// Lease is how long a claimed message is reserved (default 1m): a
	// handler must finish within it.
	Lease time.Duration
	// MinBackoff and MaxBackoff bound the exponential retry delay
	// (defaults 1s and 5m). A destination down for hours is retried every
	// MaxBackoff until it answers.
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts stops retrying after that many attempts (0: never stop).
	MaxAttempts int
	// Batch is how many messages one claim takes (default 16).
	Batch int

	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
}

// Handle registers the handler for a topic.
func (w *Worker) Handle(topic string, h Handler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.handlers == nil {
		w.handlers = map[string]Handler{}
	}
	w.handlers[topic] = h
}

// Notify asks the worker to look for messages now rather than at the next
// poll. It is only a latency hint: correctness never depends on it.
func (w *Worker) Notify() {
	w.mu.Lock()
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
	ch := w.wake
	w.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (w *Worker) defaults() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.Poll == 0 {
		w.Poll = 500 * time.Millisecond
	}
	if w.Lease == 0 {
		w.Lease = time.Minute
	}
	if w.MinBackoff == 0 {
		w.MinBackoff = time.Second
	}
	if w.MaxBackoff == 0 {
		w.MaxBackoff = 5 * time.Minute
	}
	if w.Batch == 0 {
		w.Batch = 16
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
}

// Run delivers messages until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("outbox claim failed", "error", err)
		}
		if n > 0 {
			continue // there may be more due
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// RunOnce claims one batch of due messages and delivers them; it answers
// how many it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	msgs, err := w.Store.Claim(ctx, w.Now(), w.Lease, w.Batch)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		w.deliver(ctx, m)
	}
	return len(msgs), nil
}

func (w *Worker) deliver(ctx context.Context, m Message) {
	// A batch is handled one message after another: a message whose lease
	// is mostly spent is left to lapse and be claimed again, so no handler
	// ever runs past its lease while another worker runs it too.
	left := m.LeaseUntil.Sub(w.Now())
	if left < w.Lease/4 {
		return
	}
	w.mu.Lock()
	h := w.handlers[m.Topic]
	w.mu.Unlock()
	var err error
	if h == nil {
		err = errors.New("no handler for topic " + m.Topic)
	} else {
		hctx, cancel := context.WithTimeout(ctx, left-w.Lease/10)
		err = h(hctx, m)
		cancel()
	}
	if ctx.Err() != nil {
		return // shutting down: the lease expires and the message is retried
	}
	if err == nil {
		if cerr := w.Store.Complete(ctx, m, w.Now()); cerr != nil {
			w.Log.Warn("outbox complete failed", "id", m.ID, "error", cerr)
		}
		return
	}
	var p permanent
	dead := errors.As(err, &p) || (w.MaxAttempts > 0 && m.Attempts >= w.MaxAttempts)
	next := w.Now().Add(w.backoff(m.Attempts))
	w.Log.Warn("outbox delivery failed", "id", m.ID, "topic", m.Topic, "attempt", m.Attempts, "dead", dead, "error", err)
	if rerr := w.Store.Retry(ctx, m, next, err.Error(), dead); rerr != nil {
		w.Log.Warn("outbox retry bookkeeping failed", "id", m.ID, "error", rerr)
	}
}

// backoff is exponential from MinBackoff, capped at MaxBackoff, with
// jitter so many failed messages do not retry in lockstep.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.MinBackoff
	for i := 1; i < attempt && d < w.MaxBackoff; i++ {
		d *= 2
	}
	if d > w.MaxBackoff {
		d = w.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}
