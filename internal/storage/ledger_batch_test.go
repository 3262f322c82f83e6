package storage

import (
	"context"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/ledger"
)

// Postings that share a transaction decide each on what the ones before
// it left, though their rows are written together later: a replay of an
// identifier posted earlier in the transaction is answered that posting,
// a debit sees the credits before it, and a member that is not a posting
// (it reads the ledger with statements of its own) finds them written.
func TestPostingsShareATransactionAsIfAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openSQLiteForTest(t)
	acct := seedPostingAccount(t, db)
	store := NewLedgerStore(db)
	gate := gateFlushes(db, 1)
	type answer struct {
		a   ledger.Adjustment
		err error
	}
	post := func(id, typ string, amount int64) (applied chan answer, done chan error) {
		applied, done = make(chan answer, 1), make(chan error, 1)
		r := ledger.Request{ProgramCode: "PROG", AccountID: acct, AdjustmentID: id, Type: typ, Amount: amount, Currency: "USD"}
		go func() {
			done <- store.Tx(ctx, r, func(tx ledger.Tx) error {
				a, err := ledger.Apply(ctx, tx, r, time.Now())
				applied <- answer{a, err}
				return nil
			})
		}()
		return applied, done
	}
	first, firstDone := post("first", "promo", 100) // committed; its flush held
	gate.wait(t)
	<-first

	credit, creditDone := post("credit", "promo", 50) // the next transaction, open while the flush is held
	c := <-credit
	replay, replayDone := post("credit", "promo", 50)
	r := <-replay
	if c.err != nil || r.err != nil || r.a.ID != c.a.ID {
		t.Fatalf("replay in the same transaction answered %+v (%v), want the posting %s (%v)", r.a, r.err, c.a.ID, c.err)
	}
	seen, member := make(chan int64, 1), make(chan error, 1)
	go func() {
		member <- db.LockedGroupTx(ctx, acct, func(tx *Tx) error {
			var posted int64
			err := tx.QueryRow(ctx, `SELECT posted FROM ledger_balances WHERE account_id = ?`, acct).Scan(&posted)
			seen <- posted
			return err
		})
	}()
	if posted := <-seen; posted != 150 {
		t.Fatalf("a member that is not a posting read the balance %d, want 150", posted)
	}
	debit, debitDone := post("debit", "promoReversal", 150)
	if d := <-debit; d.err != nil || d.a.Status != ledger.StatusCompleted {
		t.Fatalf("a debit of all that was credited: %+v %v", d.a, d.err)
	}
	over, overDone := post("over", "promoReversal", 1)
	if o := <-over; o.err != nil || o.a.Status != ledger.StatusDeclined {
		t.Fatalf("a debit beyond it: %+v %v, want declined", o.a, o.err)
	}
	close(gate.open[1])
	for _, done := range []chan error{firstDone, creditDone, replayDone, member, debitDone, overDone} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	b, err := store.Balance(ctx, acct)
	if err != nil || b.Posted != 0 {
		t.Fatalf("balance %+v (%v), want 0", b, err)
	}
	if problems, err := store.Verify(ctx); err != nil || len(problems) != 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
}

// In one batch, a member that is not a posting finds the postings before
// it written, and the postings after it see what it wrote.
func TestBatchMemberBetweenPostings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openSQLiteForTest(t)
	acct := seedPostingAccount(t, db)
	posting := func(id string, amount int64) *groupItem {
		r := ledger.Request{ProgramCode: "PROG", AccountID: acct, AdjustmentID: id, Type: "promo", Amount: amount, Currency: "USD"}
		return &groupItem{lock: acct, key: &postingKey{program: "PROG", account: acct, adjustmentID: id}, fn: func(tx *Tx) error {
			a, err := ledger.Apply(ctx, ledgerTx{tx}, r, time.Now())
			if err == nil && a.Status != ledger.StatusCompleted {
				t.Errorf("posting %s: %+v", id, a)
			}
			return err
		}}
	}
	var seen int64
	member := &groupItem{lock: acct, fn: func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `SELECT posted FROM ledger_balances WHERE account_id = ?`, acct).Scan(&seen); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE ledger_balances SET posted = posted + 1 WHERE account_id = ?`, acct)
		return err
	}}
	batch := []*groupItem{posting("a", 100), posting("b", 20), member, posting("c", 3)}
	if err := db.Tx(ctx, func(tx *Tx) error { return runBatch(ctx, tx, batch) }); err != nil {
		t.Fatal(err)
	}
	b, err := NewLedgerStore(db).Balance(ctx, acct)
	if seen != 120 || err != nil || b.Posted != 124 {
		t.Fatalf("the member read %d (want 120); balance %d (%v), want 124", seen, b.Posted, err)
	}
}

// seedPostingAccount inserts a partner, program PROG and an account.
func seedPostingAccount(t *testing.T, db *DB) string {
	t.Helper()
	const acct = "0b7b3a3e-8f4e-4b8e-9d7a-2f4d1c5e6a7b"
	for _, q := range []string{
		`INSERT INTO partners (id, name, client_id, secret_hash, created_at, updated_at) VALUES ('p1', 'P', 'c1', 'h', 1, 1)`,
		`INSERT INTO programs (code, partner_id, name, bin, created_at, updated_at) VALUES ('PROG', 'p1', 'P', '499998', 1, 1)`,
		`INSERT INTO accounts (id, program_code, status, first_name, last_name, zip_code, created_at, updated_at)
			VALUES ('` + acct + `', 'PROG', 'normal', 'Jack', 'White', '91107', 1, 1)`,
	} {
		if _, err := db.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	return acct
}
