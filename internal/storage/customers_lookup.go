package storage

import (
	"context"
	"database/sql"
	"errors"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/vault"
	"strings"

	"github.com/verdant-baas/verdant/internal/customer"
)

// LookupStore implements customer.LookupStore: the cardholder lookup and its
// audit log. It holds the vault to find a card by its PAN's keyed index.
type LookupStore struct {
	db    *DB
	vault *vault.Vault
	log   *lookupLog // PostgreSQL's audit rows (customers_lookup_log.go)
}

// NewLookupStore returns the lookup store over db and the vault v.
func NewLookupStore(db *DB, v *vault.Vault) *LookupStore {
	return &LookupStore{db: db, vault: v, log: &lookupLog{}}
}

var _ customer.LookupStore = (*LookupStore)(nil)

var cardholderQuery = `SELECT c.` + strings.ReplaceAll(cardCols, ", ", ", c.") + `, a.status, a.first_name,
	a.last_name, a.zip_code, a.customer_id
	FROM cards c JOIN accounts a ON a.id = c.account_id JOIN programs p ON p.code = c.program_code
	WHERE c.pan_index = ? AND p.partner_id = ? ORDER BY c.issued_at DESC, c.id DESC LIMIT 1`

// CardholderByPAN implements customer.LookupStore in one indexed query:
// card by PAN HMAC, joined to its account and to the program's partner.
func (s *LookupStore) CardholderByPAN(ctx context.Context, partnerID, pan string) (_ customer.Cardholder, err error) {
	defer apperr.Op(&err, "storage.LookupStore.CardholderByPAN(%s)", partnerID)
	row := s.db.hotRow(ctx, cardholderQuery, s.vault.Index("pan", pan), partnerID)
	var ch customer.Cardholder
	var issued, updated int64
	c, a := &ch.Card, &ch.Account
	err = row.Scan(&c.ID, &c.AccountID, &c.ProgramCode, &c.Last4, &c.BIN, &c.ExpiryYear, &c.ExpiryMonth, &c.Type,
		&c.Status, &c.EmbossType, &c.DeliveryMethod, &issued, &updated,
		&a.Status, &a.Holder.FirstName, &a.Holder.LastName, &a.Holder.ZipCode, &a.Holder.CustomerID)
	if errors.Is(err, sql.ErrNoRows) {
		return ch, customer.ErrAccountNotFound
	}
	c.IssuedAt, c.UpdatedAt = Time(issued), Time(updated)
	a.ID, a.ProgramCode = c.AccountID, c.ProgramCode
	return ch, err
}

// qRecordLookup writes one audited lookup.
const qRecordLookup = `INSERT INTO customer_lookups (id, at, partner_id, outcome, card_id, last4,
	store_number, store_name, state_code, latitude, longitude) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Record implements customer.LookupStore: the row is durable before the
// lookup answers. On SQLite concurrent lookups share a commit (GroupTx),
// so many pay for one fsync instead of one each. On PostgreSQL the rows
// of concurrent lookups are written by one statement in a transaction of
// its own (lookupLog): one round trip and one commit for all of them.
func (s *LookupStore) Record(ctx context.Context, r customer.LookupRecord) (err error) {
	defer apperr.Op(&err, "storage.LookupStore.Record(%s)", r.ID)
	args := []any{r.ID, Micros(r.At), r.PartnerID, r.Outcome, r.CardID, r.Last4, r.Retailer.StoreNumber,
		r.Retailer.StoreName, r.Retailer.StateCode, r.Retailer.Latitude, r.Retailer.Longitude}
	if s.db.Engine == Postgres {
		return s.log.record(s.db, args)
	}
	s.db.PrepareWrites(ctx, qRecordLookup)
	return s.db.GroupTx(ctx, func(tx *Tx) error {
		_, err := tx.execCached(ctx, qRecordLookup, args...)
		return err
	})
}

// Lookups answers a partner's audited lookups, newest first.
func (s *LookupStore) Lookups(ctx context.Context, partnerID string, limit int) (_ []customer.LookupRecord, err error) {
	defer apperr.Op(&err, "storage.LookupStore.Lookups(%s)", partnerID)
	rows, err := s.db.Query(ctx, `SELECT id, at, partner_id, outcome, card_id, last4, store_number, store_name,
		state_code, latitude, longitude FROM customer_lookups WHERE partner_id = ? ORDER BY at DESC, id DESC LIMIT ?`, partnerID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []customer.LookupRecord
	for rows.Next() {
		var r customer.LookupRecord
		var at int64
		rt := &r.Retailer
		if err := rows.Scan(&r.ID, &at, &r.PartnerID, &r.Outcome, &r.CardID, &r.Last4, &rt.StoreNumber,
			&rt.StoreName, &rt.StateCode, &rt.Latitude, &rt.Longitude); err != nil {
			return nil, err
		}
		r.At = Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
