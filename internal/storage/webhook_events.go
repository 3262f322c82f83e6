package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// The emission points: each business change writes its webhook events
// in its own transaction through these helpers. Each first asks whether
// any subscription wants the event (one indexed read, once per
// transaction) and builds the payload only then, so a program without
// webhooks pays one read. The event row is the only write (no row per
// delivery): the subscriptions' cursors read it (webhook_stream.go).

// Opener opens values sealed at rest (the vault).
type Opener interface {
	Open(sealed, keyID, context string) (string, error)
}

// UseOpener lets event payloads carry what is sealed at rest and may be
// shown (the last four digits of a holder's SSN). Without one they are
// left out.
func (db *DB) UseOpener(o Opener) { db.opener = o }

// OnWebhookEvent sets what is called after each transaction that wrote
// webhook events commits: this node's delivery worker's wakeup, a latency
// hint only (workers on every node still poll, so events committed on
// another node are found too).
func (db *DB) OnWebhookEvent(f func()) { db.onEvent.Store(&f) }

// emitFunc writes the event build makes when a subscription of the
// program wants events of type typ (when the transaction commits).
func (tx *Tx) emitFunc(ctx context.Context, programCode, typ string, build func() (webhook.Event, error)) error {
	if want, err := tx.wants(ctx, programCode, typ); err != nil || !want {
		return err
	}
	e, err := build()
	if errors.Is(err, errNoEvent) {
		return nil
	}
	if err != nil {
		return err
	}
	return tx.stream(e)
}

// errNoEvent is what a builder answers when the change has no event after all.
var errNoEvent = errors.New("no event")

// emitAccount writes the accountUpdated event of a change to an account:
// its snapshot as the transaction sees it.
func (tx *Tx) emitAccount(ctx context.Context, accountID, change string, at time.Time) error {
	var program string
	if err := tx.QueryRow(ctx, `SELECT program_code FROM accounts WHERE id = ?`, accountID).Scan(&program); err != nil {
		return err
	}
	return tx.emitFunc(ctx, program, webhook.AccountUpdated, func() (webhook.Event, error) {
		st, err := tx.accountState(ctx, accountID)
		return webhook.AccountEvent(st, change, at), err
	})
}

// accountState reads what an account snapshot is built from.
func (tx *Tx) accountState(ctx context.Context, accountID string) (webhook.AccountState, error) {
	var st webhook.AccountState
	var err error
	if st.Account, err = scanAccount(tx.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`, accountID)); err != nil {
		return st, err
	}
	rows, err := tx.Query(ctx, `SELECT feature FROM account_features WHERE account_id = ? ORDER BY feature`, accountID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			rows.Close()
			return st, err
		}
		st.Features = append(st.Features, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows, err = tx.Query(ctx, `SELECT `+cardCols+` FROM cards WHERE account_id = ? ORDER BY issued_at DESC, id DESC`, accountID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			rows.Close()
			return st, err
		}
		st.Cards = append(st.Cards, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || st.Account.Holder.CustomerID == "" {
		return st, err
	}
	var partner string
	if err := tx.QueryRow(ctx, `SELECT partner_id FROM programs WHERE code = ?`, st.Account.ProgramCode).Scan(&partner); err != nil {
		return st, err
	}
	p, err := tx.profile(ctx, partner, st.Account.Holder.CustomerID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return st, nil // the holder has no customer profile
	case err != nil:
		return st, err
	}
	st.Profile = &p
	return st, nil
}

// profile reads a customer profile with the last four digits of its SSN
// opened (when the database has an opener).
func (tx *Tx) profile(ctx context.Context, partnerID, id string) (customer.Profile, error) {
	p, _, err := scanCustomer(tx.QueryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE partner_id = ? AND id = ?`, partnerID, id))
	if err != nil || tx.db.opener == nil {
		return p, err
	}
	var l4, l4Key, ssn, ssnKey string
	if err := tx.QueryRow(ctx, `SELECT last4_sealed, last4_key_id, ssn_sealed, ssn_key_id FROM customers
		WHERE partner_id = ? AND id = ?`, partnerID, id).Scan(&l4, &l4Key, &ssn, &ssnKey); err != nil {
		return p, err
	}
	switch {
	case l4 != "":
		p.LastFour, err = tx.db.opener.Open(l4, l4Key, piiContext("ssn-last4", partnerID, id))
	case ssn != "": // only the full SSN was given: its last four, and nothing else of it, leaves here
		full, oerr := tx.db.opener.Open(ssn, ssnKey, piiContext("ssn", partnerID, id))
		if oerr == nil && len(full) >= 4 {
			p.LastFour = full[len(full)-4:]
		}
		err = oerr
	}
	return p, err
}

// emitCustomer writes the events of a customer profile's new status (an
// OFAC review's outcome): customerUpdated to every program of the
// partner, under the holder's account there ("" when there is none), and
// accountUpdated for each account the customer holds.
func (tx *Tx) emitCustomer(ctx context.Context, partnerID, customerID string, at time.Time) error {
	type holding struct{ program, account string }
	rows, err := tx.Query(ctx, `SELECT p.code, COALESCE(a.id, '') FROM programs p
		LEFT JOIN accounts a ON a.program_code = p.code AND a.customer_id = ?
		WHERE p.partner_id = ? ORDER BY p.code, a.id`, customerID, partnerID)
	if err != nil {
		return err
	}
	var hs []holding
	for rows.Next() {
		var h holding
		if err := rows.Scan(&h.program, &h.account); err != nil {
			rows.Close()
			return err
		}
		hs = append(hs, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, h := range hs {
		if err := tx.emitFunc(ctx, h.program, webhook.CustomerUpdated, func() (webhook.Event, error) {
			p, err := tx.profile(ctx, partnerID, customerID)
			return webhook.CustomerEvent(p, h.program, h.account, at), err
		}); err != nil {
			return err
		}
		if h.account == "" {
			continue
		}
		if err := tx.emitAccount(ctx, h.account, webhook.ChangeOFAC, at); err != nil {
			return err
		}
	}
	return nil
}

// emitMailTracking writes the mailTracking event of a card's new
// delivery event: the card's delivery status as the status page would
// answer it now (nothing while it would answer "not available").
func (tx *Tx) emitMailTracking(ctx context.Context, cardID string, now time.Time, settings delivery.Settings) error {
	c, err := scanCard(tx.QueryRow(ctx, `SELECT `+cardCols+` FROM cards WHERE id = ?`, cardID))
	if err != nil {
		return err
	}
	return tx.emitFunc(ctx, c.ProgramCode, webhook.MailTracking, func() (webhook.Event, error) {
		sh, err := shipments(ctx, tx, []card.Card{c})
		if err != nil {
			return webhook.Event{}, err
		}
		ans, err := delivery.Track(sh, now, settings)
		if err != nil {
			return webhook.Event{}, errNoEvent
		}
		a, err := scanAccount(tx.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`, c.AccountID))
		return webhook.MailTrackingEvent(ans, a.Holder, now), err
	})
}

// emitCase writes the caseUpdated event of an agent's change to a case.
func (tx *Tx) emitCase(ctx context.Context, c care.Case, ch care.Change) error {
	return tx.emitFunc(ctx, c.ProgramCode, webhook.CaseUpdated, func() (webhook.Event, error) {
		return webhook.CaseEvent(c, ch), nil
	})
}

// emitCard writes the cardUpdate event of a card issued (previous empty)
// or whose status changed from previous.
func (tx *Tx) emitCard(ctx context.Context, c card.Card, previous card.Status, at time.Time) error {
	return tx.emitFunc(ctx, c.ProgramCode, webhook.CardUpdate, func() (webhook.Event, error) {
		return webhook.CardEvent(c, previous, at), nil
	})
}

func (s *DeliveryStore) settings() delivery.Settings {
	if s.Settings != nil {
		return *s.Settings
	}
	return delivery.DefaultSettings()
}
