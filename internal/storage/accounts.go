package storage

import (
	"context"
	"github.com/verdant-baas/verdant/internal/apperr"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// AccountStore implements account.Store: accounts.
type AccountStore struct {
	db *DB
}

// NewAccountStore returns the account store over db.
func NewAccountStore(db *DB) *AccountStore { return &AccountStore{db: db} }

var _ account.Store = (*AccountStore)(nil)

const accountCols = `id, program_code, status, first_name, last_name, zip_code, customer_id, created_at, updated_at`

func scanAccount(row interface{ Scan(...any) error }) (account.Account, error) {
	var a account.Account
	var created, updated int64
	err := row.Scan(&a.ID, &a.ProgramCode, &a.Status, &a.Holder.FirstName, &a.Holder.LastName,
		&a.Holder.ZipCode, &a.Holder.CustomerID, &created, &updated)
	a.CreatedAt, a.UpdatedAt = Time(created), Time(updated)
	return a, err
}

// accountStatusDetail is the detail of account.opened (From empty) and
// account.statusChanged events.
type accountStatusDetail struct {
	ProgramCode string `json:"programCode"`
	From        string `json:"from,omitempty"`
	To          string `json:"to"`
	Reason      string `json:"reason,omitempty"`
}

// Create implements account.Store.
func (s *AccountStore) Create(ctx context.Context, a account.Account, actor string) (err error) {
	defer apperr.Op(&err, "storage.AccountStore.Create(%s)", a.ID)
	return s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO accounts (`+accountCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.ProgramCode, string(a.Status), a.Holder.FirstName, a.Holder.LastName, a.Holder.ZipCode,
			a.Holder.CustomerID, Micros(a.CreatedAt), Micros(a.UpdatedAt)); err != nil {
			return err
		}
		return tx.audit(ctx, Micros(a.CreatedAt), actor, "account.opened", accountSubject(a.ID),
			accountStatusDetail{ProgramCode: a.ProgramCode, To: string(a.Status)})
	})
}

// Account implements account.Store.
func (s *AccountStore) Account(ctx context.Context, programCode, id string) (_ account.Account, err error) {
	defer apperr.Op(&err, "storage.AccountStore.Account(%s, %s)", programCode, id)
	a, err := scanAccount(s.db.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ? AND program_code = ?`, id, programCode))
	if err != nil {
		return a, notFound(err, account.ErrNotFound.Message)
	}
	return a, nil
}

// SetStatus implements account.Store.
// The account row is read with ForUpdate first (the per-account mutex), so
// the event's from is the status the change replaced. Setting the status
// an account already has changes nothing and writes no event.
func (s *AccountStore) SetStatus(ctx context.Context, programCode, id string, st account.Status, now time.Time, actor, reason string) (_ account.Account, err error) {
	defer apperr.Op(&err, "storage.AccountStore.SetStatus(%s, %s)", programCode, id)
	var a account.Account
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var from string
		if err := tx.QueryRow(ctx, `SELECT status FROM accounts WHERE id = ? AND program_code = ?`+tx.ForUpdate(),
			id, programCode).Scan(&from); err != nil {
			return notFound(err, account.ErrNotFound.Message)
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET status = ?, updated_at = ? WHERE id = ? AND program_code = ?`,
			string(st), Micros(now), id, programCode); err != nil {
			return err
		}
		var err error
		if a, err = scanAccount(tx.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`, id)); err != nil || from == string(st) {
			return err
		}
		if err := tx.audit(ctx, Micros(now), actor, "account.statusChanged", accountSubject(id),
			accountStatusDetail{ProgramCode: programCode, From: from, To: string(st), Reason: reason}); err != nil {
			return err
		}
		return tx.emitAccount(ctx, id, webhook.ChangeStatus, now)
	})
	return a, err
}

// List implements account.Store.
func (s *AccountStore) List(ctx context.Context, programCode, after string, limit int) (_ []account.Account, err error) {
	defer apperr.Op(&err, "storage.AccountStore.List(%s)", programCode)
	rows, err := s.db.Query(ctx, `SELECT `+accountCols+` FROM accounts WHERE program_code = ? AND id > ? ORDER BY id LIMIT ?`,
		programCode, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Profile implements account.Store: the customer profile of the partner
// that owns the program.
func (s *AccountStore) Profile(ctx context.Context, programCode, customerID string) (_ account.Profile, err error) {
	defer apperr.Op(&err, "storage.AccountStore.Profile(%s, %s)", programCode, customerID)
	var p account.Profile
	h := &p.Holder
	err = s.db.QueryRow(ctx, `SELECT c.id, c.first_name, c.last_name, c.zip_code, c.is_active FROM customers c
		JOIN programs p ON p.partner_id = c.partner_id WHERE p.code = ? AND c.id = ?`, programCode, customerID).
		Scan(&h.CustomerID, &h.FirstName, &h.LastName, &h.ZipCode, &p.Active)
	return p, notFound(err, "Customer not found.")
}

// accountSubject is the audit_events subject of an account's events.
func accountSubject(id string) string { return "account:" + id }
