package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// walSync makes SQLite commits durable after they are made, so that the
// single writer need not wait for the disk between two transactions.
//
// The writer connection runs in WAL mode with synchronous=NORMAL: a commit
// writes its frames to the WAL file and makes them visible, but does not
// flush them. Whoever must not answer before a commit is on disk (every
// write path: DB.Tx, DB.Exec, each member of a group commit) then calls
// wait, which returns once an fsync of the WAL file that began after the
// call has completed. Every frame written before that fsync began, the
// caller's commit among them, is then on disk: the WAL is appended in
// order, so a later commit is never durable before an earlier one, and
// SQLite's recovery keeps exactly the valid prefix of frames. Meanwhile the
// writer is already applying the next batch (group.go), and callers that
// arrive during one fsync share the next.
//
// Checkpoints are SQLite's own (automatic, in the writer): with
// synchronous=NORMAL a checkpoint still flushes the WAL before copying it
// into the database file and flushes the database file before the WAL may
// be restarted, so the database file is never ahead of what the WAL held.
//
// A commit is visible to readers of other connections before it is
// durable (for the length of one fsync); nothing it caused leaves the
// process before then: its writer's answer, webhooks and outbox messages
// (their workers claim in write transactions, which wait) all follow the
// fsync. A failed fsync is sticky, as in PostgreSQL: after one, the state
// of the file on disk is unknown, so every later write fails until the
// process restarts and SQLite recovers from what the disk holds.
type walSync struct {
	path string // the WAL file: the database's path + "-wal"

	mu      sync.Mutex
	cond    *sync.Cond
	started uint64 // fsyncs begun
	ended   uint64 // fsyncs finished (one runs at a time, so in order)
	running bool
	err     error // the first failure, returned from then on

	f    *os.File    // the WAL file, opened on first use
	info os.FileInfo // which file f is (the WAL is recreated after a last close)

	// beforeSync, when set (tests), runs before each fsync.
	beforeSync func()
}

func newWALSync(dbPath string) *walSync {
	w := &walSync{path: dbPath + "-wal"}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// wait returns once the WAL as written before the call is on disk.
func (w *walSync) wait() error {
	if w == nil { // PostgreSQL: a commit is durable when it returns
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	need := w.started + 1 // a running fsync began before this call: the next one
	for w.ended < need && w.err == nil {
		if w.running {
			w.cond.Wait()
			continue
		}
		w.running = true
		w.started++
		gen := w.started
		w.mu.Unlock()
		err := w.sync()
		w.mu.Lock()
		w.running, w.ended = false, gen
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("storage: WAL fsync failed; writes refused until restart: %w", err)
		}
		w.cond.Broadcast()
	}
	return w.err
}

// sync flushes the WAL file to disk; a WAL file new to this process has
// its directory entry flushed too.
func (w *walSync) sync() error {
	if w.beforeSync != nil {
		w.beforeSync()
	}
	fresh, err := w.open()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) { // nothing written yet
			return nil
		}
		return err
	}
	if err := fdatasync(w.f); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	dir, err := os.Open(filepath.Dir(w.path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// open (re)opens the WAL file when it is not open or was replaced (SQLite
// deletes it when its last connection closes, after a full checkpoint);
// fresh says it did.
func (w *walSync) open() (fresh bool, err error) {
	st, err := os.Stat(w.path)
	if err != nil {
		return false, err
	}
	if w.f != nil && os.SameFile(st, w.info) {
		return false, nil
	}
	f, err := os.Open(w.path)
	if err != nil {
		return false, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return false, err
	}
	if w.f != nil {
		w.f.Close()
	}
	w.f, w.info = f, info
	return true, nil
}

func (w *walSync) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}
