package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

func TestReconAndLedgerVerifyCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storagetest.DSNs(t)["sqlite"]
	keyText := vault.GenerateKey()
	key, _ := vault.ParseKey(keyText)
	a, err := app.New(ctx, app.Config{DB: dsn, DataKey: key, TokenTTL: time.Hour, Now: time.Now}, app.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := a.Partners.Create(ctx, "P")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Programs.Create(ctx, program.Program{Code: "CLI", PartnerID: cr.Partner.ID, Name: "CLI", BIN: "499998",
		AdjustmentTypes: []string{"promo"}}); err != nil {
		t.Fatal(err)
	}
	acct, err := a.Accounts.Open(ctx, "CLI", account.Holder{FirstName: "A", LastName: "B", ZipCode: "91107"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ledger.Post(ctx, ledger.Request{ProgramCode: "CLI", AccountID: acct.ID, AdjustmentID: uuid.NewString(),
		Type: "promo", Amount: 1234, Fee: 34, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	env := map[string]string{"VERDANT_DATA_KEY": keyText}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append(args, "--db", dsn, "--data-dir", t.TempDir()), getenv, &out)
		return out.String(), err
	}
	today := time.Now().UTC().Format(time.DateOnly)
	out, err := cli("recon", "--program", "CLI", "--date", today)
	var rc struct {
		Totals struct {
			Net     string
			TiesOut bool
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &rc) != nil || rc.Totals.Net != "12.00" || !rc.Totals.TiesOut {
		t.Fatalf("recon: %v\n%s", err, out)
	}
	if out, err := cli("recon", "--program", "CLI", "--date", today, "--format", "csv"); err != nil || !strings.HasPrefix(out, "recordType,") {
		t.Fatalf("recon csv: %v\n%s", err, out)
	}
	if out, err := cli("ledger", "verify"); err != nil || !strings.Contains(out, "ledger OK") {
		t.Fatalf("verify: %v\n%s", err, out)
	}

	// Tamper with a balance: verify must fail and say where.
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `UPDATE ledger_balances SET posted = posted + 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err = cli("ledger", "verify")
	if err == nil || !strings.Contains(out, acct.ID) {
		t.Fatalf("verify of a tampered ledger: %v\n%s", err, out)
	}
}
