package storage_test

import (
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/vault"
)

// stores are the per-domain stores over one database and vault, built the
// way app.New builds them, for tests that cross domains.
type stores struct {
	Vault         *vault.Vault
	Partners      *storage.PartnerStore
	Programs      *storage.ProgramStore
	Accounts      *storage.AccountStore
	Cards         *storage.CardStore
	Customers     *storage.CustomerStore
	Lookups       *storage.LookupStore
	Verifications *storage.VerificationStore
	Cases         *storage.CareStore
	Keys          *storage.VaultStore
	Ledgers       *storage.LedgerStore
}

func newStores(db *storage.DB, v *vault.Vault) *stores {
	return &stores{
		Vault:         v,
		Partners:      storage.NewPartnerStore(db),
		Programs:      storage.NewProgramStore(db),
		Accounts:      storage.NewAccountStore(db),
		Cards:         storage.NewCardStore(db, v),
		Customers:     storage.NewCustomerStore(db, v),
		Lookups:       storage.NewLookupStore(db, v),
		Verifications: storage.NewVerificationStore(db),
		Cases:         storage.NewCareStore(db, v),
		Keys:          storage.NewVaultStore(db, v),
		Ledgers:       storage.NewLedgerStore(db),
	}
}
