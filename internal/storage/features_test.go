package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

const featAccount = "0b7b3a3e-8f4e-4b8e-9d7a-2f4d1c5e6a7b"

// seedFeatureAccount inserts a partner, program and account.
func seedFeatureAccount(t testing.TB, db *storage.DB) *storage.FeatureStore {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO partners (id, name, client_id, secret_hash, created_at, updated_at) VALUES ('p1', 'P', 'c1', 'h', 1, 1)`,
		`INSERT INTO programs (code, partner_id, name, bin, created_at, updated_at) VALUES ('PROG', 'p1', 'P', '499998', 1, 1)`,
		`INSERT INTO accounts (id, program_code, status, first_name, last_name, zip_code, created_at, updated_at)
			VALUES ('` + featAccount + `', 'PROG', 'normal', 'Jack', 'White', '91107', 1, 1)`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return storage.NewFeatureStore(db)
}

func TestFeatureStore(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := seedFeatureAccount(t, db)
		svc := &feature.Service{Store: st, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC) }}
		all := feature.Config{Offered: feature.IDs()}
		if err := svc.Set(ctx, all, featAccount, "nb100", true, "p1"); err != nil {
			t.Fatal(err)
		}
		// The ledger's overdraft rule reads this row.
		var at int64
		if err := db.QueryRow(ctx, `SELECT enrolled_at FROM account_features WHERE account_id = ? AND feature = 'NB100'`,
			featAccount).Scan(&at); err != nil || at != 1767323045000006 {
			t.Fatalf("NB100 row: %d, %v", at, err)
		}
		in := []feature.TermsInput{{ID: "Marketing", Accepted: true, At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}
		if err := svc.SetTerms(ctx, featAccount, in, "p1"); err != nil {
			t.Fatal(err)
		}
		in[0].ID, in[0].Accepted = "MARKETING", false // same terms, other spelling: one record
		if err := svc.SetTerms(ctx, featAccount, in, "p1"); err != nil {
			t.Fatal(err)
		}
		s, err := svc.State(ctx, featAccount)
		if err != nil || s.Status != account.Normal || len(s.Terms) != 1 || s.Terms[0].ID != "Marketing" ||
			s.Terms[0].Accepted || s.Terms[0].Actor != "p1" || !slices.Equal(s.FeatureIDs(), []string{"NB100"}) {
			t.Fatalf("state = %+v, %v", s, err)
		}
		// A refused decision writes nothing.
		boom := errors.New("refused")
		err = st.Update(ctx, featAccount, "p1", time.Now(), func(feature.State) (feature.Change, error) {
			return feature.Change{Enrol: []string{"UCB1"}}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if s, _ := svc.State(ctx, featAccount); !slices.Equal(s.FeatureIDs(), []string{"NB100"}) {
			t.Fatalf("refused change was written: %+v", s.Features)
		}
		if _, err := svc.State(ctx, "5f0c6f4e-0000-4000-8000-000000000000"); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("unknown account: %v", err)
		}
		err = svc.Set(ctx, all, "5f0c6f4e-0000-4000-8000-000000000000", "UCB1", true, "p1")
		if apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("enrol unknown account: %v", err)
		}
		h, err := svc.History(ctx, featAccount, 10)
		if err != nil || len(h) != 3 || h[2].Action != feature.ActionEnrolled || h[2].Feature != "NB100" {
			t.Fatalf("history = %+v, %v", h, err)
		}
	})
}

// BenchmarkFeatureMoveTier moves one account between two UCB tiers: one
// locked transaction with a delete, an insert and two audit rows each.
// SQLite on a temporary file (go test -bench FeatureMoveTier -run XXX).
func BenchmarkFeatureMoveTier(b *testing.B) {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc := &feature.Service{Store: seedFeatureAccount(b, db), Now: time.Now}
	all := feature.Config{Offered: feature.IDs()}
	tiers := []string{"UCB1", "UCB2"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := svc.Set(ctx, all, featAccount, tiers[i%2], true, "p1"); err != nil {
			b.Fatal(err)
		}
	}
}
