package storage_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// Migration 00018 starts the daily load limit's running totals from what
// is stored: loads posted and not voided count on their day, approved
// validations that no load committed (from the last day of activity) hold
// until the end of their day. Its statements run here on rows written as
// an older verdant wrote them.
func TestLimitTotalsBackfill(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("migrations/00018_flat_cost.sql")
	if err != nil {
		t.Fatal(err)
	}
	var backfill []string
	for _, stmt := range strings.Split(string(src), ";") {
		var lines []string
		for _, l := range strings.Split(stmt, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		if s := strings.TrimSpace(strings.Join(lines, "\n")); strings.HasPrefix(s, "INSERT") || strings.HasPrefix(s, "UPDATE") {
			backfill = append(backfill, s)
		}
	}
	if len(backfill) != 3 {
		t.Fatalf("found %d backfill statements in 00018, want 3", len(backfill))
	}
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		day := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
		at := func(d time.Duration) int64 { return day.Add(d).UnixMicro() }
		validation := func(id, account string, amount int64, approved bool, when int64) {
			if _, err := db.Exec(ctx, `INSERT INTO retail_validations (id, merchant_id, request_id, partner_id, account_id, amount,
				response_code, response_description, response_body, fingerprint, approved, created_at)
				VALUES (?, 'M1', ?, 'P1', ?, ?, 0, '', '{}', '', ?, ?)`, id, id, account, amount, approved, when); err != nil {
				t.Fatal(err)
			}
		}
		load := func(id, ref, account string, amount int64, status string, when int64) {
			if _, err := db.Exec(ctx, `INSERT INTO retail_loads (id, kind, merchant_id, request_id, partner_id, store_id, user_id,
				register_id, request_date_time, ref_id, account_id, amount, status, posting_id, response_code, response_description,
				response_body, fingerprint, created_at, updated_at)
				VALUES (?, 'load', 'M1', ?, 'P1', '', '', '', '', ?, ?, ?, ?, '', 0, '', '{}', '', ?, ?)`,
				id, id, ref, account, amount, status, when, when); err != nil {
				t.Fatal(err)
			}
		}
		validation("v1", "A", 10000, true, at(10*time.Hour)) // uncommitted: holds
		validation("v2", "A", 20000, true, at(10*time.Hour)) // committed and posted
		load("l2", "v2", "A", 20000, "posted", at(10*time.Hour+time.Minute))
		validation("v3", "A", 30000, true, at(11*time.Hour)) // committed, then voided
		load("l3", "v3", "A", 30000, "voided", at(11*time.Hour+time.Minute))
		validation("v4", "A", 40000, true, at(-40*time.Hour)) // two days before: counts on no day to come
		validation("v5", "A", 50000, false, at(12*time.Hour)) // refused
		validation("v6", "A", 6000, true, at(13*time.Hour))   // its load was refused: still holds
		load("l6", "v6", "A", 6000, "rejected", at(13*time.Hour+time.Minute))
		validation("v7", "B", 7000, true, at(-2*time.Hour)) // the day before, another account
		load("l8", "v8", "B", 8000, "posted", at(-time.Hour))
		for _, q := range backfill {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
		}
		end := day.Add(24 * time.Hour).UnixMicro()
		want := map[[3]int64]int64{
			{0, day.UnixMicro(), 1<<63 - 1}:                            20000, // A today: l2
			{0, day.UnixMicro(), end}:                                  16000, // A today: v1, v6
			{1, day.Add(-24 * time.Hour).UnixMicro(), 1<<63 - 1}:       8000,  // B yesterday: l8
			{1, day.Add(-24 * time.Hour).UnixMicro(), day.UnixMicro()}: 7000,
		}
		rows, err := db.Query(ctx, `SELECT account_id, day, counts_until, amount FROM retail_limit_use`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[[3]int64]int64{}
		for rows.Next() {
			var acct string
			var k [3]int64
			var amount int64
			if err := rows.Scan(&acct, &k[1], &k[2], &amount); err != nil {
				t.Fatal(err)
			}
			if acct == "B" {
				k[0] = 1
			}
			got[k] = amount
		}
		if len(got) != len(want) {
			t.Fatalf("totals %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("totals %v, want %v", got, want)
			}
		}
	})
}
