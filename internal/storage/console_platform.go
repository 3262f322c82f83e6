package storage

import (
	"context"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
)

// Partners answers partners with id > after, in id order (the console's
// list; a partner's secret hash is never read).
func (s *ConsoleStore) Partners(ctx context.Context, after string, limit int) (_ []partner.Partner, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Partners")
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

// Programs answers programs with code > after in code order, all of them
// or one partner's (by the programs_partner index).
func (s *ConsoleStore) Programs(ctx context.Context, partnerID, after string, limit int) (_ []program.Program, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Programs(%s)", partnerID)
	q, args := `SELECT code, partner_id, name, bin, currency, adjustment_types, features, terms_enforced, created_at, updated_at
		FROM programs WHERE code > ?`, []any{after}
	if partnerID != "" {
		q += ` AND partner_id = ?`
		args = append(args, partnerID)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY code LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []program.Program
	for rows.Next() {
		var p program.Program
		var adj, feat, terms string
		var created, updated int64
		if err := rows.Scan(&p.Code, &p.PartnerID, &p.Name, &p.BIN, &p.Currency, &adj, &feat, &terms, &created, &updated); err != nil {
			return nil, err
		}
		p.AdjustmentTypes, p.Features, p.TermsEnforced = parseList(adj), parseList(feat), parseList(terms)
		p.CreatedAt, p.UpdatedAt = Time(created), Time(updated)
		out = append(out, p)
	}
	return out, rows.Err()
}
