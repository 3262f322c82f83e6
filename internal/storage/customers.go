package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/verdant-baas/verdant/internal/vault"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/customer"
)

// CustomerStore implements customer.Store: customers. It holds the vault
// because SSNs and dates of birth are sealed where they are written.
type CustomerStore struct {
	db    *DB
	vault *vault.Vault
}

// NewCustomerStore returns the customer store over db and the vault v.
func NewCustomerStore(db *DB, v *vault.Vault) *CustomerStore { return &CustomerStore{db: db, vault: v} }

var _ customer.Store = (*CustomerStore)(nil)

const customerCols = `partner_id, id, link_id, first_name, last_name, email, phone, address1, address2, city, state,
	zip_code, status, detail_code, detail, is_active, fingerprint, created_at, updated_at`

func scanCustomer(row interface{ Scan(...any) error }) (customer.Profile, string, error) {
	var p customer.Profile
	var fp string
	var created, updated int64
	err := row.Scan(&p.PartnerID, &p.ID, &p.LinkID, &p.FirstName, &p.LastName, &p.Email, &p.Phone, &p.Address1,
		&p.Address2, &p.City, &p.State, &p.Zip, &p.Status, &p.DetailCode, &p.Detail, &p.Active, &fp, &created, &updated)
	p.CreatedAt, p.UpdatedAt = Time(created), Time(updated)
	return p, fp, err
}

// piiContext binds a sealed SSN, last four or DOB to its customer row.
func piiContext(kind, partnerID, id string) string { return kind + ":" + partnerID + "/" + id }

func (s *CustomerStore) seal(v, kind, partnerID, id string) (string, string) {
	if v == "" {
		return "", ""
	}
	return s.vault.Seal(v, piiContext(kind, partnerID, id))
}

// Create implements customer.Store.
func (s *CustomerStore) Create(ctx context.Context, p customer.Profile, review *customer.Review) (_ customer.Profile, err error) {
	defer apperr.Op(&err, "storage.CustomerStore.Create(%s)", p.ID)
	fp := s.vault.Index("customer-request", p.Canonical())
	var out customer.Profile
	err = s.db.Tx(ctx, func(tx *Tx) error {
		existing, efp, err := scanCustomer(tx.QueryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE partner_id = ? AND id = ?`, p.PartnerID, p.ID))
		switch {
		case err == nil && efp == fp:
			out = existing
			return nil
		case err == nil:
			return apperr.E(apperr.Conflict, "Customer %s already exists with different data.", p.ID)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if err := s.insertCustomer(ctx, tx, p, fp); err != nil {
			return err
		}
		if review != nil {
			if err := insertReview(ctx, tx, review); err != nil {
				return err
			}
		}
		out = p
		return nil
	})
	if IsUniqueViolation(err) { // a concurrent create of the same id won: answer as a replay
		existing, efp, err := scanCustomer(s.db.QueryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE partner_id = ? AND id = ?`, p.PartnerID, p.ID))
		if err != nil {
			return customer.Profile{}, err
		}
		if efp != fp {
			return customer.Profile{}, apperr.E(apperr.Conflict, "Customer %s already exists with different data.", p.ID)
		}
		return existing, nil
	}
	return out, err
}

func (s *CustomerStore) insertCustomer(ctx context.Context, tx *Tx, p customer.Profile, fp string) error {
	dob := ""
	if !p.DOB.IsZero() {
		dob = p.DOB.Format("2006-01-02")
	}
	ssn, ssnKey := s.seal(p.SSN, "ssn", p.PartnerID, p.ID)
	l4, l4Key := s.seal(p.LastFour, "ssn-last4", p.PartnerID, p.ID)
	dobS, dobKey := s.seal(dob, "dob", p.PartnerID, p.ID)
	ssnIndex := ""
	if p.SSN != "" {
		ssnIndex = s.vault.Index("ssn", p.SSN)
	}
	_, err := tx.Exec(ctx, `INSERT INTO customers (partner_id, id, link_id, first_name, last_name, email, phone,
		address1, address2, city, state, zip_code, ssn_sealed, ssn_key_id, ssn_index, last4_sealed, last4_key_id,
		dob_sealed, dob_key_id, status, detail_code, detail, is_active, fingerprint, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.PartnerID, p.ID, p.LinkID, p.FirstName, p.LastName, p.Email, p.Phone, p.Address1, p.Address2, p.City,
		p.State, p.Zip, ssn, ssnKey, ssnIndex, l4, l4Key, dobS, dobKey, string(p.Status), p.DetailCode, p.Detail,
		p.Active, fp, Micros(p.CreatedAt), Micros(p.UpdatedAt))
	return err
}

func insertReview(ctx context.Context, tx *Tx, r *customer.Review) error {
	matches, err := json.Marshal(r.Matches)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO sanctions_reviews (id, partner_id, customer_id, entry_id, matched_name, score,
		list_version, matches, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.PartnerID, r.CustomerID, r.Match.EntryID, r.Match.Name, strconv.FormatFloat(r.Match.Score, 'f', 4, 64),
		r.Match.ListVersion, string(matches), r.Status, Micros(r.CreatedAt))
	return err
}

// Customer implements customer.Store.
func (s *CustomerStore) Customer(ctx context.Context, partnerID, id string) (_ customer.Profile, err error) {
	defer apperr.Op(&err, "storage.CustomerStore.Customer(%s, %s)", partnerID, id)
	p, _, err := scanCustomer(s.db.QueryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE partner_id = ? AND id = ?`, partnerID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, customer.ErrNotFound
	}
	return p, err
}

// PII opens a customer's sealed SSN and date of birth
// (YYYY-MM-DD), for the few paths that need them (tests, exports).
func (s *CustomerStore) PII(ctx context.Context, partnerID, id string) (ssn, dob string, err error) {
	defer apperr.Op(&err, "storage.CustomerStore.PII(%s, %s)", partnerID, id)
	var ssnS, ssnK, dobS, dobK string
	if err := s.db.QueryRow(ctx, `SELECT ssn_sealed, ssn_key_id, dob_sealed, dob_key_id FROM customers WHERE partner_id = ? AND id = ?`,
		partnerID, id).Scan(&ssnS, &ssnK, &dobS, &dobK); err != nil {
		return "", "", notFound(err, customer.ErrNotFound.Message)
	}
	if ssnS != "" {
		if ssn, err = s.vault.Open(ssnS, ssnK, piiContext("ssn", partnerID, id)); err != nil {
			return "", "", err
		}
	}
	if dobS != "" {
		if dob, err = s.vault.Open(dobS, dobK, piiContext("dob", partnerID, id)); err != nil {
			return "", "", err
		}
	}
	return ssn, dob, nil
}

// PartnerLabel implements customer.Store.
func (s *CustomerStore) PartnerLabel(ctx context.Context, partnerID string) (_ string, _ string, err error) {
	defer apperr.Op(&err, "storage.CustomerStore.PartnerLabel(%s)", partnerID)
	var name, prog string
	err = s.db.QueryRow(ctx, `SELECT p.name, COALESCE((SELECT code FROM programs WHERE partner_id = p.id
		ORDER BY created_at, code LIMIT 1), '') FROM partners p WHERE p.id = ?`, partnerID).Scan(&name, &prog)
	return name, prog, notFound(err, "partner not found")
}

const reviewCols = `id, partner_id, customer_id, matches, status, created_at, decided_at, decided_by, note`

func scanReview(row interface{ Scan(...any) error }) (customer.Review, error) {
	var r customer.Review
	var matches string
	var created, decided int64
	err := row.Scan(&r.ID, &r.PartnerID, &r.CustomerID, &matches, &r.Status, &created, &decided, &r.DecidedBy, &r.Note)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(matches), &r.Matches); err != nil {
		return r, err
	}
	if len(r.Matches) > 0 {
		r.Match = r.Matches[0]
	}
	r.CreatedAt = Time(created)
	if decided != 0 {
		r.DecidedAt = Time(decided)
	}
	return r, nil
}

// SanctionsReviews implements customer.Store.
func (s *CustomerStore) SanctionsReviews(ctx context.Context, status string, limit int) (_ []customer.Review, err error) {
	defer apperr.Op(&err, "storage.CustomerStore.SanctionsReviews()")
	q, args := `SELECT `+reviewCols+` FROM sanctions_reviews`, []any{}
	if status != "" {
		q += ` WHERE status = ?`
		args = append(args, status)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY created_at, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []customer.Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DecideSanctionsReview implements customer.Store: the review row and the
// customer row change together with an audit event, in one transaction.
func (s *CustomerStore) DecideSanctionsReview(ctx context.Context, d customer.Decision, now time.Time,
	decide func(pending []customer.Review) (customer.ReviewOutcome, error)) (_ customer.Review, err error) {
	defer apperr.Op(&err, "storage.CustomerStore.DecideSanctionsReview(%s)", d.CustomerID)
	var out customer.Review
	err = s.db.Tx(ctx, func(tx *Tx) error {
		pending, err := lockPendingReviews(ctx, tx, d.PartnerID, d.CustomerID)
		if err != nil {
			return err
		}
		o, err := decide(pending)
		if err != nil {
			return err
		}
		r := o.Review
		if _, err := tx.Exec(ctx, `UPDATE sanctions_reviews SET status = ?, decided_at = ?, decided_by = ?, note = ?
			WHERE id = ?`, r.Status, Micros(r.DecidedAt), r.DecidedBy, r.Note, r.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE customers SET status = ?, detail_code = ?, detail = ?, is_active = ?,
			updated_at = ? WHERE partner_id = ? AND id = ?`, string(o.Status), o.DetailCode, o.Detail, o.Active,
			Micros(now), r.PartnerID, r.CustomerID); err != nil {
			return err
		}
		out = r
		return tx.Audit(ctx, uuid.NewString(), Micros(now), d.Actor, "sanctions.review."+d.Decision,
			"customer:"+r.PartnerID+"/"+r.CustomerID, map[string]any{"reviewId": r.ID, "note": r.Note,
				"entryId": r.Match.EntryID, "matchedName": r.Match.Name, "score": r.Match.Score,
				"listVersion": r.Match.ListVersion, "status": string(o.Status)})
	})
	return out, err
}

// lockPendingReviews reads a customer's pending reviews, oldest first,
// locking them (FOR UPDATE on PostgreSQL). An empty partnerID reads every
// partner's.
func lockPendingReviews(ctx context.Context, tx *Tx, partnerID, customerID string) ([]customer.Review, error) {
	q, args := `SELECT `+reviewCols+` FROM sanctions_reviews WHERE customer_id = ? AND status = 'pending'`, []any{customerID}
	if partnerID != "" {
		q += ` AND partner_id = ?`
		args = append(args, partnerID)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY created_at`+tx.ForUpdate(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []customer.Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		found = append(found, r)
	}
	return found, rows.Err()
}
