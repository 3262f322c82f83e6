package storage

import (
	"context"
	"github.com/verdant-baas/verdant/internal/apperr"
	"time"

	"github.com/verdant-baas/verdant/internal/verification"
)

// VerificationStore implements verification.Store and
// verification.MessageStore: contact verifications and their messages.
type VerificationStore struct {
	db *DB
}

// NewVerificationStore returns the verification store over db.
func NewVerificationStore(db *DB) *VerificationStore { return &VerificationStore{db: db} }

var (
	_ verification.Store        = (*VerificationStore)(nil)
	_ verification.MessageStore = (*VerificationStore)(nil)
)

const verificationCols = `id, program_code, account_id, event_type, contact_type, channel, handle_index, handle_sealed,
	handle_masked, code_hash, code_sealed, key_id, first_name, last_name, product_code, retail_card_id, state, attempts,
	created_at, expires_at, verified_at`

func scanVerification(row interface{ Scan(...any) error }) (verification.Verification, error) {
	var v verification.Verification
	var created, expires, verified int64
	err := row.Scan(&v.ID, &v.ProgramCode, &v.AccountID, &v.EventType, &v.ContactType, &v.Channel, &v.HandleIndex,
		&v.HandleSealed, &v.HandleMasked, &v.CodeHash, &v.CodeSealed, &v.KeyID, &v.FirstName, &v.LastName,
		&v.ProductCode, &v.RetailCardID, &v.State, &v.Attempts, &created, &expires, &verified)
	v.CreatedAt, v.ExpiresAt = Time(created), Time(expires)
	if verified != 0 {
		v.VerifiedAt = Time(verified)
	}
	return v, err
}

// Create implements verification.Store. The per-handle row
// in contact_rate_limits is the handle's mutex: it is created if missing
// and locked (FOR UPDATE on PostgreSQL; SQLite write transactions are
// exclusive) before the recent verifications are read, so two nodes
// cannot both pass the limit.
func (s *VerificationStore) Create(ctx context.Context, v verification.Verification, m verification.Message,
	since time.Time, allow func(verification.Sends) error) (err error) {
	defer apperr.Op(&err, "storage.VerificationStore.Create(%s)", v.ID)
	now := Micros(v.CreatedAt)
	return s.db.Tx(ctx, func(tx *Tx) error {
		sent, err := lockedSends(ctx, tx, v.HandleIndex, since)
		if err != nil {
			return err
		}
		if err := allow(sent); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contact_rate_limits SET last_at = ? WHERE handle_index = ?`, now, v.HandleIndex); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contact_verifications (`+verificationCols+`, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.ID, v.ProgramCode, v.AccountID, v.EventType, string(v.ContactType), string(v.Channel), v.HandleIndex,
			v.HandleSealed, v.HandleMasked, v.CodeHash, v.CodeSealed, v.KeyID, v.FirstName, v.LastName, v.ProductCode,
			v.RetailCardID, string(v.State), v.Attempts, now, Micros(v.ExpiresAt), 0, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO verification_messages (id, verification_id, program_code, channel, to_index,
			to_masked, subject, body, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, v.ID, v.ProgramCode, string(m.Channel), m.ToIndex, m.ToMasked, m.Subject, m.Body, string(m.Status), now, now); err != nil {
			return err
		}
		_, err = tx.Enqueue(ctx, verification.Topic, map[string]string{"messageId": m.ID}, v.CreatedAt)
		return err
	})
}

// lockedSends takes the handle's lock (creating its row if missing) and
// reads its last send and the creation times of its codes after since.
func lockedSends(ctx context.Context, tx *Tx, handleIndex string, since time.Time) (verification.Sends, error) {
	var sent verification.Sends
	if _, err := tx.Exec(ctx, `INSERT INTO contact_rate_limits (handle_index, last_at) VALUES (?, 0)
		ON CONFLICT (handle_index) DO NOTHING`, handleIndex); err != nil {
		return sent, err
	}
	var last int64
	if err := tx.QueryRow(ctx, `SELECT last_at FROM contact_rate_limits WHERE handle_index = ?`+tx.ForUpdate(),
		handleIndex).Scan(&last); err != nil {
		return sent, err
	}
	if last != 0 {
		sent.Last = Time(last)
	}
	rows, err := tx.Query(ctx, `SELECT created_at FROM contact_verifications WHERE handle_index = ? AND created_at > ?`,
		handleIndex, Micros(since))
	if err != nil {
		return sent, err
	}
	defer rows.Close()
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return sent, err
		}
		sent.Recent = append(sent.Recent, Time(at))
	}
	return sent, rows.Err()
}

// Verification implements verification.Store.
func (s *VerificationStore) Verification(ctx context.Context, programCode, id string) (_ verification.Verification, err error) {
	defer apperr.Op(&err, "storage.VerificationStore.Verification(%s, %s)", programCode, id)
	v, err := scanVerification(s.db.QueryRow(ctx, `SELECT `+verificationCols+` FROM contact_verifications
		WHERE id = ? AND program_code = ?`, id, programCode))
	return v, notFound(err, "contact verification not found")
}

// Check implements verification.Store.
func (s *VerificationStore) Check(ctx context.Context, programCode, id string, fn func(v *verification.Verification) error) (err error) {
	defer apperr.Op(&err, "storage.VerificationStore.Check(%s, %s)", programCode, id)
	var outcome error
	err = s.db.Tx(ctx, func(tx *Tx) error {
		v, err := scanVerification(tx.QueryRow(ctx, `SELECT `+verificationCols+` FROM contact_verifications
			WHERE id = ? AND program_code = ?`+tx.ForUpdate(), id, programCode))
		if err != nil {
			return notFound(err, "contact verification not found")
		}
		before := v
		outcome = fn(&v)
		if v.State == before.State && v.Attempts == before.Attempts {
			return nil
		}
		var verified int64
		if !v.VerifiedAt.IsZero() {
			verified = Micros(v.VerifiedAt)
		}
		// Once verified or locked the sealed code has no further use.
		sealed := v.CodeSealed
		if v.State == verification.StateVerified || v.State == verification.StateLocked {
			sealed = ""
		}
		_, err = tx.Exec(ctx, `UPDATE contact_verifications SET state = ?, attempts = ?, verified_at = ?, code_sealed = ?
			WHERE id = ?`, string(v.State), v.Attempts, verified, sealed, v.ID)
		return err
	})
	if err != nil {
		return err
	}
	return outcome
}

const messageCols = `id, verification_id, program_code, channel, to_index, to_masked, subject, body, status, attempts,
	last_error, created_at, sent_at`

func scanMessage(row interface{ Scan(...any) error }) (verification.Message, error) {
	var m verification.Message
	var created, sent int64
	err := row.Scan(&m.ID, &m.VerificationID, &m.ProgramCode, &m.Channel, &m.ToIndex, &m.ToMasked, &m.Subject, &m.Body,
		&m.Status, &m.Attempts, &m.LastError, &created, &sent)
	m.CreatedAt = Time(created)
	if sent != 0 {
		m.SentAt = Time(sent)
	}
	return m, err
}

// Message implements verification.MessageStore.
func (s *VerificationStore) Message(ctx context.Context, id string) (_ verification.Message, _ verification.Verification, err error) {
	defer apperr.Op(&err, "storage.VerificationStore.Message(%s)", id)
	m, err := scanMessage(s.db.QueryRow(ctx, `SELECT `+messageCols+` FROM verification_messages WHERE id = ?`, id))
	if err != nil {
		return m, verification.Verification{}, notFound(err, "verification message not found")
	}
	v, err := scanVerification(s.db.QueryRow(ctx, `SELECT `+verificationCols+` FROM contact_verifications WHERE id = ?`, m.VerificationID))
	return m, v, notFound(err, "contact verification not found")
}

// MarkMessage implements verification.MessageStore. The
// message and its verification change in one transaction, so "sent" is
// recorded once for both.
func (s *VerificationStore) MarkMessage(ctx context.Context, id string, st verification.MessageStatus, lastErr string, now time.Time) (err error) {
	defer apperr.Op(&err, "storage.VerificationStore.MarkMessage(%s)", id)
	if len(lastErr) > 500 {
		lastErr = lastErr[:500]
	}
	return s.db.Tx(ctx, func(tx *Tx) error {
		var vid string
		if err := tx.QueryRow(ctx, `SELECT verification_id FROM verification_messages WHERE id = ?`+tx.ForUpdate(), id).Scan(&vid); err != nil {
			return notFound(err, "verification message not found")
		}
		sent := int64(0)
		if st == verification.MessageSent {
			sent = Micros(now)
		}
		if _, err := tx.Exec(ctx, `UPDATE verification_messages SET status = ?, attempts = attempts + 1, last_error = ?,
			sent_at = ?, updated_at = ? WHERE id = ?`, string(st), lastErr, sent, Micros(now), id); err != nil {
			return err
		}
		var state verification.State
		switch st {
		case verification.MessageSent:
			state = verification.StateSent
		case verification.MessageFailed:
			state = verification.StateFailed
		default:
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE contact_verifications SET state = ?, updated_at = ? WHERE id = ? AND state IN ('pending', 'sent')`,
			string(state), Micros(now), vid)
		return err
	})
}

// Messages implements verification.MessageStore.
func (s *VerificationStore) Messages(ctx context.Context, toIndex string, limit int) (_ []verification.Message, err error) {
	defer apperr.Op(&err, "storage.VerificationStore.Messages()")
	rows, err := s.db.Query(ctx, `SELECT `+messageCols+` FROM verification_messages WHERE to_index = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, toIndex, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []verification.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
