package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

func vaultFor(t *testing.T, db *storage.DB, keys ...[]byte) (*vault.Vault, error) {
	t.Helper()
	v, err := vault.New(keys[0], keys[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return v, db.LoadVaultSecrets(context.Background(), v, time.Now())
}

// Rotating the master data key (the old one moved to the retired list)
// keeps every HMAC index, client-secret hash and issued token valid, and
// re-seals the stored secrets under the new key.
func TestMasterKeyRotationKeepsIndexesAndTokens(t *testing.T) {
	t.Parallel()
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
		_, pan, err := (&card.Service{Store: stA.Cards, Now: time.Now}).Issue(ctx, prog.Code, acct.ID, prog.BIN, card.IssueRequest{})
		if err != nil {
			t.Fatal(err)
		}
		tokA := (&partner.Tokens{Key: vA.TokenKey(), TTL: time.Hour}).Issue(creds.Partner, time.Now()).AccessToken

		vB, err := vaultFor(t, db, keyB, keyA) // rotated: A retired
		if err != nil {
			t.Fatal(err)
		}
		stB := newStores(db, vB)
		if found, err := stB.Cards.ByPAN(ctx, pan); err != nil || len(found) != 1 {
			t.Fatalf("card lookup after rotation: %d cards, %v", len(found), err)
		}
		ps := &partner.Service{Store: stB.Partners, Hasher: vB, Now: time.Now, Tokens: &partner.Tokens{Key: vB.TokenKey(), TTL: time.Hour}}
		if _, err := ps.Authenticate(ctx, creds.Partner.ClientID, creds.ClientSecret); err != nil {
			t.Fatalf("partner locked out after rotation: %v", err)
		}
		if _, err := ps.Tokens.Verify(tokA, time.Now()); err != nil {
			t.Fatalf("token issued before rotation: %v", err)
		}
		var kid string
		if err := db.QueryRow(ctx, `SELECT key_id FROM vault_secrets WHERE name = 'index'`).Scan(&kid); err != nil || kid != vB.KeyID() {
			t.Fatalf("stored secret sealed by %q, want the new key %q (%v)", kid, vB.KeyID(), err)
		}
		// Re-sealed: the retired key is no longer needed for the secrets.
		vOnlyB, err := vaultFor(t, db, keyB)
		if err != nil || vOnlyB.Index("pan", pan) != vA.Index("pan", pan) {
			t.Fatalf("after re-seal without the old key: %v", err)
		}
		// A key that never sealed them cannot open them, and says which is missing.
		keyC, _ := vault.ParseKey(vault.GenerateKey())
		if _, err := vaultFor(t, db, keyC); err == nil || !strings.Contains(err.Error(), vB.KeyID()) {
			t.Fatalf("unknown key: %v", err)
		}
	})
}
