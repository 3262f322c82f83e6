package storage

import "context"

// SetRekeyBatch sets Rekey's batch size for a test and returns a restore func.
func SetRekeyBatch(n int) func() {
	old := rekeyBatch
	rekeyBatch = n
	return func() { rekeyBatch = old }
}

// LockedGroupTx exposes lockedGroupTx (the ledger's group commit) to the
// storage tests.
func (db *DB) LockedGroupTx(ctx context.Context, lock string, fn func(tx *Tx) error) error {
	return db.lockedGroupTx(ctx, lock, fn)
}

// SetDayPage sets how many adjustments each query of the store's Day
// reads, so a test crosses page boundaries with a few.
func (s *LedgerStore) SetDayPage(n int) { s.dayPage = n }
