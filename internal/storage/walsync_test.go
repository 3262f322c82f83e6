package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// flushGate holds each WAL flush of db until the test lets it through,
// and tells the test when one is waiting.
type flushGate struct {
	waiting chan int           // the flush's number (1, 2, ...) once it waits
	open    map[int]chan error // closed to let that flush through
}

func gateFlushes(db *DB, n int) *flushGate {
	g := &flushGate{waiting: make(chan int, n), open: map[int]chan error{}}
	for i := 1; i <= n; i++ {
		g.open[i] = make(chan error)
	}
	calls := 0
	db.wal.beforeSync = func() { // flushes run one at a time
		calls++
		if calls > n {
			return
		}
		g.waiting <- calls
		<-g.open[calls]
	}
	return g
}

// wait returns the number of the next flush to wait (failing the test if
// none comes: the caller expects one).
func (g *flushGate) wait(t *testing.T) int {
	t.Helper()
	select {
	case n := <-g.waiting:
		return n
	case <-time.After(time.Minute):
		t.Fatal("no WAL flush began")
		return 0
	}
}

func notYet(t *testing.T, what string, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("%s answered (%v) before its commit was flushed", what, err)
	default:
	}
}

func openSQLiteForTest(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func insertEvent(id string) func(tx *Tx) error {
	return func(tx *Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO audit_events (id, at, actor, action, subject) VALUES (?, 1, 't', 'x', 's')`, id)
		return err
	}
}

func visible(t *testing.T, db *DB, id string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// The group commit overlaps a commit's WAL flush with the next batch, and
// still answers no caller before the flush of its own commit has ended.
func TestGroupCommitAnswersOnlyAfterItsFlush(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openSQLiteForTest(t)
	gate := gateFlushes(db, 2)

	first := make(chan error, 1)
	go func() { first <- db.GroupTx(ctx, insertEvent("a")) }()
	if n := gate.wait(t); n != 1 {
		t.Fatalf("flush %d, want 1", n)
	}
	if !visible(t, db, "a") {
		t.Fatal("the first commit was not made before its flush")
	}
	notYet(t, "the first caller", first)

	applied := make(chan struct{})
	second := make(chan error, 1)
	go func() {
		second <- db.GroupTx(ctx, func(tx *Tx) error {
			defer close(applied)
			return insertEvent("b")(tx)
		})
	}()
	<-applied // during the first flush: the overlap
	notYet(t, "the first caller", first)
	notYet(t, "the second caller", second)

	close(gate.open[1])
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := gate.wait(t); n != 2 {
		t.Fatalf("flush %d, want 2", n)
	}
	if !visible(t, db, "b") {
		t.Fatal("the second commit was not made before its flush")
	}
	notYet(t, "the second caller", second)
	close(gate.open[2])
	if err := <-second; err != nil {
		t.Fatal(err)
	}
}

// Writes outside the group commit (Tx, Exec) also return only once their
// commit is flushed.
func TestWritesReturnAfterTheirFlush(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, write := range map[string]func(db *DB) error{
		"Tx": func(db *DB) error { return db.Tx(ctx, insertEvent("tx")) },
		"Exec": func(db *DB) error {
			_, err := db.Exec(ctx, `INSERT INTO audit_events (id, at, actor, action, subject) VALUES ('exec', 1, 't', 'x', 's')`)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := openSQLiteForTest(t)
			gate := gateFlushes(db, 1)
			done := make(chan error, 1)
			go func() { done <- write(db) }()
			gate.wait(t)
			notYet(t, name, done)
			close(gate.open[1])
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
