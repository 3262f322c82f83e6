package storage

import (
	"context"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/program"
)

var _ program.Store = (*Store)(nil)

// CreateProgram implements program.Store.
func (s *Store) CreateProgram(ctx context.Context, p program.Program) error {
	_, err := s.Exec(ctx, `INSERT INTO programs (code, partner_id, name, bin, currency, adjustment_types, features,
		terms_enforced, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Code, p.PartnerID, p.Name, p.BIN, p.Currency, jsonList(p.AdjustmentTypes), jsonList(p.Features),
		jsonList(p.TermsEnforced), Micros(p.CreatedAt), Micros(p.UpdatedAt))
	switch {
	case IsUniqueViolation(err):
		return &apperr.Error{Kind: apperr.Conflict, Field: "programCode", Message: "programCode already exists"}
	case IsForeignKeyViolation(err):
		return &apperr.Error{Kind: apperr.NotFound, Field: "partnerId", Message: "partner not found"}
	}
	return err
}

// Program implements program.Store.
func (s *Store) Program(ctx context.Context, code string) (program.Program, error) {
	var p program.Program
	var adj, feat, terms string
	var created, updated int64
	err := s.QueryRow(ctx, `SELECT code, partner_id, name, bin, currency, adjustment_types, features, terms_enforced,
		created_at, updated_at FROM programs WHERE code = ?`, code).Scan(&p.Code, &p.PartnerID, &p.Name, &p.BIN,
		&p.Currency, &adj, &feat, &terms, &created, &updated)
	if err != nil {
		return p, notFound(err, "program not found")
	}
	p.AdjustmentTypes, p.Features, p.TermsEnforced = parseList(adj), parseList(feat), parseList(terms)
	p.CreatedAt, p.UpdatedAt = Time(created), Time(updated)
	return p, nil
}

// UpdateProgram implements program.Store.
func (s *Store) UpdateProgram(ctx context.Context, p program.Program) error {
	_, err := s.Exec(ctx, `UPDATE programs SET name = ?, bin = ?, adjustment_types = ?, features = ?, terms_enforced = ?,
		updated_at = ? WHERE code = ?`, p.Name, p.BIN, jsonList(p.AdjustmentTypes), jsonList(p.Features),
		jsonList(p.TermsEnforced), Micros(p.UpdatedAt), p.Code)
	return err
}
