package storage

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/partner"
)

var _ partner.Store = (*Store)(nil)

const partnerCols = `id, name, client_id, secret_version, created_at, updated_at`

func scanPartner(row interface{ Scan(...any) error }, extra ...any) (partner.Partner, error) {
	var p partner.Partner
	var created, updated int64
	dest := append([]any{&p.ID, &p.Name, &p.ClientID, &p.SecretVersion, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = Time(created), Time(updated)
	return p, nil
}

// CreatePartner implements partner.Store.
func (s *Store) CreatePartner(ctx context.Context, p partner.Partner, secretHash string) error {
	_, err := s.Exec(ctx, `INSERT INTO partners (id, name, client_id, secret_hash, secret_version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Name, p.ClientID, secretHash, p.SecretVersion, Micros(p.CreatedAt), Micros(p.UpdatedAt))
	return err
}

// Partner implements partner.Store.
func (s *Store) Partner(ctx context.Context, id string) (partner.Partner, error) {
	p, err := scanPartner(s.QueryRow(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id))
	return p, notFound(err, "partner not found")
}

// PartnerByClientID implements partner.Store.
func (s *Store) PartnerByClientID(ctx context.Context, clientID string) (partner.Partner, string, error) {
	var hash string
	p, err := scanPartner(s.QueryRow(ctx, `SELECT `+partnerCols+`, secret_hash FROM partners WHERE client_id = ?`, clientID), &hash)
	return p, hash, notFound(err, "partner not found")
}

// RotateSecret implements partner.Store.
func (s *Store) RotateSecret(ctx context.Context, id, secretHash string, now time.Time) (partner.Partner, error) {
	var p partner.Partner
	err := s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE partners SET secret_hash = ?, secret_version = secret_version + 1, updated_at = ? WHERE id = ?`,
			secretHash, Micros(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &apperr.Error{Kind: apperr.NotFound, Message: "partner not found"}
		}
		p, err = scanPartner(tx.QueryRow(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id))
		return err
	})
	return p, err
}
