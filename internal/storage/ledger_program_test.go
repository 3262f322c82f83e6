package storage_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/storage"
)

// Migration 00017 spreads each program ledger account's balance over
// shards: the balances read the same after it, every shard within its
// CHECK, even for a balance at the bound.
func TestProgramBalancesSurviveSharding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 16); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{ledger.FundingAccount("P"): -ledger.MaxProgramBalance + 1, ledger.FeeAccount("P"): 12345}
	for account, posted := range want {
		if _, err := db.Exec(ctx, `INSERT INTO ledger_program_balances (account, program_code, currency, posted, updated_at)
			VALUES (?, 'P', 'USD', ?, 7)`, account, posted); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for account, posted := range want {
		var got, at int64
		var program string
		if err := db.QueryRow(ctx, `SELECT posted, program_code, updated_at FROM ledger_program_balances WHERE account = ?`,
			account).Scan(&got, &program, &at); err != nil || got != posted || program != "P" || at != 7 {
			t.Fatalf("%s: %d %q %d (%v), want %d", account, got, program, at, err, posted)
		}
	}
}
