package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// A transaction that emitted an event and is still open when a later one
// commits gets a position after it when it commits: the cursor, which
// has already passed the later one, still sends the held one. (On SQLite
// the later transaction waits for the writer, so they cannot commit out
// of order at all.)
func TestWebhookCursorOutOfOrderCommit(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		f := newHookFixture(t, db)
		held, later := f.event("acct-a"), f.event("acct-b") // held is older: its id sorts first
		emitted, release, heldDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			heldDone <- db.Tx(context.Background(), func(tx *storage.Tx) error {
				if err := tx.Emit(context.Background(), held); err != nil {
					return err
				}
				select {
				case <-emitted: // a retry
				default:
					close(emitted)
				}
				<-release
				return nil
			})
		}()
		<-emitted
		laterDone := make(chan struct{})
		go func() { defer close(laterDone); f.emit(t, later) }()
		if db.Engine == storage.Postgres {
			<-laterDone
			f.drain(t, f.worker)
			if f.rc.times(later.ID) != 1 || f.rc.times(held.ID) != 0 {
				t.Fatalf("before the held one commits: later sent %d times, held %d", f.rc.times(later.ID), f.rc.times(held.ID))
			}
		}
		close(release)
		if err := <-heldDone; err != nil {
			t.Fatal(err)
		}
		<-laterDone
		f.drain(t, f.worker)
		if f.rc.times(held.ID) != 1 || f.rc.times(later.ID) != 1 {
			t.Fatalf("held sent %d times, later %d; want once each", f.rc.times(held.ID), f.rc.times(later.ID))
		}
		if db.Engine == storage.Postgres && f.seq(t, held.ID) < f.seq(t, later.ID) {
			t.Fatalf("the held event has position %d, before the later one's %d", f.seq(t, held.ID), f.seq(t, later.ID))
		}
	})
}

// Events of one account that are ready together share a POST; each
// account has its own; the cursor ends past them, so nothing is sent
// twice, and the log shows them delivered.
func TestWebhookCursorGroupsByAccount(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		f := newHookFixture(t, db)
		var es []webhook.Event
		for i := 0; i < 6; i++ {
			es = append(es, f.event([]string{"acct-a", "acct-b"}[i%2]))
		}
		f.emit(t, es[:3]...)
		f.emit(t, es[3:]...)
		f.drain(t, f.worker)
		f.drain(t, f.worker)
		if len(f.rc.posts) != 2 || len(f.rc.byAcc["acct-a"]) != 1 || len(f.rc.posts[0]) != 3 {
			t.Fatalf("POSTs %v, want one of 3 events per account", f.rc.posts)
		}
		ds, err := f.svc.Deliveries(context.Background(), webhook.Filter{ProgramCode: "PROG", Status: webhook.Delivered})
		if err != nil || len(ds) != 6 {
			t.Fatalf("%d delivered in the log (%v), want 6", len(ds), err)
		}
		for i, d := range ds { // newest first
			if d.EventID != es[5-i].ID || d.ID != webhook.DeliveryID(f.sub.ID, d.Seq) || d.Attempts != 1 {
				t.Fatalf("log entry %d: %+v", i, d)
			}
		}
		// A range replay sends them again (from delivery rows now).
		n, err := f.svc.Replay(context.Background(), webhook.Replay{ProgramCode: "PROG", SubscriptionID: f.sub.ID,
			From: es[0].At.Add(-time.Second), To: es[5].At.Add(time.Second)})
		if err != nil || n != 6 {
			t.Fatalf("replayed %d (%v)", n, err)
		}
		f.drain(t, f.worker)
		for _, e := range es {
			if f.rc.times(e.ID) != 2 {
				t.Fatalf("event sent %d times after the replay, want 2", f.rc.times(e.ID))
			}
		}
	})
}

// A holder of a cursor that recorded part of its span and then lost its
// lease (it stopped, or it crashed) leaves the rest to the next holder:
// what it recorded is not sent again, and the rest of that span is sent
// one event a POST (so no POST's range spans an event it did not carry).
func TestWebhookCursorTakeover(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		f := newHookFixture(t, db)
		ctx := context.Background()
		x1, y1, x2, y2 := f.event("acct-x"), f.event("acct-y"), f.event("acct-x"), f.event("acct-y")
		f.emit(t, x1, y1, x2, y2)
		now := f.clock.Now()
		c := webhook.Claim{Now: now, Lease: now.Add(time.Minute), Spans: 1, SpanEvents: 100}
		b, err := f.st.Exchange(ctx, nil, nil, c)
		if err != nil || len(b.Spans) != 1 || len(b.Spans[0].Events) != 4 {
			t.Fatalf("claimed %+v (%v)", b, err)
		}
		sp := b.Spans[0]
		xs := []webhook.StreamEvent{sp.Events[0], sp.Events[2]}
		sent := webhook.Sent{MessageID: webhook.DeliveryID(f.sub.ID, xs[0].Seq), AccountID: "acct-x", Mask: webhook.Mask(webhook.Transaction),
			Events: xs, Status: webhook.Delivered, Attempt: webhook.Attempt{RequestID: uuid.Must(uuid.NewV7()).String(), At: now, HTTPStatus: 200}}
		if _, err := f.st.Exchange(ctx, nil, []webhook.Progress{{SubscriptionID: f.sub.ID, ProgramCode: "PROG", Lease: sp.Lease,
			Position: sp.From, Reach: sp.To, Sent: []webhook.Sent{sent}}}, webhook.Claim{Now: now, Lease: sp.Lease}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Minute) // the lease lapses
		f.drain(t, f.worker)
		if len(f.rc.posts) != 2 || f.rc.times(y1.ID) != 1 || f.rc.times(y2.ID) != 1 || f.rc.times(x1.ID)+f.rc.times(x2.ID) != 0 {
			t.Fatalf("the next holder sent %v; want y1 and y2, alone", f.rc.posts)
		}
		ds, err := f.svc.Deliveries(ctx, webhook.Filter{ProgramCode: "PROG", Status: webhook.Delivered})
		if err != nil || len(ds) != 4 {
			t.Fatalf("%d delivered in the log (%v), want 4", len(ds), err)
		}
		d, _, attempts, err := f.svc.Delivery(ctx, "PROG", webhook.DeliveryID(f.sub.ID, xs[1].Seq))
		if err != nil || d.Status != webhook.Delivered || len(attempts) != 1 || attempts[0].MessageID != sent.MessageID {
			t.Fatalf("x2: %+v %+v (%v)", d, attempts, err)
		}
	})
}

// Disabling a subscription gives up what its cursor had not sent, as
// failed deliveries that a replay sends; what happens while it is
// disabled is not sent; enabled again, it hears of what happens next.
// Pruning never removes an undelivered event.
func TestWebhookCursorDisableReplayPrune(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		f := newHookFixture(t, db)
		ctx := context.Background()
		if _, _, err := f.svc.Create(ctx, "PROG", webhook.Input{URL: f.rc.URL + "/other", EventTypes: []string{webhook.Transaction}}); err != nil {
			t.Fatal(err)
		}
		disabled, enabled := false, true
		pending := []webhook.Event{f.event("acct-a"), f.event("acct-a")}
		f.emit(t, pending...)
		if _, err := f.svc.Update(ctx, "PROG", f.sub.ID, webhook.Patch{Enabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		during := f.event("acct-a")
		f.emit(t, during) // the other subscription still wants it
		if _, err := f.svc.Update(ctx, "PROG", f.sub.ID, webhook.Patch{Enabled: &enabled}); err != nil {
			t.Fatal(err)
		}
		after := f.event("acct-a")
		f.emit(t, after)
		mine := webhook.Filter{ProgramCode: "PROG", SubscriptionID: f.sub.ID}
		if n, err := f.st.Prune(ctx, f.clock.Now().Add(time.Hour), 1000); err != nil || n != 0 {
			t.Fatalf("pruned %d (%v) before anything was delivered", n, err)
		}
		f.drain(t, f.worker)
		log := func(status string) []webhook.Delivery {
			t.Helper()
			q := mine
			q.Status = status
			ds, err := f.svc.Deliveries(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}
		if fl, dl := log(webhook.Failed), log(webhook.Delivered); len(fl) != 2 || len(dl) != 1 || dl[0].EventID != after.ID {
			t.Fatalf("failed %+v, delivered %+v", fl, dl)
		}
		if f.rc.times(during.ID) != 1 || f.rc.times(after.ID) != 2 {
			t.Fatalf("during sent %d times (want to the other only), after %d (want both)", f.rc.times(during.ID), f.rc.times(after.ID))
		}
		if n, err := f.svc.Replay(ctx, webhook.Replay{ProgramCode: "PROG", SubscriptionID: f.sub.ID, FailedOnly: true}); err != nil || n != 2 {
			t.Fatalf("replayed %d (%v)", n, err)
		}
		f.drain(t, f.worker)
		if len(log(webhook.Delivered)) != 3 || f.rc.times(pending[0].ID) != 2 {
			t.Fatalf("after the replay: %+v", log(""))
		}
		// Every cursor has passed every event: pruning removes what was
		// delivered (2 replayed rows, 1 event POSTed to this subscription,
		// 4 to the other) and the stream but its last event, which keeps
		// the next position.
		if n, err := f.st.Prune(ctx, f.clock.Now().Add(time.Hour), 1000); err != nil || n != 7 {
			t.Fatalf("pruned %d (%v), want 7", n, err)
		}
		var left int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_stream`).Scan(&left); err != nil || left != 1 {
			t.Fatalf("%d events left in the stream (%v), want 1", left, err)
		}
		if ds := log(""); len(ds) != 0 {
			t.Fatalf("left in the log: %+v", ds)
		}
	})
}

// A POST that hangs holds up no other account: the worker goes on
// reading the cursor's next spans while it is out, and the cursor moves
// past it once it ends.
func TestWebhookCursorSlowAccountHoldsUpNoOther(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		f := newHookFixture(t, db)
		release := make(chan struct{})
		f.rc.hold["acct-slow"] = release
		w := f.newWorker()
		w.Timeout, w.Poll, w.Busy = 30*time.Second, 20*time.Millisecond, 20*time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { defer close(stopped); w.Run(ctx) }()
		defer func() { cancel(); <-stopped }()
		deadline := time.Now().Add(30 * time.Second)
		waitFor := func(e webhook.Event, why string) {
			t.Helper()
			for f.rc.times(e.ID) == 0 {
				if time.Now().After(deadline) {
					t.Fatal(why)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		slow, fast := f.event("acct-slow"), f.event("acct-fast")
		f.emit(t, slow, fast)
		waitFor(fast, "the first span was not sent")
		next := f.event("acct-fast") // after the span that holds the slow POST
		f.emit(t, next)
		waitFor(next, "an event of another account waited for the held POST")
		if f.rc.times(slow.ID) != 0 {
			t.Fatal("the held POST was acknowledged early")
		}
		close(release)
		// The receiver has the held POST before the worker records its
		// outcome: wait for the record, not only for the receiver.
		delivered := func() ([]webhook.Delivery, error) {
			return f.svc.Deliveries(context.Background(), webhook.Filter{ProgramCode: "PROG", Status: webhook.Delivered})
		}
		ds, err := delivered()
		for err == nil && len(ds) < 3 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			ds, err = delivered()
		}
		cancel()
		<-stopped
		if err != nil || len(ds) != 3 {
			t.Fatalf("%d delivered (%v), want 3", len(ds), err)
		}
		for _, id := range []string{slow.ID, next.ID} {
			if n := f.rc.times(id); n != 1 {
				t.Fatalf("event sent %d times", n)
			}
		}
	})
}
