package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/retail"
)

// reloadTargetCols reads an account, its program's partner and currency,
// the program's reload settings and whether the asking partner (the first
// parameter) is among its retail partners (accounts a, programs p,
// program_reload r).
const reloadTargetCols = `SELECT a.id, a.program_code, a.status, a.first_name, a.last_name, a.zip_code, a.customer_id,
	a.created_at, a.updated_at, p.partner_id, p.currency, r.program_code, r.enabled, r.reload_fee, r.min_load_amount,
	r.max_load_amount, r.daily_load_limit, r.card_type,
	COALESCE(r.retail_open, FALSE) OR EXISTS (SELECT 1 FROM program_reload_partners x
		WHERE x.program_code = a.program_code AND x.partner_id = ?)`

// qTarget is Target's query (partner, account).
const qTarget = reloadTargetCols + ` FROM accounts a JOIN programs p ON p.code = a.program_code
	LEFT JOIN program_reload r ON r.program_code = a.program_code WHERE a.id = ?`

// Target implements retail.Store.
func (s *RetailStore) Target(ctx context.Context, partnerID, accountID string) (_ retail.Target, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Target(%s)", accountID)
	return scanTarget(s.db.hotRow(ctx, qTarget, partnerID, accountID))
}

func scanTarget(row interface{ Scan(...any) error }, extra ...any) (retail.Target, error) {
	var t retail.Target
	a := &t.Account
	var created, updated int64
	var rcode, ctype sql.NullString
	var enabled sql.NullBool
	var fee, lo, hi, daily sql.NullInt64
	err := row.Scan(append([]any{&a.ID, &a.ProgramCode, &a.Status, &a.Holder.FirstName, &a.Holder.LastName,
		&a.Holder.ZipCode, &a.Holder.CustomerID, &created, &updated, &t.ProgramPartnerID, &t.Currency,
		&rcode, &enabled, &fee, &lo, &hi, &daily, &ctype, &t.Listed}, extra...)...)
	if err != nil {
		return t, notFound(err, account.ErrNotFound.Message)
	}
	a.CreatedAt, a.UpdatedAt = Time(created), Time(updated)
	if rcode.Valid {
		t.Settings = &retail.Settings{ProgramCode: rcode.String, Enabled: enabled.Bool, ReloadFee: fromNull(fee),
			MinLoadAmount: lo.Int64, MaxLoadAmount: hi.Int64, DailyLoadLimit: daily.Int64, CardType: ctype.String}
	}
	return t, nil
}

// qTargetsByPAN reads at most 20 cards for one PAN (in practice one or
// two: a number reissued in another program). The bound is a literal: on
// SQLite a bound LIMIT parameter marks the prepared statement as planned
// for its value, so every call would parse and plan it again.
const qTargetsByPAN = reloadTargetCols + `, c.id, c.account_id, c.program_code, c.last4, c.bin, c.expiry_year,
	c.expiry_month, c.type, c.status, c.emboss_type, c.delivery_method, c.issued_at, c.updated_at
	FROM cards c JOIN accounts a ON a.id = c.account_id JOIN programs p ON p.code = a.program_code
	LEFT JOIN program_reload r ON r.program_code = a.program_code
	WHERE c.pan_index = ? ORDER BY c.issued_at DESC, c.id DESC LIMIT 20`

// TargetsByPAN implements retail.Store: the cards with the PAN (found by
// its keyed index), newest first, each with its account's target, in one
// query. Which one a retailer may reload is the domain's choice.
func (s *RetailStore) TargetsByPAN(ctx context.Context, partnerID, pan string) (_ []retail.Target, err error) {
	defer apperr.Op(&err, "storage.RetailStore.TargetsByPAN(%s)", partnerID)
	rows, err := s.db.hotQuery(ctx, qTargetsByPAN, partnerID, s.vault.Index("pan", pan))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retail.Target
	for rows.Next() {
		var c card.Card
		var issued, cupdated int64
		t, err := scanTarget(rows, &c.ID, &c.AccountID, &c.ProgramCode, &c.Last4, &c.BIN, &c.ExpiryYear, &c.ExpiryMonth,
			&c.Type, &c.Status, &c.EmbossType, &c.DeliveryMethod, &issued, &cupdated)
		if err != nil {
			return nil, err
		}
		c.IssuedAt, c.UpdatedAt = Time(issued), Time(cupdated)
		t.Card = &c
		out = append(out, t)
	}
	return out, rows.Err()
}

// outcomeJSON is the stored form of an outcome's answer fields.
type outcomeJSON struct {
	AvailableBalance *int64 `json:"availableBalance"`
	ReloadFee        *int64 `json:"reloadFee"`
	MerchantFee      *int64 `json:"merchantFee"`
	MinAllowed       *int64 `json:"minAllowed"`
	MaxAllowed       *int64 `json:"maxAllowed"`
	CardType         string `json:"cardType"`
}

const validationCols = `id, merchant_id, request_id, partner_id, store_id, user_id, register_id, account_id, last4, amount,
	payment_program_type, request_date_time, response_code, response_description, response_body, fingerprint, approved, created_at,
	hold_until`

// Validation answers the validation a merchant recorded for a request id.
func (s *RetailStore) Validation(ctx context.Context, merchantID, requestID string) (_ retail.Validation, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Validation(%s, %s)", merchantID, requestID)
	return scanValidation(s.db.QueryRow(ctx, `SELECT `+validationCols+` FROM retail_validations
		WHERE merchant_id = ? AND request_id = ?`, merchantID, requestID))
}

func scanValidation(row interface{ Scan(...any) error }) (retail.Validation, error) {
	var v retail.Validation
	var merchant, request sql.NullString
	var body string
	var approved bool
	var at, hold int64
	err := row.Scan(&v.ResponseID, &merchant, &request, &v.PartnerID, &v.StoreID, &v.UserID, &v.RegisterID, &v.AccountID,
		&v.Last4, &v.Amount, &v.PaymentProgramType, &v.RequestDateTime, &v.Code, &v.Description, &body, &v.Fingerprint,
		&approved, &at, &hold)
	if err != nil {
		return v, notFound(err, "validation not found")
	}
	v.MerchantID, v.RequestID, v.At = merchant.String, request.String, Time(at)
	if hold != 0 {
		v.HoldUntil = Time(hold)
	}
	var o outcomeJSON
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		return v, err
	}
	v.AvailableBalance, v.ReloadFee, v.MerchantFee = o.AvailableBalance, o.ReloadFee, o.MerchantFee
	v.MinAllowed, v.MaxAllowed, v.CardType = o.MinAllowed, o.MaxAllowed, o.CardType
	return v, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RecordValidation implements retail.Store. The account row is the
// per-account mutex: the daily total and the insert that may add to it are
// atomic across nodes. On SQLite concurrent validations share a commit
// (lockedGroupTx when the account row is the one lock taken, GroupTx
// otherwise). On PostgreSQL each is a transaction of its own: a shared
// one runs its members one after the other, a few round trips each, while
// holding every member's account lock, so at a few hundred a second the
// batches, not the database, were the queue (docs/benchmarks/growth.md);
// independent transactions run in parallel over the pool and PostgreSQL
// still flushes their commits together. Each is sent in two round trips
// (retail_validations_pg.go).
func (s *RetailStore) RecordValidation(ctx context.Context, v retail.Validation, w retail.Window,
	decide func(usedToday int64) retail.Outcome) (_ retail.Validation, _ bool, err error) {
	defer apperr.Op(&err, "storage.RetailStore.RecordValidation(%s, %s)", v.MerchantID, v.RequestID)
	var out retail.Validation
	var fresh bool
	fn := func(tx *Tx) error {
		var err error
		out, fresh, err = recordValidation(ctx, tx, v, w, decide)
		return err
	}
	s.db.PrepareWrites(ctx, retailStatements...)
	switch {
	case s.db.Engine == Postgres:
		out, fresh, err = s.recordValidationPG(ctx, v, w, decide)
	case decide != nil:
		err = s.db.lockedGroupTx(ctx, v.AccountID, fn)
	default:
		err = s.db.GroupTx(ctx, fn)
	}
	if err != nil || fresh {
		return out, fresh, err
	}
	prev, err := s.Validation(ctx, v.MerchantID, v.RequestID)
	return prev, false, err
}

// recordValidation is RecordValidation's transaction on SQLite (on
// PostgreSQL: recordValidationPG). It takes no account lock: the writer's
// transaction is exclusive, so what it reads holds until it commits, and
// a statement fewer per validation is that much more of the single
// writer's time for the others.
func recordValidation(ctx context.Context, tx *Tx, v retail.Validation, w retail.Window,
	decide func(usedToday int64) retail.Outcome) (retail.Validation, bool, error) {
	out := v
	var hold int64
	if decide != nil {
		used, err := usedToday(ctx, tx, v.AccountID, w)
		if err != nil {
			return out, false, err
		}
		out.Outcome = decide(used)
		if out.Code == retail.CodeSuccess {
			out.HoldUntil, hold = w.HoldUntil, Micros(w.HoldUntil)
		}
	}
	body, _ := json.Marshal(outcomeJSON{AvailableBalance: out.AvailableBalance, ReloadFee: out.ReloadFee,
		MerchantFee: out.MerchantFee, MinAllowed: out.MinAllowed, MaxAllowed: out.MaxAllowed, CardType: out.CardType})
	q, args := qInsertValidation, []any(nil)
	if hold != 0 && tx.Engine() == Postgres {
		// The hold in the same statement: one round trip less while the
		// account is locked.
		q, args = qInsertHeldValidationPG, []any{out.AccountID, dayOf(out.At), hold, out.Amount}
	}
	res, err := tx.execCached(ctx, q, append([]any{out.ResponseID, nullString(out.MerchantID), nullString(out.RequestID),
		out.PartnerID, out.StoreID, out.UserID,
		out.RegisterID, out.AccountID, out.Last4, out.Amount, out.PaymentProgramType, out.RequestDateTime, out.Code,
		out.Description, string(body), out.Fingerprint, out.Code == retail.CodeSuccess, Micros(out.At), hold}, args...)...)
	if err != nil {
		return out, false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n != 1 {
		return out, false, err
	}
	if hold != 0 && q == qInsertValidation { // a replay (n == 0) holds nothing more
		err = addLimitUse(ctx, tx, out.AccountID, dayOf(out.At), hold, out.Amount)
	}
	return out, true, err
}

// lockAccount takes the account row lock, the per-account mutex of every
// balance and limit decision. Later statements must read what they decide
// on: on PostgreSQL (read committed) a statement that waited for the lock
// still reads its start snapshot, so a sum in the same statement would
// miss what the previous holder just committed.
func lockAccount(ctx context.Context, tx *Tx, accountID string) error {
	var id string
	q := qLockAccountRow
	if tx.Engine() == Postgres {
		q += tx.ForUpdate()
	}
	return tx.queryRowCached(ctx, q, accountID).Scan(&id)
}

// The validation path's statements (retailStatements).
const (
	qInsertValidation = `INSERT INTO retail_validations (` + validationCols + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id, request_id) DO NOTHING`
	// qInsertHeldValidationPG is qInsertValidation and, when it inserted,
	// the validation's hold (qAddLimitUse): it affects one row iff the
	// validation was inserted.
	qInsertHeldValidationPG = `WITH v AS (` + qInsertValidation + ` RETURNING 1)
		INSERT INTO retail_limit_use (account_id, day, counts_until, amount)
		SELECT CAST(? AS text), CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint) FROM v
		ON CONFLICT (account_id, day, counts_until) DO UPDATE SET amount = retail_limit_use.amount + excluded.amount`
	qLockAccountRow = `SELECT id FROM accounts WHERE id = ?`
	// qUsedToday reads the account's running totals in force: at most a
	// posted total and a few hold slices (migration 00018).
	qUsedToday = `SELECT COALESCE(SUM(amount), 0) FROM retail_limit_use
		WHERE account_id = ? AND day = ? AND counts_until > ?`
	qAddLimitUse = `INSERT INTO retail_limit_use (account_id, day, counts_until, amount) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, day, counts_until) DO UPDATE SET amount = retail_limit_use.amount + excluded.amount`
)

// postedUse is the counts_until of the running total of a day's posted
// loads: it counts all day.
const postedUse = math.MaxInt64

// usedToday is what the account's daily load limit counts in w: loads
// posted on w's day (a voided load no longer counts) and the holds still
// in force of approved validations that no load has committed.
func usedToday(ctx context.Context, tx *Tx, accountID string, w retail.Window) (int64, error) {
	var used int64
	err := tx.queryRowCached(ctx, qUsedToday, accountID, Micros(w.DayStart), Micros(w.Now)).Scan(&used)
	return used, err
}

// addLimitUse adds amount (negative to take it back) to the account's
// running total of day (its start, micros) that counts until until.
func addLimitUse(ctx context.Context, tx *Tx, accountID string, day, until, amount int64) error {
	_, err := tx.execCached(ctx, qAddLimitUse, accountID, day, until, amount)
	return err
}

// dayOf answers the start of t's UTC day in micros, the day key of the
// running totals (retail counts its daily limit by UTC day).
func dayOf(t time.Time) int64 {
	us := Micros(t)
	return us - us%(24*time.Hour).Microseconds()
}
