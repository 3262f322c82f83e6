package storage

import (
	"context"
	"io/fs"

	"github.com/pressly/goose/v3"
)

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

// MigrateTo applies the embedded migrations up to version only.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.w, fsys, goose.WithAllowOutofOrder(true))
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
