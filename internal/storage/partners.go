package storage

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/partner"
)

// PartnerStore implements partner.Store: partners.
type PartnerStore struct {
	db *DB
}

// NewPartnerStore returns the partner store over db.
func NewPartnerStore(db *DB) *PartnerStore { return &PartnerStore{db: db} }

var _ partner.Store = (*PartnerStore)(nil)

const partnerCols = `id, name, client_id, secret_version, status, token_epoch, created_at, updated_at`

func scanPartner(row interface{ Scan(...any) error }, extra ...any) (partner.Partner, error) {
	var p partner.Partner
	var created, updated int64
	dest := append([]any{&p.ID, &p.Name, &p.ClientID, &p.SecretVersion, &p.Status, &p.TokenEpoch, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = Time(created), Time(updated)
	return p, nil
}

func partnerSubject(id string) string { return "partner:" + id }

// Create implements partner.Store. The audit event holds the name
// and client id, never the secret or its hash.
func (s *PartnerStore) Create(ctx context.Context, p partner.Partner, secretHash, actor string) (err error) {
	defer apperr.Op(&err, "storage.PartnerStore.Create(%s)", p.ID)
	return s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO partners (id, name, client_id, secret_hash, secret_version, status, token_epoch,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Name, p.ClientID, secretHash, p.SecretVersion,
			p.Status, p.TokenEpoch, Micros(p.CreatedAt), Micros(p.UpdatedAt)); err != nil {
			return err
		}
		return tx.audit(ctx, Micros(p.CreatedAt), actor, "partner.created", partnerSubject(p.ID),
			map[string]any{"name": p.Name, "clientId": p.ClientID})
	})
}

// Partner implements partner.Store.
func (s *PartnerStore) Partner(ctx context.Context, id string) (_ partner.Partner, err error) {
	defer apperr.Op(&err, "storage.PartnerStore.Partner(%s)", id)
	p, err := scanPartner(s.db.QueryRow(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id))
	return p, notFound(err, "partner not found")
}

// ByClientID implements partner.Store.
func (s *PartnerStore) ByClientID(ctx context.Context, clientID string) (_ partner.Partner, _ string, err error) {
	defer apperr.Op(&err, "storage.PartnerStore.ByClientID(%s)", clientID)
	var hash string
	p, err := scanPartner(s.db.QueryRow(ctx, `SELECT `+partnerCols+`, secret_hash FROM partners WHERE client_id = ?`, clientID), &hash)
	return p, hash, notFound(err, "partner not found")
}

// RotateSecret implements partner.Store.
func (s *PartnerStore) RotateSecret(ctx context.Context, id, secretHash string, now time.Time, actor string) (_ partner.Partner, err error) {
	defer apperr.Op(&err, "storage.PartnerStore.RotateSecret(%s)", id)
	var p partner.Partner
	err = s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE partners SET secret_hash = ?, secret_version = secret_version + 1,
			token_epoch = token_epoch + 1, updated_at = ? WHERE id = ?`, secretHash, Micros(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &apperr.Error{Kind: apperr.NotFound, Message: "partner not found"}
		}
		if p, err = scanPartner(tx.QueryRow(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id)); err != nil {
			return err
		}
		return tx.audit(ctx, Micros(now), actor, "partner.secretRotated", partnerSubject(id),
			map[string]any{"secretVersion": p.SecretVersion})
	})
	return p, err
}

// List implements partner.Store.
func (s *PartnerStore) List(ctx context.Context, after string, limit int) (_ []partner.Partner, err error) {
	defer apperr.Op(&err, "storage.PartnerStore.List(%s)", after)
	rows, err := s.db.Query(ctx, `SELECT `+partnerCols+` FROM partners WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []partner.Partner
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetStatus implements partner.Store. Disabling increments the token
// epoch, so the partner's tokens stay ended if it is enabled again. The
// status the partner already has changes nothing and records no event.
func (s *PartnerStore) SetStatus(ctx context.Context, id, status string, now time.Time, actor string) (_ partner.Partner, err error) {
	defer apperr.Op(&err, "storage.PartnerStore.SetStatus(%s)", id)
	bump := 0
	if status == partner.Disabled {
		bump = 1
	}
	var p partner.Partner
	err = s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE partners SET status = ?, token_epoch = token_epoch + ?, updated_at = ?
			WHERE id = ? AND status <> ?`, status, bump, Micros(now), id, status)
		if err != nil {
			return err
		}
		changed, _ := res.RowsAffected()
		if p, err = scanPartner(tx.QueryRow(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id)); err != nil {
			return notFound(err, "partner not found")
		}
		if changed == 0 {
			return nil
		}
		return tx.audit(ctx, Micros(now), actor, "partner."+status, partnerSubject(id),
			map[string]any{"status": status, "tokenEpoch": p.TokenEpoch})
	})
	return p, err
}
