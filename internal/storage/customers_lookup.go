package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/verdant-baas/verdant/internal/customer"
)

var _ customer.LookupStore = (*Store)(nil)

// lookupState is the customer lookup's per-store state: the cardholder
// query prepared once (the hot path of a 500 requests/s lookup: preparing
// it on every call cost as much as running it on SQLite), and the group
// commit of the audit rows.
type lookupState struct {
	mu   sync.Mutex
	stmt atomic.Pointer[sql.Stmt] // nil until prepared; a failed prepare is retried next call
	log  groupCommit
}

func (s *Store) cardholderStmt(ctx context.Context) (*sql.Stmt, error) {
	st := &s.lookups
	if stmt := st.stmt.Load(); stmt != nil {
		return stmt, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if stmt := st.stmt.Load(); stmt != nil {
		return stmt, nil
	}
	stmt, err := s.r.PrepareContext(context.WithoutCancel(ctx), s.Rebind(cardholderQuery))
	if err != nil {
		return nil, err
	}
	st.stmt.Store(stmt)
	return stmt, nil
}

var cardholderQuery = `SELECT c.` + strings.ReplaceAll(cardCols, ", ", ", c.") + `, a.status, a.first_name,
	a.last_name, a.zip_code, a.customer_id
	FROM cards c JOIN accounts a ON a.id = c.account_id JOIN programs p ON p.code = c.program_code
	WHERE c.pan_index = ? AND p.partner_id = ? ORDER BY c.issued_at DESC, c.id DESC LIMIT 1`

// CardholderByPAN implements customer.LookupStore in one indexed query:
// card by PAN HMAC, joined to its account and to the program's partner.
func (s *Store) CardholderByPAN(ctx context.Context, partnerID, pan string) (customer.Cardholder, error) {
	stmt, err := s.cardholderStmt(ctx)
	if err != nil {
		return customer.Cardholder{}, err
	}
	row := stmt.QueryRowContext(ctx, s.Vault.Index("pan", pan), partnerID)
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

// RecordLookup implements customer.LookupStore. Concurrent lookups share
// one transaction (group commit): the row is durable before the lookup
// answers, but many lookups pay for one commit instead of one each.
func (s *Store) RecordLookup(ctx context.Context, r customer.LookupRecord) error {
	return s.lookups.log.submit(r, func(batch []customer.LookupRecord) error {
		// The batch outlives any one request: its own deadline, not a caller's.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return s.Tx(ctx, func(tx *Tx) error {
			for i := 0; i < len(batch); i += bulkBatch {
				part := batch[i:min(i+bulkBatch, len(batch))]
				args := make([]any, 0, len(part)*11)
				for _, r := range part {
					args = append(args, r.ID, Micros(r.At), r.PartnerID, r.Outcome, r.CardID, r.Last4, r.Retailer.StoreNumber,
						r.Retailer.StoreName, r.Retailer.StateCode, r.Retailer.Latitude, r.Retailer.Longitude)
				}
				if _, err := tx.Exec(ctx, `INSERT INTO customer_lookups (id, at, partner_id, outcome, card_id, last4,
					store_number, store_name, state_code, latitude, longitude) VALUES `+placeholders(len(part), 11), args...); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// groupCommit batches rows written concurrently: the first writer becomes
// the leader and commits everything queued; writers arriving meanwhile
// wait for the next commit, which a new leader makes.
type groupCommit struct {
	mu       sync.Mutex
	queue    []pendingLookup
	flushing bool
}

type pendingLookup struct {
	rec  customer.LookupRecord
	done chan error
}

func (g *groupCommit) submit(r customer.LookupRecord, flush func([]customer.LookupRecord) error) error {
	p := pendingLookup{rec: r, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	if !g.flushing {
		g.flushing = true
		go g.lead(flush)
	}
	g.mu.Unlock()
	return <-p.done
}

// lead commits batches until the queue is empty.
func (g *groupCommit) lead(flush func([]customer.LookupRecord) error) {
	for {
		g.mu.Lock()
		batch := g.queue
		g.queue = nil
		if len(batch) == 0 {
			g.flushing = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		recs := make([]customer.LookupRecord, len(batch))
		for i, p := range batch {
			recs[i] = p.rec
		}
		err := flush(recs)
		for _, p := range batch {
			p.done <- err
		}
	}
}

// CustomerLookups answers a partner's audited lookups, newest first.
func (s *Store) CustomerLookups(ctx context.Context, partnerID string, limit int) ([]customer.LookupRecord, error) {
	rows, err := s.Query(ctx, `SELECT id, at, partner_id, outcome, card_id, last4, store_number, store_name,
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
