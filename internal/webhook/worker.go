package webhook

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Worker delivers webhooks. Every node runs one; claims hold across
// nodes, so an event has one attempt in flight at a time anywhere.
//
// New events are sent from subscriptions' cursors (stream.go): a claimed
// cursor yields a span of events, sent as POSTs grouped by account;
// failed ones become delivery rows, retried on the schedule. One loop
// records what finished and claims the next spans and due deliveries in
// one transaction per cycle, once per Busy while there is work (on SQLite
// every commit takes the single writer from the postings, so a busy
// worker commits a few times a second; and the events of an account that
// arrive meanwhile share a POST, each of which costs more than an event
// in it); each message is sent by its own
// goroutine, so a receiver that hangs holds up only its own messages. A
// span sends at most PerSubscription POSTs at once, and a subscription
// with that many retries in flight on this node is not claimed for until
// one ends.
type Worker struct {
	Queue   Queue
	Vault   Sealer
	Client  *http.Client // NewClient
	Log     *slog.Logger
	Now     func() time.Time
	Version string // sent in User-Agent
	Metrics *Metrics

	// Timeout bounds one attempt (default 15s); Lease is how long a claim
	// holds (default 2*Timeout+10s), so an attempt always ends within it.
	Timeout time.Duration
	Lease   time.Duration
	// Poll is how often an idle worker looks for due deliveries (default
	// 200ms; a commit that writes an event wakes it at once: Notify);
	// Busy how long one that found work waits before its next cycle
	// (default 400ms). Gather is how long a woken worker waits for more to
	// finish or fall due before its cycle (default 10ms), so a busy worker
	// commits a few times a second, not once per message.
	Poll   time.Duration
	Busy   time.Duration
	Gather time.Duration
	// Batch bounds the deliveries one claim takes (default 512); MaxEvents
	// the events one POST carries (default 100).
	Batch     int
	MaxEvents int
	// MaxInFlight bounds the messages in flight on this node (default
	// 256) and PerSubscription those of one subscription (default 64).
	MaxInFlight     int
	PerSubscription int
	// DisableAfter disables a subscription whose attempts have all failed
	// for that long (default 5 days).
	DisableAfter time.Duration
	// Retention is how long delivered deliveries are kept (default 30 days).
	Retention time.Duration

	once     sync.Once
	mu       sync.Mutex
	inflight int
	perSub   map[string]int
	done     []Outcome               // finished, not yet recorded
	cursors  map[string]*cursorState // by subscription: the cursors this node holds
	wake     chan struct{}
	sends    sync.WaitGroup
}

func (w *Worker) init() {
	w.once.Do(func() {
		if w.Timeout <= 0 {
			w.Timeout = 15 * time.Second
		}
		if w.Lease <= 0 {
			w.Lease = 2*w.Timeout + 10*time.Second
		}
		if w.Poll <= 0 {
			w.Poll = 200 * time.Millisecond
		}
		if w.Busy <= 0 {
			w.Busy = 400 * time.Millisecond
		}
		if w.Gather <= 0 {
			w.Gather = 10 * time.Millisecond
		}
		if w.Batch <= 0 {
			w.Batch = 512
		}
		if w.MaxEvents <= 0 {
			w.MaxEvents = 100
		}
		if w.MaxInFlight <= 0 {
			w.MaxInFlight = 256
		}
		if w.PerSubscription <= 0 {
			w.PerSubscription = 64
		}
		if w.DisableAfter <= 0 {
			w.DisableAfter = 5 * 24 * time.Hour
		}
		if w.Retention <= 0 {
			w.Retention = 30 * 24 * time.Hour
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Client == nil {
			w.Client = NewClient(false)
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		w.perSub = map[string]int{}
		w.cursors = map[string]*cursorState{}
		w.wake = make(chan struct{}, 1)
	})
}

// Notify asks the worker to look for due deliveries now (a latency hint:
// an idle worker cycles at once, a busy one at its next poll).
func (w *Worker) Notify() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends; it returns once every send has ended and
// the outcomes known by then are recorded.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	var bg sync.WaitGroup
	bg.Add(1)
	go func() { defer bg.Done(); w.housekeeping(ctx) }()
	t := time.NewTimer(w.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		n, err := w.cycle(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("webhook claim failed", "error", err)
		}
		if n >= w.Batch {
			continue // more may be due
		}
		wake, wait := w.wake, w.Poll
		if n > 0 {
			// Busy: the next cycle waits, so the events committed
			// meanwhile share its transaction and their POSTs; an idle
			// worker is woken by the first commit (Notify).
			wake, wait = nil, w.Busy
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-wake:
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.Gather):
		}
	}
	w.sends.Wait()
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := w.exchange(final, 0); err != nil {
		w.Log.Warn("webhook outcomes not recorded at shutdown (their deliveries will be sent again)", "error", err)
	}
	bg.Wait()
}

// cycle records what finished and claims what is due (if there is room);
// it answers how many deliveries it claimed.
func (w *Worker) cycle(ctx context.Context) (int, error) {
	w.mu.Lock()
	free, pending := w.MaxInFlight-w.inflight, len(w.done)+w.progressing()
	w.mu.Unlock()
	limit := min(free, w.Batch)
	if limit > 0 && pending == 0 {
		due, err := w.Queue.Due(ctx, w.Now())
		if err != nil || !due {
			return 0, err
		}
	}
	if limit <= 0 && pending == 0 {
		return 0, nil
	}
	b, err := w.exchange(ctx, limit)
	if err != nil {
		return 0, err
	}
	w.dispatch(ctx, b)
	n := w.dispatchSpans(ctx, b)
	return len(b.Deliveries) + n, nil
}

// exchange records the finished outcomes and claims up to limit.
func (w *Worker) exchange(ctx context.Context, limit int) (Batch, error) {
	now := w.Now()
	w.mu.Lock()
	done := w.done
	w.done = nil
	progress := w.takeProgress()
	var skip []string
	for sub, n := range w.perSub {
		if n >= w.PerSubscription {
			skip = append(skip, sub)
		}
	}
	c := Claim{Now: now, Lease: now.Add(w.Lease), Limit: limit, Skip: skip, FailingCutoff: now.Add(-w.DisableAfter),
		SpanEvents: w.Batch}
	if limit > 0 {
		c.Spans, c.Extend = min(limit, maxSpans), w.extensions()
	}
	w.mu.Unlock()
	b, err := w.Queue.Exchange(ctx, done, progress, c)
	if err == nil {
		w.mu.Lock()
		w.settle(progress, b.Lost, c.Lease)
		w.mu.Unlock()
	} else {
		// Recorded next time, while their claims hold; after that they
		// would change nothing (and the deliveries are sent again).
		var keep []Outcome
		for _, o := range done {
			if o.Lease.After(now) {
				keep = append(keep, o)
			}
		}
		w.mu.Lock()
		w.done = append(keep, w.done...)
		w.mu.Unlock()
	}
	return b, err
}

// RunOnce claims one batch, sends it, waits for every message and
// records the outcomes; it answers how many deliveries it handled. Tests
// use it to step the worker deterministically.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	n, err := w.cycle(ctx)
	if err != nil {
		return n, err
	}
	w.sends.Wait()
	_, err = w.exchange(ctx, 0)
	return n, err
}

// dispatch sends each message of a batch on its own goroutine.
func (w *Worker) dispatch(ctx context.Context, b Batch) {
	for _, m := range group(b.Deliveries, w.MaxEvents) {
		sub, ok := b.Subscriptions[m.sub]
		if !ok {
			continue // deleted meanwhile: nothing to send to
		}
		if !sub.Enabled { // disabled while the delivery was being written
			w.mu.Lock()
			w.done = append(w.done, unsent(b.Lease, m, w.Now()))
			w.mu.Unlock()
			continue
		}
		w.mu.Lock()
		w.inflight++
		w.perSub[m.sub]++
		w.mu.Unlock()
		w.sends.Add(1)
		go func() {
			defer w.sends.Done()
			out, ok := w.send(ctx, b.Lease, sub, m)
			w.mu.Lock()
			defer w.mu.Unlock()
			w.inflight--
			if w.perSub[m.sub]--; w.perSub[m.sub] <= 0 {
				delete(w.perSub, m.sub)
			}
			if ok {
				w.done = append(w.done, out)
			}
		}()
	}
}

// housekeeping prunes old deliveries hourly and refreshes the backlog
// gauges every few seconds.
func (w *Worker) housekeeping(ctx context.Context) {
	gauges := time.NewTicker(5 * time.Second)
	defer gauges.Stop()
	prune := time.NewTimer(time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-gauges.C:
			w.RefreshGauges(ctx)
		case <-prune.C:
			if n, err := w.Prune(ctx); err != nil && ctx.Err() == nil {
				w.Log.Warn("webhook prune failed", "error", err)
			} else if n > 0 {
				w.Log.Info("webhook deliveries pruned", "count", n)
			}
			prune.Reset(time.Hour)
		}
	}
}

// Prune deletes delivered deliveries older than Retention, in batches.
func (w *Worker) Prune(ctx context.Context) (int, error) {
	w.init()
	before := w.Now().Add(-w.Retention)
	total := 0
	for {
		n, err := w.Queue.Prune(ctx, before, 1000)
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}

// RefreshGauges sets the queue depth and oldest-undelivered gauges.
func (w *Worker) RefreshGauges(ctx context.Context) {
	w.init()
	n, oldest, err := w.Queue.Backlog(ctx)
	if err != nil {
		return
	}
	w.Metrics.backlog(n, oldest, w.Now())
}

// unsent is the outcome of a message not sent because its subscription
// is disabled: failed, replayable once it is enabled again.
func unsent(lease time.Time, m message, now time.Time) Outcome {
	o := Outcome{Lease: lease, MessageID: m.id, SubscriptionID: m.sub, Status: Failed,
		Attempt: Attempt{At: now, ErrorClass: ClassDisabled, Error: "subscription disabled"}}
	for _, d := range m.deliveries {
		o.DeliveryIDs = append(o.DeliveryIDs, d.ID)
	}
	return o
}
