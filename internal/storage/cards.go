package storage

import (
	"context"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/vault"
	"time"

	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/delivery"
)

// CardStore implements card.Store: cards. It holds the vault because a PAN
// is sealed where it is written and found by its keyed index.
type CardStore struct {
	db    *DB
	vault *vault.Vault
}

// NewCardStore returns the card store over db and the vault v.
func NewCardStore(db *DB, v *vault.Vault) *CardStore { return &CardStore{db: db, vault: v} }

var (
	_ card.Store          = (*CardStore)(nil)
	_ delivery.CardReader = (*CardStore)(nil)
)

const cardCols = `id, account_id, program_code, last4, bin, expiry_year, expiry_month, type, status,
	emboss_type, delivery_method, issued_at, updated_at`

func scanCard(row interface{ Scan(...any) error }) (card.Card, error) {
	var c card.Card
	var issued, updated int64
	err := row.Scan(&c.ID, &c.AccountID, &c.ProgramCode, &c.Last4, &c.BIN, &c.ExpiryYear, &c.ExpiryMonth,
		&c.Type, &c.Status, &c.EmbossType, &c.DeliveryMethod, &issued, &updated)
	c.IssuedAt, c.UpdatedAt = Time(issued), Time(updated)
	return c, err
}

// panContext binds a sealed PAN to its card row.
func panContext(cardID string) string { return "pan:" + cardID }

func cardSubject(id string) string { return "card:" + id }

// cardStatusDetail is the detail of card.issued (From empty) and
// card.statusChanged events: the last four digits, never the PAN.
type cardStatusDetail struct {
	AccountID string `json:"accountIdentifier"`
	Last4     string `json:"last4Pan"`
	From      string `json:"from,omitempty"`
	To        string `json:"to"`
}

// Create implements card.Store: the PAN is sealed and indexed here.
func (s *CardStore) Create(ctx context.Context, c card.Card, pan, actor string) (err error) {
	defer apperr.Op(&err, "storage.CardStore.Create(%s)", c.ID)
	sealed, kid := s.vault.Seal(pan, panContext(c.ID))
	index := s.vault.Index("pan", pan)
	return s.db.Tx(ctx, func(tx *Tx) error {
		if err := insertCard(ctx, tx, c, sealed, kid, index); err != nil {
			return err
		}
		if err := tx.audit(ctx, Micros(c.IssuedAt), actor, "card.issued", cardSubject(c.ID),
			cardStatusDetail{AccountID: c.AccountID, Last4: c.Last4, To: string(c.Status)}); err != nil {
			return err
		}
		return tx.emitCard(ctx, c, "", c.IssuedAt)
	})
}

func insertCard(ctx context.Context, tx *Tx, c card.Card, sealed, kid, index string) error {
	_, err := tx.Exec(ctx, `INSERT INTO cards (id, account_id, program_code, pan_sealed, pan_key_id, pan_index, last4, bin,
		expiry_year, expiry_month, type, status, emboss_type, delivery_method, issued_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.AccountID, c.ProgramCode, sealed, kid, index, c.Last4, c.BIN, c.ExpiryYear,
		c.ExpiryMonth, c.Type, string(c.Status), c.EmbossType, c.DeliveryMethod, Micros(c.IssuedAt), Micros(c.UpdatedAt))
	return err
}

// Card implements card.Store.
func (s *CardStore) Card(ctx context.Context, accountID, id string) (_ card.Card, err error) {
	defer apperr.Op(&err, "storage.CardStore.Card(%s, %s)", accountID, id)
	c, err := scanCard(s.db.QueryRow(ctx, `SELECT `+cardCols+` FROM cards WHERE id = ? AND account_id = ?`, id, accountID))
	return c, notFound(err, "payment instrument not found")
}

// InProgram implements card.Store.
func (s *CardStore) InProgram(ctx context.Context, programCode, id string) (_ card.Card, err error) {
	defer apperr.Op(&err, "storage.CardStore.InProgram(%s, %s)", programCode, id)
	c, err := scanCard(s.db.QueryRow(ctx, `SELECT `+cardCols+` FROM cards WHERE id = ? AND program_code = ?`, id, programCode))
	return c, notFound(err, "payment instrument not found")
}

// SetStatus implements card.Store.
// The card row is read with ForUpdate first, so the event's from is the
// status the change replaced; setting the status a card already has writes
// no event.
func (s *CardStore) SetStatus(ctx context.Context, accountID, id string, st card.Status, now time.Time, actor string) (_ card.Card, err error) {
	defer apperr.Op(&err, "storage.CardStore.SetStatus(%s, %s)", accountID, id)
	var c card.Card
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var from string
		if err := tx.QueryRow(ctx, `SELECT status FROM cards WHERE id = ? AND account_id = ?`+tx.ForUpdate(),
			id, accountID).Scan(&from); err != nil {
			return notFound(err, "payment instrument not found")
		}
		if _, err := tx.Exec(ctx, `UPDATE cards SET status = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
			string(st), Micros(now), id, accountID); err != nil {
			return err
		}
		var err error
		if c, err = scanCard(tx.QueryRow(ctx, `SELECT `+cardCols+` FROM cards WHERE id = ?`, id)); err != nil || from == string(st) {
			return err
		}
		if err := tx.audit(ctx, Micros(now), actor, "card.statusChanged", cardSubject(id),
			cardStatusDetail{AccountID: accountID, Last4: c.Last4, From: from, To: string(st)}); err != nil {
			return err
		}
		return tx.emitCard(ctx, c, card.Status(from), now)
	})
	return c, err
}

// ByPAN implements card.Store.
func (s *CardStore) ByPAN(ctx context.Context, pan string) (_ []card.Card, err error) {
	defer apperr.Op(&err, "storage.CardStore.ByPAN()")
	return s.db.cards(ctx, `SELECT `+cardCols+` FROM cards WHERE pan_index = ? ORDER BY issued_at DESC, id DESC`,
		s.vault.Index("pan", pan))
}

// ByAccount implements card.Store.
func (s *CardStore) ByAccount(ctx context.Context, accountID string) (_ []card.Card, err error) {
	defer apperr.Op(&err, "storage.CardStore.ByAccount(%s)", accountID)
	return s.db.cards(ctx, `SELECT `+cardCols+` FROM cards WHERE account_id = ? ORDER BY issued_at DESC, id DESC`, accountID)
}

func (db *DB) cards(ctx context.Context, q string, args ...any) ([]card.Card, error) {
	rows, err := db.Query(ctx, q, args...)
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

// PAN opens a card's sealed PAN, for the few paths the contract
// requires it on.
func (s *CardStore) PAN(ctx context.Context, cardID string) (_ string, err error) {
	defer apperr.Op(&err, "storage.CardStore.PAN(%s)", cardID)
	var sealed, kid string
	if err := s.db.QueryRow(ctx, `SELECT pan_sealed, pan_key_id FROM cards WHERE id = ?`, cardID).Scan(&sealed, &kid); err != nil {
		return "", notFound(err, "payment instrument not found")
	}
	return s.vault.Open(sealed, kid, panContext(cardID))
}
