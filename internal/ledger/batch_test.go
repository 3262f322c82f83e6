package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// memStore is an in-memory Store whose transactions apply all or nothing,
// to test the committer's batching alone. Record fails for the adjustment
// identifier "poison".
type memStore struct {
	Store // unused methods
	mu    sync.Mutex
	bal   map[string]int64
	adjs  map[string]Adjustment
	txs   int
}

type memTx struct {
	s    *memStore
	bal  map[string]int64
	adjs map[string]Adjustment
}

func (s *memStore) Tx(ctx context.Context, fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &memTx{s: s, bal: map[string]int64{}, adjs: map[string]Adjustment{}}
	if err := fn(tx); err != nil {
		return err
	}
	for k, v := range tx.bal {
		s.bal[k] = v
	}
	for k, v := range tx.adjs {
		s.adjs[k] = v
	}
	s.txs++
	return nil
}

func (t *memTx) LockAccount(ctx context.Context, program, id string) (string, error) {
	if id == "missing" {
		return "", apperr.E(apperr.NotFound, "Account not found.")
	}
	return "normal", nil
}

func (t *memTx) PostingState(ctx context.Context, id, adjID string) (PostingState, error) {
	b, ok := t.bal[id]
	if !ok {
		b = t.s.bal[id]
	}
	st := PostingState{Posted: b, Available: b}
	a, ok := t.adjs[id+adjID]
	if !ok {
		a, ok = t.s.adjs[id+adjID]
	}
	if ok {
		st.Prior = &a
	}
	return st, nil
}

func (t *memTx) Record(ctx context.Context, a Adjustment, e []Entry, posted int64) error {
	if a.AdjustmentID == "poison" {
		return errors.New("disk on fire")
	}
	t.adjs[a.AccountID+a.AdjustmentID] = a
	t.bal[a.AccountID] = posted
	return nil
}

func TestCommitterBatchesAndIsolatesFailures(t *testing.T) {
	s := &memStore{bal: map[string]int64{"acct": 500}, adjs: map[string]Adjustment{}}
	c := &Committer{Store: s, Now: time.Now, MaxBatch: 64}
	defer c.Close()
	var wg sync.WaitGroup
	results := make([]Adjustment, 12)
	errs := make([]error, 12)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := Request{ProgramCode: "P", AccountID: "acct", AdjustmentID: fmt.Sprint(i), Type: "achOut", Amount: 100, Currency: "USD"}
			switch i {
			case 10:
				r.AdjustmentID = "poison"
			case 11:
				r.AccountID = "missing"
			}
			results[i], errs[i] = c.Post(context.Background(), r)
		}(i)
	}
	wg.Wait()
	completed := 0
	for i := 0; i < 10; i++ {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if results[i].Status == StatusCompleted {
			completed++
		}
	}
	if completed != 5 || s.bal["acct"] != 0 {
		t.Fatalf("%d completed, balance %d; want 5 and 0", completed, s.bal["acct"])
	}
	if apperr.KindOf(errs[10]) != apperr.Internal || apperr.KindOf(errs[11]) != apperr.NotFound {
		t.Fatalf("poison: %v, missing: %v", errs[10], errs[11])
	}
	// A replay through the committer answers the first answer.
	again, err := c.Post(context.Background(), Request{ProgramCode: "P", AccountID: "acct", AdjustmentID: "0", Type: "achOut", Amount: 100, Currency: "USD"})
	if err != nil || again.ID != results[0].ID {
		t.Fatalf("replay: %+v %v", again, err)
	}
}
