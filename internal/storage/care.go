package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/verdant-baas/verdant/internal/vault"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/care"
)

// CareStore implements care.Store: customer-care cases. It holds the vault
// because a case's contact details are sealed at rest.
type CareStore struct {
	db    *DB
	vault *vault.Vault
}

// NewCareStore returns the care store over db and the vault v.
func NewCareStore(db *DB, v *vault.Vault) *CareStore { return &CareStore{db: db, vault: v} }

var _ care.Store = (*CareStore)(nil)

const caseCols = `c.id, c.case_number, c.partner_id, c.program_code, c.account_id, COALESCE(c.request_id, ''), c.fingerprint,
	c.subject, c.first_name, c.last_name, c.question, c.contact_sealed, c.contact_key_id, c.phone_type, c.device,
	c.status, c.tier, c.assignee, c.crm_status, c.crm_case_id, c.crm_delivered_at, c.created_at, c.updated_at,
	COALESCE(o.attempts, 0), COALESCE(o.last_error, '')`

const caseFrom = ` FROM care_cases c LEFT JOIN outbox o ON o.id = c.crm_outbox_id `

// contact is the sealed part of a case: the customer's email and phone.
type contact struct {
	Email string `json:"e"`
	Phone string `json:"p,omitempty"`
}

// contactContext binds a sealed contact to its case row.
func contactContext(caseID string) string { return "care-contact:" + caseID }

func (s *CareStore) scanCase(row interface{ Scan(...any) error }) (care.Case, error) {
	var c care.Case
	var sealed, kid, device string
	var delivered, created, updated int64
	err := row.Scan(&c.ID, &c.Number, &c.PartnerID, &c.ProgramCode, &c.AccountID, &c.RequestID, &c.Fingerprint,
		&c.Subject, &c.FirstName, &c.LastName, &c.Question, &sealed, &kid, &c.Phone.Type, &device,
		&c.Status, &c.Tier, &c.Assignee, &c.CRMStatus, &c.CRMCaseID, &delivered, &created, &updated,
		&c.CRMAttempts, &c.CRMLastError)
	if err != nil {
		return c, err
	}
	if delivered != 0 {
		c.CRMDeliveredAt = Time(delivered)
	}
	c.CreatedAt, c.UpdatedAt = Time(created), Time(updated)
	json.Unmarshal([]byte(device), &c.Device)
	plain, err := s.vault.Open(sealed, kid, contactContext(c.ID))
	if err != nil {
		return c, err
	}
	var ct contact
	if err := json.Unmarshal([]byte(plain), &ct); err != nil {
		return c, err
	}
	c.Email, c.Phone.Number = ct.Email, ct.Phone
	return c, nil
}

// Create implements care.Store.
func (s *CareStore) Create(ctx context.Context, c care.Case, first care.Change, deliver bool) (_ care.Case, _ bool, err error) {
	defer apperr.Op(&err, "storage.CareStore.Create(%s, %s)", c.ProgramCode, c.RequestID)
	ct, _ := json.Marshal(contact{c.Email, c.Phone.Number})
	sealed, kid := s.vault.Seal(string(ct), contactContext(c.ID))
	device, _ := json.Marshal(c.Device)
	var reqID any
	if c.RequestID != "" {
		reqID = c.RequestID
	}
	var out care.Case
	var replay bool
	err = s.db.Tx(ctx, func(tx *Tx) error {
		replay = false
		if c.RequestID != "" {
			prev, err := s.scanCase(tx.QueryRow(ctx, `SELECT `+caseCols+caseFrom+
				`WHERE c.partner_id = ? AND c.program_code = ? AND c.request_id = ?`, c.PartnerID, c.ProgramCode, c.RequestID))
			if err == nil {
				out, replay = prev, true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		outboxID := ""
		if deliver {
			var err error
			if outboxID, err = tx.Enqueue(ctx, care.Topic, care.Payload{CaseID: c.ID}, c.CreatedAt); err != nil {
				return err
			}
		}
		// A random number may collide with a stored one: draw again. The
		// conflict target names only case_number, so a concurrent twin
		// with the same request id still fails (and is answered below).
		for i := 0; ; i++ {
			c.Number = care.NewCaseNumber()
			res, err := tx.Exec(ctx, `INSERT INTO care_cases (id, case_number, partner_id, program_code, account_id, request_id,
				fingerprint, subject, first_name, last_name, question, contact_sealed, contact_key_id, phone_type, device,
				status, tier, assignee, crm_status, crm_outbox_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (case_number) DO NOTHING`,
				c.ID, c.Number, c.PartnerID, c.ProgramCode, c.AccountID, reqID, c.Fingerprint, c.Subject, c.FirstName,
				c.LastName, c.Question, sealed, kid, string(c.Phone.Type), string(device), string(c.Status), c.Tier,
				c.Assignee, care.CRMQueued, outboxID, Micros(c.CreatedAt), Micros(c.UpdatedAt))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				break
			}
			if i == 50 {
				return errors.New("care: no free case number after 50 draws")
			}
		}
		if err := insertChange(ctx, tx, first); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil && c.RequestID != "" && IsUniqueViolation(err) {
		// A concurrent call with the same request id committed first.
		prev, perr := s.scanCase(s.db.QueryRow(ctx, `SELECT `+caseCols+caseFrom+
			`WHERE c.partner_id = ? AND c.program_code = ? AND c.request_id = ?`, c.PartnerID, c.ProgramCode, c.RequestID))
		if perr == nil {
			return prev, true, nil
		}
	}
	if err != nil {
		return care.Case{}, false, err
	}
	if !replay {
		out.CRMStatus = care.CRMQueued
	}
	return out, replay, nil
}

func insertChange(ctx context.Context, tx *Tx, ch care.Change) error {
	_, err := tx.Exec(ctx, `INSERT INTO care_case_history (id, case_id, at, actor, action, from_status, to_status,
		from_tier, to_tier, from_assignee, to_assignee, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ch.ID, ch.CaseID, Micros(ch.At), ch.Actor, ch.Action, string(ch.FromStatus), string(ch.ToStatus),
		ch.FromTier, ch.ToTier, ch.FromAssignee, ch.ToAssignee, ch.Note)
	return err
}

// ByNumber implements care.Store.
func (s *CareStore) ByNumber(ctx context.Context, number string) (_ care.Case, err error) {
	defer apperr.Op(&err, "storage.CareStore.ByNumber(%s)", number)
	c, err := s.scanCase(s.db.QueryRow(ctx, `SELECT `+caseCols+caseFrom+`WHERE c.case_number = ?`, number))
	return c, caseNotFound(err)
}

// ByID implements care.Store.
func (s *CareStore) ByID(ctx context.Context, id string) (_ care.Case, err error) {
	defer apperr.Op(&err, "storage.CareStore.ByID(%s)", id)
	c, err := s.scanCase(s.db.QueryRow(ctx, `SELECT `+caseCols+caseFrom+`WHERE c.id = ?`, id))
	return c, caseNotFound(err)
}

func caseNotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return care.ErrNotFound
	}
	return err
}

// List implements care.Store: oldest first, by id (UUIDv7, so in
// creation order), after the cursor.
func (s *CareStore) List(ctx context.Context, f care.Filter) (_ []care.Case, err error) {
	defer apperr.Op(&err, "storage.CareStore.List()")
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Status != "" {
		add("c.status = ?", string(f.Status))
	}
	if f.ProgramCode != "" {
		add("c.program_code = ?", f.ProgramCode)
	}
	if f.Tier != 0 {
		add("c.tier = ?", f.Tier)
	}
	if f.Assignee != nil {
		add("c.assignee = ?", *f.Assignee)
	}
	if f.CRMStatus != "" {
		add("c.crm_status = ?", f.CRMStatus)
	}
	if !f.CreatedBefore.IsZero() {
		add("c.created_at <= ?", Micros(f.CreatedBefore))
	}
	if !f.CreatedAfter.IsZero() {
		add("c.created_at >= ?", Micros(f.CreatedAfter))
	}
	if f.After != "" {
		add("c.id > ?", f.After)
	}
	q := `SELECT ` + caseCols + caseFrom
	if len(where) > 0 {
		q += "WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.id LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []care.Case
	for rows.Next() {
		c, err := s.scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Update implements care.Store. The case row is the case's mutex: two
// agents changing one case are serialised, and each history entry records
// the values it actually replaced.
func (s *CareStore) Update(ctx context.Context, number string, fn func(c *care.Case) (care.Change, error)) (_ care.Case, err error) {
	defer apperr.Op(&err, "storage.CareStore.Update(%s)", number)
	var out care.Case
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `SELECT id FROM care_cases WHERE case_number = ?`+tx.ForUpdate(), number).Scan(&id); err != nil {
			return caseNotFound(err)
		}
		c, err := s.scanCase(tx.QueryRow(ctx, `SELECT `+caseCols+caseFrom+`WHERE c.id = ?`, id))
		if err != nil {
			return err
		}
		ch, err := fn(&c)
		if err != nil {
			return err
		}
		out = c
		if ch.ID == "" {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE care_cases SET status = ?, tier = ?, assignee = ?, updated_at = ? WHERE id = ?`,
			string(c.Status), c.Tier, c.Assignee, Micros(c.UpdatedAt), c.ID); err != nil {
			return err
		}
		if err := insertChange(ctx, tx, ch); err != nil {
			return err
		}
		return tx.emitCase(ctx, c, ch)
	})
	return out, err
}

// History implements care.Store, oldest first.
func (s *CareStore) History(ctx context.Context, caseID string) (_ []care.Change, err error) {
	defer apperr.Op(&err, "storage.CareStore.History(%s)", caseID)
	rows, err := s.db.Query(ctx, `SELECT id, case_id, at, actor, action, from_status, to_status, from_tier, to_tier,
		from_assignee, to_assignee, note FROM care_case_history WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []care.Change
	for rows.Next() {
		var ch care.Change
		var at int64
		var fromA, toA sql.NullString
		if err := rows.Scan(&ch.ID, &ch.CaseID, &at, &ch.Actor, &ch.Action, &ch.FromStatus, &ch.ToStatus,
			&ch.FromTier, &ch.ToTier, &fromA, &toA, &ch.Note); err != nil {
			return nil, err
		}
		ch.At = Time(at)
		if fromA.Valid {
			ch.FromAssignee = &fromA.String
		}
		if toA.Valid {
			ch.ToAssignee = &toA.String
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// MarkDelivered implements care.Store. Only the first delivery
// records itself; a late duplicate changes nothing.
func (s *CareStore) MarkDelivered(ctx context.Context, caseID, crmID string, now time.Time) (err error) {
	defer apperr.Op(&err, "storage.CareStore.MarkDelivered(%s)", caseID)
	return s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE care_cases SET crm_status = ?, crm_case_id = ?, crm_delivered_at = ?
			WHERE id = ? AND crm_status = ?`, care.CRMDelivered, crmID, Micros(now), caseID, care.CRMQueued)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return insertChange(ctx, tx, care.Change{ID: uuid.Must(uuid.NewV7()).String(), CaseID: caseID, At: now,
			Actor: "crm", Action: "crmDelivered", Note: "CRM case " + crmID})
	})
}

// EnqueueQueued implements care.Store. On PostgreSQL the row locks
// make concurrent callers on several nodes enqueue each case once.
func (s *CareStore) EnqueueQueued(ctx context.Context, now time.Time, limit int) (_ int, err error) {
	defer apperr.Op(&err, "storage.CareStore.EnqueueQueued()")
	n := 0
	err = s.db.Tx(ctx, func(tx *Tx) error {
		n = 0
		rows, err := tx.Query(ctx, `SELECT id FROM care_cases WHERE crm_status = ? AND crm_outbox_id = ''
			ORDER BY id LIMIT ?`+tx.ForUpdate(), care.CRMQueued, limit)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			mid, err := tx.Enqueue(ctx, care.Topic, care.Payload{CaseID: id}, now)
			if err != nil {
				return err
			}
			res, err := tx.Exec(ctx, `UPDATE care_cases SET crm_outbox_id = ? WHERE id = ? AND crm_outbox_id = ''`, mid, id)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return apperr.E(apperr.Conflict, "case enqueued concurrently")
			}
			n++
		}
		return nil
	})
	return n, err
}

// Redeliver implements care.Store. A message still in the outbox (pending
// behind its backoff, or dead) becomes due now with its error cleared; a
// case without one gets a new message. A worker holding the message's
// lease keeps it, so the case is not sent twice at once.
func (s *CareStore) Redeliver(ctx context.Context, number string, fn func(c care.Case) (care.Change, error), now time.Time) (_ care.Case, err error) {
	defer apperr.Op(&err, "storage.CareStore.Redeliver(%s)", number)
	var out care.Case
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var id, outboxID string
		if err := tx.QueryRow(ctx, `SELECT id, crm_outbox_id FROM care_cases WHERE case_number = ?`+tx.ForUpdate(),
			number).Scan(&id, &outboxID); err != nil {
			return caseNotFound(err)
		}
		c, err := s.scanCase(tx.QueryRow(ctx, `SELECT `+caseCols+caseFrom+`WHERE c.id = ?`, id))
		if err != nil {
			return err
		}
		ch, err := fn(c)
		if err != nil {
			return err
		}
		n := int64(0)
		if outboxID != "" {
			res, err := tx.Exec(ctx, `UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ''
				WHERE id = ? AND status <> 'delivered'`, Micros(now), outboxID)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
		}
		if n == 0 {
			if outboxID, err = tx.Enqueue(ctx, care.Topic, care.Payload{CaseID: c.ID}, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE care_cases SET crm_outbox_id = ? WHERE id = ?`, outboxID, c.ID); err != nil {
				return err
			}
		}
		if err := insertChange(ctx, tx, ch); err != nil {
			return err
		}
		if err := tx.audit(ctx, Micros(now), ch.Actor, "case.crmRedelivered", "case:"+c.Number,
			map[string]any{"caseId": c.ID, "programCode": c.ProgramCode, "attempts": c.CRMAttempts}); err != nil {
			return err
		}
		c.CRMLastError = ""
		out = c
		return nil
	})
	return out, err
}
