package console

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/backoffice"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
)

// Store is the console's reads that no domain service answers: across
// domains (queue counts, the charts' daily figures, account search) or
// shaped for a page (an account by id alone, keyset pages of ledger
// entries, reviews, partners and programs). The console owns this
// interface; storage.ConsoleStore implements it and app.wireConsole
// passes it, so the console never imports storage.
type Store interface {
	// Counts answers what waits in each queue.
	Counts(ctx context.Context) (backoffice.QueueCounts, error)
	// Daily answers each UTC day's figures since since, keyed by the
	// day's start.
	Daily(ctx context.Context, since time.Time) (map[time.Time]*backoffice.Day, error)
	// FindAccounts answers accounts matching q, across programs, with
	// their cards.
	FindAccounts(ctx context.Context, q backoffice.AccountSearch) ([]backoffice.AccountHit, error)
	// Account answers an account by id alone.
	Account(ctx context.Context, id string) (account.Account, error)
	// Entries answers an account's ledger entries newest first, strictly
	// older than before when it is set.
	Entries(ctx context.Context, accountID string, before *backoffice.Cursor, limit int) ([]ledger.PostedEntry, error)
	// Review answers a sanctions review by id.
	Review(ctx context.Context, id string) (customer.Review, error)
	// Reviews answers reviews with a status, oldest first, after a cursor.
	Reviews(ctx context.Context, status string, after *backoffice.Cursor, limit int) ([]customer.Review, error)
	// Partners answers partners with id > after, in id order.
	Partners(ctx context.Context, after string, limit int) ([]partner.Partner, error)
	// Programs answers programs (of one partner when partnerID is set)
	// with code > after, in code order.
	Programs(ctx context.Context, partnerID, after string, limit int) ([]program.Program, error)
}

// Pinger answers whether the database answers, for the overview's health
// line (storage.DB implements it).
type Pinger interface {
	Ping(ctx context.Context) error
}
