package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// After a rotation (A retired, B current) `verdant rekey` re-seals the
// values sealed with A, so B alone opens them; a second run reports zero.
func TestRekeyCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storagetest.DSNs(t)["sqlite"]
	textA, textB := vault.GenerateKey(), vault.GenerateKey()
	keyA, _ := vault.ParseKey(textA)
	keyB, _ := vault.ParseKey(textB)
	a, err := app.New(ctx, app.Config{DB: dsn, DataKey: keyA, TokenTTL: time.Hour, Now: time.Now}, app.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := a.Partners.Create(ctx, "P")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Programs.Create(ctx, program.Program{Code: "CLI", PartnerID: cr.Partner.ID, Name: "CLI", BIN: "499998"}); err != nil {
		t.Fatal(err)
	}
	acct, err := a.Accounts.Open(ctx, "CLI", account.Holder{FirstName: "A", LastName: "B", ZipCode: "91107"}, "")
	if err != nil {
		t.Fatal(err)
	}
	c, pan, err := a.Cards.Issue(ctx, "CLI", acct.ID, "499998", card.IssueRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Customers.Store.Create(ctx, customer.Profile{PartnerID: cr.Partner.ID, ID: "c1", FirstName: "Jane", LastName: "Doe",
		Zip: "54321", SSN: "555123456", LastFour: "3456", DOB: time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC),
		Status: customer.Verified, Active: true, CreatedAt: time.Now(), UpdatedAt: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	a.Close()

	env := map[string]string{"VERDANT_DATA_KEY": textB, "VERDANT_DATA_KEY_RETIRED": textA}
	rekey := func() (map[string]any, error) {
		var out bytes.Buffer
		err := run(ctx, []string{"rekey", "--db", dsn, "--data-dir", t.TempDir()}, func(k string) string { return env[k] }, &out)
		var rep map[string]any
		if err == nil {
			err = json.Unmarshal(out.Bytes(), &rep)
		}
		return rep, err
	}
	rep, err := rekey()
	if err != nil || rep["cards"] != 1.0 || rep["customers"] != 1.0 || rep["keyId"] == "" {
		t.Fatalf("rekey: %v, %v", rep, err)
	}
	if rep, err := rekey(); err != nil || rep["cards"] != 0.0 || rep["customers"] != 0.0 {
		t.Fatalf("second rekey: %v, %v", rep, err)
	}

	b, err := app.New(ctx, app.Config{DB: dsn, DataKey: keyB, TokenTTL: time.Hour, Now: time.Now}, app.Discard) // A dropped
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got, err := storage.NewCardStore(b.DB, b.Vault).PAN(ctx, c.ID); err != nil || got != pan || rep["keyId"] != b.Vault.KeyID() {
		t.Fatalf("PAN with only the new key: %q, %v", got, err)
	}
	if ssn, dob, err := storage.NewCustomerStore(b.DB, b.Vault).PII(ctx, cr.Partner.ID, "c1"); err != nil || ssn != "555123456" || dob != "1980-01-02" {
		t.Fatalf("PII with only the new key: %q %q %v", ssn, dob, err)
	}
}
