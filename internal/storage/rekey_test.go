package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
	"github.com/verdant-baas/verdant/internal/verification"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// Values sealed with key A, the key rotated to B with A retired: Rekey
// re-seals them all under B, after which B alone opens every one, the
// HMAC indexes still find them, and a second run changes nothing.
//
// Serial: it sets Rekey's package-wide batch size, which must hold until
// both engines' parallel subtests are done and no other test runs Rekey
// meanwhile (parallel tests start only after the serial ones end).
func TestRekeyResealsUnderCurrentKey(t *testing.T) {
	t.Parallel()
	t.Cleanup(storage.SetRekeyBatch(2)) // several batches per table
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		keyA, _ := vault.ParseKey(vault.GenerateKey())
		keyB, _ := vault.ParseKey(vault.GenerateKey())
		vA, err := vaultFor(t, db, keyA)
		if err != nil {
			t.Fatal(err)
		}
		stA := newStores(db, vA)
		creds, prog, acct := seedPlatform(t, stA)
		pid := creds.Partner.ID

		pans := map[string]string{} // card id -> PAN
		cards := &card.Service{Store: stA.Cards, Now: time.Now}
		for range 5 {
			c, pan, err := cards.Issue(ctx, prog.Code, acct.ID, prog.BIN, card.IssueRequest{})
			if err != nil {
				t.Fatal(err)
			}
			pans[c.ID] = pan
		}
		dob := time.Date(1980, 2, 29, 0, 0, 0, 0, time.UTC)
		for _, p := range []customer.Profile{
			{PartnerID: pid, ID: "c1", FirstName: "Jane", LastName: "Doe", Zip: "54321", SSN: "555123456", LastFour: "3456",
				DOB: dob, Status: customer.Verified, Active: true},
			{PartnerID: pid, ID: "c2", FirstName: "Ann", LastName: "Roe", Zip: "54321", Status: customer.Verified, Active: true}, // nothing sealed
			{PartnerID: pid, ID: "c3", FirstName: "Bob", LastName: "Poe", Zip: "54321", SSN: "555654321", Status: customer.Verified, Active: true},
		} {
			p.CreatedAt, p.UpdatedAt = time.Now().UTC(), time.Now().UTC()
			if _, err := stA.Customers.Create(ctx, p, nil); err != nil {
				t.Fatal(err)
			}
		}
		vs := &verification.Service{Store: stA.Verifications, Vault: vA, Now: time.Now}
		var vers []verification.Verification
		for _, h := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			v, err := vs.Create(ctx, verification.Request{ProgramCode: prog.Code, AccountID: acct.ID, EventType: "e",
				ContactType: "email", CommunicationType: "email", Handle: h, FirstName: "A", LastName: "B"})
			if err != nil {
				t.Fatal(err)
			}
			vers = append(vers, v)
		}
		// A verified one keeps no code: only its handle is sealed.
		if _, err := db.Exec(ctx, `UPDATE contact_verifications SET code_sealed = '' WHERE id = ?`, vers[1].ID); err != nil {
			t.Fatal(err)
		}
		cs := &care.Service{Store: stA.Cases, Now: time.Now, Fingerprint: vA.Index}
		cc, err := cs.Create(ctx, pid, prog.Code, "", care.Request{Subject: "s", FirstName: "A", LastName: "B",
			CustomerQuestion: "q", EmailAddress: "j@example.com", AccountIdentifier: acct.ID})
		if err != nil {
			t.Fatal(err)
		}
		ws := &webhook.Service{Store: storage.NewWebhookStore(db), Vault: vA, AllowPrivate: true, Now: time.Now}
		sub, oldSecret, err := ws.Create(ctx, prog.Code, webhook.Input{URL: "http://127.0.0.1:9/h", EventTypes: []string{"transaction"}})
		if err != nil {
			t.Fatal(err)
		}
		_, newSecret, err := ws.Rotate(ctx, prog.Code, sub.ID) // both the secret and the previous one sealed under A
		if err != nil {
			t.Fatal(err)
		}

		vB, err := vaultFor(t, db, keyB, keyA) // rotated: A retired
		if err != nil {
			t.Fatal(err)
		}
		stB := newStores(db, vB)
		// A value written after the rotation is already under B: left alone.
		c6, pan6, err := (&card.Service{Store: stB.Cards, Now: time.Now}).Issue(ctx, prog.Code, acct.ID, prog.BIN, card.IssueRequest{})
		if err != nil {
			t.Fatal(err)
		}
		pans[c6.ID] = pan6

		rep, err := stB.Keys.Rekey(ctx)
		want := storage.RekeyReport{Cards: 5, Customers: 2, Verifications: 3, CareCases: 1, Webhooks: 1, KeyID: vB.KeyID()}
		if err != nil || rep != want {
			t.Fatalf("Rekey = %+v, %v; want %+v", rep, err, want)
		}

		vOnlyB, err := vaultFor(t, db, keyB)
		if err != nil {
			t.Fatal(err)
		}
		stOnlyB := newStores(db, vOnlyB)
		for id, pan := range pans {
			if got, err := stOnlyB.Cards.PAN(ctx, id); err != nil || got != pan {
				t.Fatalf("PAN(%s) with only the new key: %q, %v", id, got, err)
			}
			if found, err := stOnlyB.Cards.ByPAN(ctx, pan); err != nil || len(found) != 1 || found[0].ID != id {
				t.Fatalf("ByPAN after rekey: %+v, %v", found, err)
			}
		}
		if ssn, d, err := stOnlyB.Customers.PII(ctx, pid, "c1"); err != nil || ssn != "555123456" || d != "1980-02-29" {
			t.Fatalf("PII after rekey: %q %q %v", ssn, d, err)
		}
		var l4s, l4k, found string
		if err := db.QueryRow(ctx, `SELECT last4_sealed, last4_key_id FROM customers WHERE partner_id = ? AND id = 'c1'`, pid).Scan(&l4s, &l4k); err != nil {
			t.Fatal(err)
		}
		if l4, err := vOnlyB.Open(l4s, l4k, "ssn-last4:"+pid+"/c1"); err != nil || l4 != "3456" {
			t.Fatalf("last four after rekey: %q, %v", l4, err)
		}
		if err := db.QueryRow(ctx, `SELECT id FROM customers WHERE ssn_index = ?`, vOnlyB.Index("ssn", "555654321")).Scan(&found); err != nil || found != "c3" {
			t.Fatalf("SSN index after rekey: %q, %v", found, err)
		}
		var ssnK, dobK string
		if err := db.QueryRow(ctx, `SELECT ssn_key_id, dob_key_id FROM customers WHERE partner_id = ? AND id = 'c2'`, pid).Scan(&ssnK, &dobK); err != nil || ssnK != "" || dobK != "" {
			t.Fatalf("absent values touched: %q %q %v", ssnK, dobK, err)
		}
		for i, v := range vers {
			got, err := stOnlyB.Verifications.Verification(ctx, prog.Code, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if h, err := vOnlyB.Open(got.HandleSealed, got.KeyID, "contact:"+v.ID); err != nil || vOnlyB.Index("contact", h) != v.HandleIndex {
				t.Fatalf("verification handle after rekey: %q, %v", h, err)
			}
			if i == 1 {
				if got.CodeSealed != "" {
					t.Fatal("a cleared code was re-sealed")
				}
				continue
			}
			if code, err := vOnlyB.Open(got.CodeSealed, got.KeyID, "otp:"+v.ID); err != nil || vOnlyB.Index("otp", v.ID+":"+code) != v.CodeHash {
				t.Fatalf("verification code after rekey: %v", err)
			}
		}
		if got, err := stOnlyB.Cases.ByID(ctx, cc.ID); err != nil || got.Email != "j@example.com" {
			t.Fatalf("care case after rekey: %q, %v", got.Email, err)
		}
		got, err := storage.NewWebhookStore(db).Subscription(ctx, prog.Code, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur, err1 := vOnlyB.Open(got.Secret.Value, got.Secret.KeyID, "webhook-secret:"+sub.ID)
		prev, err2 := vOnlyB.Open(got.Previous.Value, got.Previous.KeyID, "webhook-secret:"+sub.ID)
		if err1 != nil || err2 != nil || cur != newSecret || prev != oldSecret {
			t.Fatalf("webhook secrets after rekey: %v %v", err1, err2)
		}

		if rep, err := stOnlyB.Keys.Rekey(ctx); err != nil || rep != (storage.RekeyReport{KeyID: vB.KeyID()}) {
			t.Fatalf("second Rekey = %+v, %v; want nothing to do", rep, err)
		}

		// Rotated to C with B dropped too soon: Rekey says which row it cannot open.
		keyC, _ := vault.ParseKey(vault.GenerateKey())
		vC, err := vault.New(keyC)
		if err != nil {
			t.Fatal(err)
		}
		_, err = storage.NewVaultStore(db, vC).Rekey(ctx)
		if err == nil || !strings.Contains(err.Error(), "cards ") || !strings.Contains(err.Error(), vB.KeyID()) {
			t.Fatalf("Rekey with the sealing key missing: %v", err)
		}
	})
}
