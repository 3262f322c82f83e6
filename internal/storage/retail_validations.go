package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"github.com/verdant-baas/verdant/internal/apperr"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/retail"
)

// reloadTargetCols reads an account, its program's partner and the
// program's reload settings (accounts a, programs p, program_reload r).
const reloadTargetCols = `SELECT a.id, a.program_code, a.status, a.first_name, a.last_name, a.zip_code, a.customer_id,
	a.created_at, a.updated_at, p.partner_id, r.program_code, r.enabled, r.reload_fee, r.min_load_amount,
	r.max_load_amount, r.daily_load_limit, r.card_type`

// Target implements retail.Store.
func (s *RetailStore) Target(ctx context.Context, accountID string) (_ retail.Target, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Target(%s)", accountID)
	return scanTarget(s.db.hotRow(ctx, reloadTargetCols+` FROM accounts a JOIN programs p ON p.code = a.program_code
		LEFT JOIN program_reload r ON r.program_code = a.program_code WHERE a.id = ?`, accountID))
}

func scanTarget(row interface{ Scan(...any) error }, extra ...any) (retail.Target, error) {
	var t retail.Target
	a := &t.Account
	var created, updated int64
	var rcode, ctype sql.NullString
	var enabled sql.NullBool
	var fee, lo, hi, daily sql.NullInt64
	err := row.Scan(append([]any{&a.ID, &a.ProgramCode, &a.Status, &a.Holder.FirstName, &a.Holder.LastName,
		&a.Holder.ZipCode, &a.Holder.CustomerID, &created, &updated, &t.ProgramPartnerID,
		&rcode, &enabled, &fee, &lo, &hi, &daily, &ctype}, extra...)...)
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

// TargetByPAN implements retail.Store: the newest card with the PAN
// (found by its keyed index) in the partner's programs, and its account's
// target, in one query. Scoping in the query matters: the same number may
// be on file in another partner's program.
func (s *RetailStore) TargetByPAN(ctx context.Context, partnerID, pan string) (_ retail.Target, err error) {
	defer apperr.Op(&err, "storage.RetailStore.TargetByPAN(%s)", partnerID)
	var c card.Card
	var issued, cupdated int64
	t, err := scanTarget(s.db.hotRow(ctx, reloadTargetCols+`, c.id, c.account_id, c.program_code, c.last4, c.bin, c.expiry_year,
		c.expiry_month, c.type, c.status, c.emboss_type, c.delivery_method, c.issued_at, c.updated_at
		FROM cards c JOIN accounts a ON a.id = c.account_id JOIN programs p ON p.code = a.program_code
		LEFT JOIN program_reload r ON r.program_code = a.program_code
		WHERE c.pan_index = ? AND p.partner_id = ? ORDER BY c.issued_at DESC, c.id DESC LIMIT 1`, s.vault.Index("pan", pan), partnerID),
		&c.ID, &c.AccountID, &c.ProgramCode, &c.Last4, &c.BIN, &c.ExpiryYear, &c.ExpiryMonth, &c.Type, &c.Status,
		&c.EmbossType, &c.DeliveryMethod, &issued, &cupdated)
	if err != nil {
		return t, err
	}
	c.IssuedAt, c.UpdatedAt = Time(issued), Time(cupdated)
	t.Card = &c
	return t, nil
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
	payment_program_type, request_date_time, response_code, response_description, response_body, fingerprint, approved, created_at`

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
	var at int64
	err := row.Scan(&v.ResponseID, &merchant, &request, &v.PartnerID, &v.StoreID, &v.UserID, &v.RegisterID, &v.AccountID,
		&v.Last4, &v.Amount, &v.PaymentProgramType, &v.RequestDateTime, &v.Code, &v.Description, &body, &v.Fingerprint,
		&approved, &at)
	if err != nil {
		return v, notFound(err, "validation not found")
	}
	v.MerchantID, v.RequestID, v.At = merchant.String, request.String, Time(at)
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
// per-account mutex: the daily sum and the insert that may add to it are
// atomic across nodes. On SQLite concurrent validations share a commit
// (GroupTx).
func (s *RetailStore) RecordValidation(ctx context.Context, v retail.Validation, dayStart time.Time,
	decide func(usedToday int64) retail.Outcome) (_ retail.Validation, _ bool, err error) {
	defer apperr.Op(&err, "storage.RetailStore.RecordValidation(%s, %s)", v.MerchantID, v.RequestID)
	var out retail.Validation
	var fresh bool
	fn := func(tx *Tx) error {
		var err error
		out, fresh, err = recordValidation(ctx, tx, v, dayStart, decide)
		return err
	}
	err = s.db.GroupTx(ctx, fn)
	if err != nil || fresh {
		return out, fresh, err
	}
	prev, err := s.Validation(ctx, v.MerchantID, v.RequestID)
	return prev, false, err
}

func recordValidation(ctx context.Context, tx *Tx, v retail.Validation, dayStart time.Time,
	decide func(usedToday int64) retail.Outcome) (retail.Validation, bool, error) {
	out := v
	if decide != nil {
		// Lock the account row first, then sum in a second statement: on
		// PostgreSQL (read committed) a statement that waited for the lock
		// still reads its start snapshot, so a sum in the same statement
		// would miss the validation the previous holder just committed.
		var id string
		if err := tx.QueryRow(ctx, `SELECT id FROM accounts WHERE id = ?`+tx.ForUpdate(), v.AccountID).Scan(&id); err != nil {
			return out, false, err
		}
		var used int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM retail_validations
			WHERE account_id = ? AND approved = ? AND created_at >= ?`, v.AccountID, true, Micros(dayStart)).Scan(&used); err != nil {
			return out, false, err
		}
		out.Outcome = decide(used)
	}
	body, _ := json.Marshal(outcomeJSON{AvailableBalance: out.AvailableBalance, ReloadFee: out.ReloadFee,
		MerchantFee: out.MerchantFee, MinAllowed: out.MinAllowed, MaxAllowed: out.MaxAllowed, CardType: out.CardType})
	res, err := tx.Exec(ctx, `INSERT INTO retail_validations (`+validationCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id, request_id) DO NOTHING`,
		out.ResponseID, nullString(out.MerchantID), nullString(out.RequestID), out.PartnerID, out.StoreID, out.UserID,
		out.RegisterID, out.AccountID, out.Last4, out.Amount, out.PaymentProgramType, out.RequestDateTime, out.Code,
		out.Description, string(body), out.Fingerprint, out.Code == retail.CodeSuccess, Micros(out.At))
	if err != nil {
		return out, false, err
	}
	n, err := res.RowsAffected()
	return out, n == 1, err
}
