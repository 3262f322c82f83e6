package storage

import (
	"context"
	"strings"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/backoffice"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/vault"
)

// ConsoleStore implements console.Store, which its consumer declares:
// the back-office console's reads that no domain service has (queue
// counts, account search across programs, an account's ledger entries by
// cursor), answered in internal/backoffice types. Every query is served by
// an index (migration 00011); none scans a table per page view. It holds
// the vault for the keyed index a card number is found by.
type ConsoleStore struct {
	db    *DB
	vault *vault.Vault
}

// NewConsoleStore returns the console store over db and the vault v.
func NewConsoleStore(db *DB, v *vault.Vault) *ConsoleStore { return &ConsoleStore{db: db, vault: v} }

// Counts answers the queue counts.
func (s *ConsoleStore) Counts(ctx context.Context) (_ backoffice.QueueCounts, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Counts")
	c := backoffice.QueueCounts{OpenCasesByTier: map[int]int{}, DeadByTopic: map[string]int{}}
	var oldest *int64
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*), MIN(created_at) FROM sanctions_reviews WHERE status = 'pending'`).
		Scan(&c.ReviewsPending, &oldest); err != nil {
		return c, err
	}
	if oldest != nil {
		c.OldestReview = Time(*oldest)
	}
	rows, err := s.db.Query(ctx, `SELECT tier, COUNT(*) FROM care_cases WHERE status IN ('open', 'inProgress', 'waitingOnCustomer') GROUP BY tier`)
	if err != nil {
		return c, err
	}
	for rows.Next() {
		var tier, n int
		if err := rows.Scan(&tier, &n); err != nil {
			rows.Close()
			return c, err
		}
		c.OpenCasesByTier[tier] = n
	}
	rows.Close()
	if err := s.webhookCounts(ctx, &c); err != nil {
		return c, err
	}
	if rows, err = s.db.Query(ctx, `SELECT topic, COUNT(*) FROM outbox WHERE status = 'dead' GROUP BY topic`); err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var topic string
		var n int
		if err := rows.Scan(&topic, &n); err != nil {
			return c, err
		}
		c.DeadByTopic[topic] = n
		c.DeadLetters += n
	}
	return c, rows.Err()
}

// webhookCounts counts failing webhook deliveries through partial
// indexes: pending rows (webhook_deliveries_due) and failed ones
// (webhook_deliveries_failed, migration 00011); subscriptions are few.
func (s *ConsoleStore) webhookCounts(ctx context.Context, c *backoffice.QueueCounts) error {
	return s.db.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND attempts > 0),
		(SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'failed'),
		(SELECT COUNT(*) FROM webhook_subscriptions WHERE failing_since <> 0 OR disabled_reason <> '')`).
		Scan(&c.WebhooksRetrying, &c.WebhooksFailed, &c.WebhookSubsFailing)
}

// maxHits bounds a search's answer (a BIN + last four may match many).
const maxHits = 50

// FindAccounts answers accounts matching q, across programs.
func (s *ConsoleStore) FindAccounts(ctx context.Context, q backoffice.AccountSearch) (_ []backoffice.AccountHit, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.FindAccounts")
	var where string
	var args []any
	switch {
	case q.ID != "":
		where, args = `a.id = ?`, []any{strings.ToLower(q.ID)}
	case q.CustomerID != "":
		where, args = `a.customer_id = ?`, []any{q.CustomerID}
	case q.PAN != "":
		where, args = `a.id IN (SELECT account_id FROM cards WHERE pan_index = ?)`, []any{s.vault.Index("pan", q.PAN)}
	case q.BIN != "" && q.Last4 != "":
		where, args = `a.id IN (SELECT account_id FROM cards WHERE bin = ? AND last4 = ?)`, []any{q.BIN, q.Last4}
	default:
		return nil, apperr.E(apperr.Invalid, "give an account id, a customer id, a card number, or a BIN with the last four digits")
	}
	rows, err := s.db.Query(ctx, `SELECT a.id, a.program_code, a.status, a.first_name, a.last_name, a.zip_code, a.customer_id,
		a.created_at, a.updated_at FROM accounts a WHERE `+where+` ORDER BY a.id LIMIT ?`, append(args, maxHits)...)
	if err != nil {
		return nil, err
	}
	var out []backoffice.AccountHit
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, backoffice.AccountHit{Account: a})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		cs, err := s.accountCards(ctx, out[i].Account.ID)
		if err != nil {
			return nil, err
		}
		out[i].Cards = cs
	}
	return out, nil
}

func (s *ConsoleStore) accountCards(ctx context.Context, accountID string) ([]card.Card, error) {
	rows, err := s.db.Query(ctx, `SELECT `+cardCols+` FROM cards WHERE account_id = ? ORDER BY issued_at DESC, id DESC`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []card.Card
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Account answers an account by id alone (the console's pages are not
// under a program).
func (s *ConsoleStore) Account(ctx context.Context, id string) (_ account.Account, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Account(%s)", id)
	a, err := scanAccount(s.db.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`, id))
	return a, notFound(err, account.ErrNotFound.Message)
}

// Entries answers an account's ledger entries newest first, strictly
// older than before when it is set: a keyset page served by the
// (account, posted_at, id) index whatever the account's size.
func (s *ConsoleStore) Entries(ctx context.Context, accountID string, before *backoffice.Cursor, limit int) (_ []ledger.PostedEntry, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Entries(%s)", accountID)
	q := `SELECT e.id, e.posting_id, a.adjustment_id, e.account, e.currency, e.amount, e.posted_at
		FROM ledger_entries e JOIN adjustments a ON a.id = e.posting_id WHERE e.account = ?`
	args := []any{accountID}
	if before != nil {
		q += ` AND (e.posted_at < ? OR (e.posted_at = ? AND e.id < ?))`
		at := Micros(before.At)
		args = append(args, at, at, before.ID)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY e.posted_at DESC, e.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ledger.PostedEntry{}
	for rows.Next() {
		var e ledger.PostedEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.PostingID, &e.AdjustmentID, &e.Account, &e.Currency, &e.Amount, &at); err != nil {
			return nil, err
		}
		e.PostedAt = Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Review answers a sanctions review by id.
func (s *ConsoleStore) Review(ctx context.Context, id string) (_ customer.Review, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Review(%s)", id)
	r, err := scanReview(s.db.QueryRow(ctx, `SELECT `+reviewCols+` FROM sanctions_reviews WHERE id = ?`, id))
	return r, notFound(err, "review not found")
}

// Reviews answers reviews with a status, oldest first, after a cursor
// (the last review's created_at and id).
func (s *ConsoleStore) Reviews(ctx context.Context, status string, after *backoffice.Cursor, limit int) (_ []customer.Review, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Reviews(%s)", status)
	q, args := `SELECT `+reviewCols+` FROM sanctions_reviews WHERE status = ?`, []any{status}
	if after != nil {
		q += ` AND (created_at > ? OR (created_at = ? AND id > ?))`
		at := Micros(after.At)
		args = append(args, at, at, after.ID)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY created_at, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []customer.Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
