package storage

import (
	"context"
	"reflect"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/program"
)

// ProgramStore implements program.Store: programs.
type ProgramStore struct {
	db *DB
}

// NewProgramStore returns the program store over db.
func NewProgramStore(db *DB) *ProgramStore { return &ProgramStore{db: db} }

var _ program.Store = (*ProgramStore)(nil)

func programSubject(code string) string { return "program:" + code }

// programFields are a program's settable fields as the audit trail records
// them (the operator API's names).
func programFields(p program.Program) map[string]any {
	return map[string]any{"name": p.Name, "bin": p.BIN, "adjustmentTypes": nonNil(p.AdjustmentTypes),
		"features": nonNil(p.Features), "termsEnforced": nonNil(p.TermsEnforced)}
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// Create implements program.Store.
func (s *ProgramStore) Create(ctx context.Context, p program.Program, actor string) (err error) {
	defer apperr.Op(&err, "storage.ProgramStore.Create(%s)", p.Code)
	err = s.db.Tx(ctx, func(tx *Tx) error {
		if err := createProgram(ctx, tx, p); err != nil {
			return err
		}
		d := programFields(p)
		d["partnerId"], d["currency"] = p.PartnerID, p.Currency
		return tx.audit(ctx, Micros(p.CreatedAt), actor, "program.created", programSubject(p.Code), d)
	})
	switch {
	case IsUniqueViolation(err):
		return &apperr.Error{Kind: apperr.Conflict, Field: "programCode", Message: "programCode already exists"}
	case IsForeignKeyViolation(err):
		return &apperr.Error{Kind: apperr.NotFound, Field: "partnerId", Message: "partner not found"}
	}
	return err
}

func createProgram(ctx context.Context, tx *Tx, p program.Program) error {
	_, err := tx.Exec(ctx, `INSERT INTO programs (code, partner_id, name, bin, currency, adjustment_types, features,
		terms_enforced, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Code, p.PartnerID, p.Name, p.BIN, p.Currency, jsonList(p.AdjustmentTypes), jsonList(p.Features),
		jsonList(p.TermsEnforced), Micros(p.CreatedAt), Micros(p.UpdatedAt))
	return err
}

// Program implements program.Store.
func (s *ProgramStore) Program(ctx context.Context, code string) (_ program.Program, err error) {
	defer apperr.Op(&err, "storage.ProgramStore.Program(%s)", code)
	return loadProgram(ctx, s.db, code, "")
}

const programCols = `code, partner_id, name, bin, currency, adjustment_types, features, terms_enforced,
	created_at, updated_at, version`

func scanProgram(row interface{ Scan(...any) error }) (program.Program, error) {
	var p program.Program
	var adj, feat, terms string
	var created, updated int64
	if err := row.Scan(&p.Code, &p.PartnerID, &p.Name, &p.BIN, &p.Currency, &adj, &feat, &terms, &created, &updated,
		&p.Version); err != nil {
		return p, err
	}
	p.AdjustmentTypes, p.Features, p.TermsEnforced = parseList(adj), parseList(feat), parseList(terms)
	p.CreatedAt, p.UpdatedAt = Time(created), Time(updated)
	return p, nil
}

func loadProgram(ctx context.Context, q reader, code, lock string) (program.Program, error) {
	p, err := scanProgram(q.QueryRow(ctx, `SELECT `+programCols+` FROM programs WHERE code = ?`+lock, code))
	if err != nil {
		return p, notFound(err, "program not found")
	}
	return p, nil
}

// List implements program.Store.
func (s *ProgramStore) List(ctx context.Context, partnerID, after string, limit int) (_ []program.Program, err error) {
	defer apperr.Op(&err, "storage.ProgramStore.List(%s, %s)", partnerID, after)
	rows, err := s.db.Query(ctx, `SELECT `+programCols+` FROM programs WHERE code > ? AND (? = '' OR partner_id = ?)
		ORDER BY code LIMIT ?`, after, partnerID, partnerID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []program.Program
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Update implements program.Store. The audit event's detail is the
// fields whose value changed, with their new values; an update that
// changes nothing writes no event. Every update moves the program's
// version on, which the postings of every node check against the copy
// they decided with (program.Service.ForPartnerCached): any statement
// that changes a program's settings must do the same.
func (s *ProgramStore) Update(ctx context.Context, p program.Program, actor string) (err error) {
	defer apperr.Op(&err, "storage.ProgramStore.Update(%s)", p.Code)
	return s.db.Tx(ctx, func(tx *Tx) error {
		old, err := loadProgram(ctx, tx, p.Code, tx.ForUpdate())
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE programs SET name = ?, bin = ?, adjustment_types = ?, features = ?, terms_enforced = ?,
		updated_at = ?, version = version + 1 WHERE code = ?`, p.Name, p.BIN, jsonList(p.AdjustmentTypes), jsonList(p.Features),
			jsonList(p.TermsEnforced), Micros(p.UpdatedAt), p.Code); err != nil {
			return err
		}
		before, after := programFields(old), programFields(p)
		changed := map[string]any{}
		for k, v := range after {
			if !reflect.DeepEqual(before[k], v) {
				changed[k] = v
			}
		}
		if len(changed) == 0 {
			return nil
		}
		return tx.audit(ctx, Micros(p.UpdatedAt), actor, "program.updated", programSubject(p.Code), changed)
	})
}
