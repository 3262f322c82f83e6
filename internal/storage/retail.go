package storage

import (
	"context"
	"database/sql"
	"github.com/verdant-baas/verdant/internal/vault"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/retail"
)

// RetailStore implements retail.Store: the retail network, reload settings
// and validations. It holds the vault to find a card by its PAN's keyed
// index.
type RetailStore struct {
	db    *DB
	vault *vault.Vault
}

// NewRetailStore returns the retail store over db and the vault v.
func NewRetailStore(db *DB, v *vault.Vault) *RetailStore { return &RetailStore{db: db, vault: v} }

var _ retail.Store = (*RetailStore)(nil)

// nullable maps an optional amount to a nullable column value.
func nullable(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

func fromNull(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// created maps a unique violation to a Conflict and a missing parent to NotFound.
func created(err error, what, field string) error {
	switch {
	case IsUniqueViolation(err):
		return &apperr.Error{Kind: apperr.Conflict, Field: field, Message: what + " already exists"}
	case IsForeignKeyViolation(err):
		return &apperr.Error{Kind: apperr.NotFound, Message: "parent of " + what + " not found"}
	}
	return err
}

// CreateMerchant implements retail.Store.
func (s *RetailStore) CreateMerchant(ctx context.Context, m retail.Merchant) (err error) {
	defer apperr.Op(&err, "storage.RetailStore.CreateMerchant(%s)", m.ID)
	_, err = s.db.Exec(ctx, `INSERT INTO retail_merchants (id, partner_id, name, merchant_fee, enabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ID, m.PartnerID, m.Name, nullable(m.MerchantFee), m.Enabled,
		Micros(m.CreatedAt), Micros(m.UpdatedAt))
	if IsForeignKeyViolation(err) {
		return &apperr.Error{Kind: apperr.NotFound, Field: "partnerId", Message: "partner not found"}
	}
	return created(err, "merchant", "merchantId")
}

// UpdateMerchant implements retail.Store.
func (s *RetailStore) UpdateMerchant(ctx context.Context, m retail.Merchant) (err error) {
	defer apperr.Op(&err, "storage.RetailStore.UpdateMerchant(%s)", m.ID)
	_, err = s.db.Exec(ctx, `UPDATE retail_merchants SET partner_id = ?, name = ?, merchant_fee = ?, enabled = ?, updated_at = ?
		WHERE id = ?`, m.PartnerID, m.Name, nullable(m.MerchantFee), m.Enabled, Micros(m.UpdatedAt), m.ID)
	if IsForeignKeyViolation(err) {
		return &apperr.Error{Kind: apperr.NotFound, Field: "partnerId", Message: "partner not found"}
	}
	return err
}

// Merchant implements retail.Store.
func (s *RetailStore) Merchant(ctx context.Context, id string) (_ retail.Merchant, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Merchant(%s)", id)
	var m retail.Merchant
	var fee sql.NullInt64
	var c, u int64
	err = s.db.QueryRow(ctx, `SELECT id, partner_id, name, merchant_fee, enabled, created_at, updated_at
		FROM retail_merchants WHERE id = ?`, id).Scan(&m.ID, &m.PartnerID, &m.Name, &fee, &m.Enabled, &c, &u)
	m.MerchantFee, m.CreatedAt, m.UpdatedAt = fromNull(fee), Time(c), Time(u)
	return m, notFound(err, "merchant not found")
}

// CreateOutlet implements retail.Store.
func (s *RetailStore) CreateOutlet(ctx context.Context, o retail.Outlet) (err error) {
	defer apperr.Op(&err, "storage.RetailStore.CreateOutlet(%s, %s)", o.MerchantID, o.StoreID)
	_, err = s.db.Exec(ctx, `INSERT INTO retail_stores (merchant_id, store_id, blocked, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, o.MerchantID, o.StoreID, o.Blocked, Micros(o.CreatedAt), Micros(o.UpdatedAt))
	return created(err, "store", "storeId")
}

// UpdateOutlet implements retail.Store.
func (s *RetailStore) UpdateOutlet(ctx context.Context, o retail.Outlet) (err error) {
	defer apperr.Op(&err, "storage.RetailStore.UpdateOutlet(%s, %s)", o.MerchantID, o.StoreID)
	_, err = s.db.Exec(ctx, `UPDATE retail_stores SET blocked = ?, updated_at = ? WHERE merchant_id = ? AND store_id = ?`,
		o.Blocked, Micros(o.UpdatedAt), o.MerchantID, o.StoreID)
	return err
}

// Outlet implements retail.Store.
func (s *RetailStore) Outlet(ctx context.Context, merchantID, storeID string) (_ retail.Outlet, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Outlet(%s, %s)", merchantID, storeID)
	var o retail.Outlet
	var c, u int64
	err = s.db.QueryRow(ctx, `SELECT merchant_id, store_id, blocked, created_at, updated_at FROM retail_stores
		WHERE merchant_id = ? AND store_id = ?`, merchantID, storeID).Scan(&o.MerchantID, &o.StoreID, &o.Blocked, &c, &u)
	o.CreatedAt, o.UpdatedAt = Time(c), Time(u)
	return o, notFound(err, "store not found")
}

// CreateUser implements retail.Store.
func (s *RetailStore) CreateUser(ctx context.Context, u retail.User) (err error) {
	defer apperr.Op(&err, "storage.RetailStore.CreateUser(%s, %s)", u.MerchantID, u.UserID)
	_, err = s.db.Exec(ctx, `INSERT INTO retail_users (merchant_id, user_id, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, u.MerchantID, u.UserID, u.Active, Micros(u.CreatedAt), Micros(u.UpdatedAt))
	return created(err, "user", "userId")
}

// UpdateUser implements retail.Store.
func (s *RetailStore) UpdateUser(ctx context.Context, u retail.User) (err error) {
	defer apperr.Op(&err, "storage.RetailStore.UpdateUser(%s, %s)", u.MerchantID, u.UserID)
	_, err = s.db.Exec(ctx, `UPDATE retail_users SET active = ?, updated_at = ? WHERE merchant_id = ? AND user_id = ?`,
		u.Active, Micros(u.UpdatedAt), u.MerchantID, u.UserID)
	return err
}

// User implements retail.Store.
func (s *RetailStore) User(ctx context.Context, merchantID, userID string) (_ retail.User, err error) {
	defer apperr.Op(&err, "storage.RetailStore.User(%s, %s)", merchantID, userID)
	var u retail.User
	var c, up int64
	err = s.db.QueryRow(ctx, `SELECT merchant_id, user_id, active, created_at, updated_at FROM retail_users
		WHERE merchant_id = ? AND user_id = ?`, merchantID, userID).Scan(&u.MerchantID, &u.UserID, &u.Active, &c, &up)
	u.CreatedAt, u.UpdatedAt = Time(c), Time(up)
	return u, notFound(err, "user not found")
}

const reloadCols = `program_code, enabled, reload_fee, min_load_amount, max_load_amount, daily_load_limit, card_type, updated_at`

// Settings implements retail.Store.
func (s *RetailStore) Settings(ctx context.Context, programCode string) (_ retail.Settings, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Settings(%s)", programCode)
	var st retail.Settings
	var fee sql.NullInt64
	var u int64
	err = s.db.QueryRow(ctx, `SELECT `+reloadCols+` FROM program_reload WHERE program_code = ?`, programCode).
		Scan(&st.ProgramCode, &st.Enabled, &fee, &st.MinLoadAmount, &st.MaxLoadAmount, &st.DailyLoadLimit, &st.CardType, &u)
	st.ReloadFee, st.UpdatedAt = fromNull(fee), Time(u)
	return st, notFound(err, "reload settings not found")
}

// PutSettings implements retail.Store.
func (s *RetailStore) PutSettings(ctx context.Context, st retail.Settings, actor string) (err error) {
	defer apperr.Op(&err, "storage.RetailStore.PutSettings(%s)", st.ProgramCode)
	return s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO program_reload (`+reloadCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (program_code) DO UPDATE SET enabled = excluded.enabled, reload_fee = excluded.reload_fee,
			min_load_amount = excluded.min_load_amount, max_load_amount = excluded.max_load_amount,
			daily_load_limit = excluded.daily_load_limit, card_type = excluded.card_type, updated_at = excluded.updated_at`,
			st.ProgramCode, st.Enabled, nullable(st.ReloadFee), st.MinLoadAmount, st.MaxLoadAmount, st.DailyLoadLimit,
			st.CardType, Micros(st.UpdatedAt)); err != nil {
			return err
		}
		return tx.audit(ctx, Micros(st.UpdatedAt), actor, "program.reloadSettingsChanged", programSubject(st.ProgramCode),
			map[string]any{"enabled": st.Enabled, "reloadFee": st.ReloadFee, "minLoadAmount": st.MinLoadAmount,
				"maxLoadAmount": st.MaxLoadAmount, "dailyLoadLimit": st.DailyLoadLimit, "cardType": st.CardType})
	})
}

// Point implements retail.Store: the merchant, store and user
// checks of a validation in one read.
func (s *RetailStore) Point(ctx context.Context, merchantID, storeID, userID string) (_ retail.Point, err error) {
	defer apperr.Op(&err, "storage.RetailStore.Point(%s, %s, %s)", merchantID, storeID, userID)
	var pt retail.Point
	m := &pt.Merchant
	var fee sql.NullInt64
	var c, u int64
	var storeBlocked, userActive sql.NullBool
	err = s.db.hotRow(ctx, `SELECT m.id, m.partner_id, m.name, m.merchant_fee, m.enabled, m.created_at, m.updated_at,
		st.blocked, us.active FROM retail_merchants m
		LEFT JOIN retail_stores st ON st.merchant_id = m.id AND st.store_id = ?
		LEFT JOIN retail_users us ON us.merchant_id = m.id AND us.user_id = ?
		WHERE m.id = ?`, storeID, userID, merchantID).Scan(&m.ID, &m.PartnerID, &m.Name, &fee, &m.Enabled, &c, &u,
		&storeBlocked, &userActive)
	if err != nil {
		return pt, notFound(err, "merchant not found")
	}
	m.MerchantFee, m.CreatedAt, m.UpdatedAt = fromNull(fee), Time(c), Time(u)
	if storeBlocked.Valid {
		pt.Store = &retail.Outlet{MerchantID: m.ID, StoreID: storeID, Blocked: storeBlocked.Bool}
	}
	if userActive.Valid {
		pt.User = &retail.User{MerchantID: m.ID, UserID: userID, Active: userActive.Bool}
	}
	return pt, nil
}
