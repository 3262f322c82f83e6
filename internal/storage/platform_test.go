package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

func newStore(t testing.TB, db *storage.DB) *stores {
	key, _ := vault.ParseKey(vault.GenerateKey())
	v, err := vault.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return newStores(db, v)
}

// seedPlatform makes a partner, program and account through the services.
func seedPlatform(t testing.TB, st *stores) (partner.Credentials, program.Program, account.Account) {
	t.Helper()
	ctx := context.Background()
	ps := &partner.Service{Store: st.Partners, Hasher: st.Vault, Now: time.Now, Tokens: &partner.Tokens{Key: st.Vault.TokenKey(), TTL: time.Hour}}
	creds, err := ps.Create(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := (&program.Service{Store: st.Programs, Now: time.Now}).Create(ctx, program.Program{Code: "ACME", PartnerID: creds.Partner.ID, Name: "Acme", BIN: "499998"})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := (&account.Service{Store: st.Accounts, Now: time.Now}).Open(ctx, prog.Code, account.Holder{FirstName: "A", LastName: "B", ZipCode: "10001"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return creds, prog, acct
}

func TestCardPANSealedAndFoundByIndex(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		_, prog, acct := seedPlatform(t, st)
		cards := &card.Service{Store: st.Cards, Now: time.Now}
		c1, pan, err := cards.Issue(ctx, prog.Code, acct.ID, prog.BIN, card.IssueRequest{})
		if err != nil {
			t.Fatal(err)
		}
		// A reissue with the same PAN: both are found, newest first.
		time.Sleep(2 * time.Millisecond)
		c2, _, err := cards.Issue(ctx, prog.Code, acct.ID, prog.BIN, card.IssueRequest{PAN: pan, EmbossType: "REI"})
		if err != nil {
			t.Fatal(err)
		}
		found, err := st.Cards.ByPAN(ctx, pan)
		if err != nil || len(found) != 2 || found[0].ID != c2.ID || found[1].ID != c1.ID {
			t.Fatalf("ByPAN = %+v, %v", found, err)
		}
		var raw string
		if err := db.QueryRow(ctx, `SELECT pan_sealed || pan_index || last4 || bin FROM cards WHERE id = ?`, c1.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, pan) || strings.Contains(raw, pan[6:12]) {
			t.Fatal("PAN stored in plaintext")
		}
		got, err := st.Cards.PAN(ctx, c1.ID)
		if err != nil || got != pan {
			t.Fatalf("PAN = %q, %v", got, err)
		}
		if none, _ := st.Cards.ByPAN(ctx, "4111111111111111"); len(none) != 0 {
			t.Fatalf("unknown PAN found %d cards", len(none))
		}
	})
}

func TestPartnerSecretsHashedAndRotated(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		creds, _, _ := seedPlatform(t, st)
		var hash string
		if err := db.QueryRow(ctx, `SELECT secret_hash FROM partners WHERE id = ?`, creds.Partner.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(hash, creds.ClientSecret) || hash == creds.ClientSecret {
			t.Fatal("client secret stored in plaintext")
		}
		ps := &partner.Service{Store: st.Partners, Hasher: st.Vault, Now: time.Now, Tokens: &partner.Tokens{Key: st.Vault.TokenKey(), TTL: time.Hour}}
		if _, err := ps.Authenticate(ctx, creds.Partner.ClientID, creds.ClientSecret); err != nil {
			t.Fatal(err)
		}
		rot, err := ps.RotateSecret(ctx, creds.Partner.ID)
		if err != nil || rot.Partner.SecretVersion != 2 {
			t.Fatalf("rotate = %+v, %v", rot.Partner, err)
		}
		if _, err := ps.Authenticate(ctx, creds.Partner.ClientID, creds.ClientSecret); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("old secret: %v", err)
		}
		if _, err := ps.Authenticate(ctx, creds.Partner.ClientID, rot.ClientSecret); err != nil {
			t.Fatalf("new secret: %v", err)
		}
	})
}

func TestProgramsAndAccounts(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		creds, prog, acct := seedPlatform(t, st)
		ps := &program.Service{Store: st.Programs, Now: time.Now}
		if _, err := ps.ForPartner(ctx, "someone-else", prog.Code); err != program.ErrUnknownProgram {
			t.Fatalf("other partner: %v", err)
		}
		if _, err := ps.ForPartner(ctx, creds.Partner.ID, prog.Code); err != nil {
			t.Fatal(err)
		}
		feats := []string{"ucb2", "NB100", "nb100"}
		p, err := ps.Update(ctx, prog.Code, program.Patch{Features: &feats})
		if err != nil || strings.Join(p.Features, ",") != "UCB2,NB100" {
			t.Fatalf("update = %v, %v", p.Features, err)
		}
		as := &account.Service{Store: st.Accounts, Now: time.Now}
		if _, err := as.SetStatus(ctx, prog.Code, acct.ID, account.Closed, ""); err != nil {
			t.Fatal(err)
		}
		if a, _ := as.Get(ctx, prog.Code, acct.ID); a.Status != account.Closed {
			t.Fatalf("status = %s", a.Status)
		}
		if _, err := as.Get(ctx, "OTHER", acct.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("account in another program: %v", err)
		}
	})
}
