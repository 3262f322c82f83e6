package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/retail"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// A load on PostgreSQL is a transaction of its own (recordLoad), and on
// PostgreSQL a round trip, not the work, is what a statement costs: with
// the database and its clients on the same cores, each one waits for both
// to be scheduled, and the transaction holds its account lock and its pool
// connection meanwhile. So the load's transaction takes four statements and
// its COMMIT instead of a dozen: the account lock; one read of everything the load is
// decided on (an earlier load under its request id, the daily-limit sums,
// whether its validation was committed, the ledger's posting state and
// whether the program has transaction subscribers), which pre-answers the
// ledger's LockAccount and PostingState as a group commit's read does
// (ledger_batch.go); the load's row with its running totals; and the
// posting's rows with the program balances, written at commit (flushEnd).
// The domain still decides, with the same pure functions, on values read
// under the lock.

// qLoadLockPG locks the load's account (the per-account mutex of its
// decisions) and answers what the ledger's LockAccount needs. Every read
// comes after it, in a statement of its own: a statement that waited for
// the lock still reads its start snapshot.
const qLoadLockPG = `SELECT program_code, status FROM accounts WHERE id = ? FOR UPDATE`

// qLoadStatePG is the one read after the lock: the id of a load already
// recorded under the request id, qLoadUse, whether the program has
// transaction subscribers (wants), and the posting's state as a group
// commit reads it (batchStateBody, one key).
const qLoadStatePG = `SELECT (SELECT id FROM retail_loads WHERE merchant_id = ? AND request_id = ?),
	(` + qUsedToday + `),
	(SELECT COUNT(*) FROM retail_loads WHERE kind = 'load' AND ref_id = ? AND status <> 'rejected'),
	EXISTS (` + qSubscribers + `),
	s.* FROM (WITH k(account, adj, funding, fees) AS (VALUES (CAST(? AS text), CAST(? AS text), CAST(? AS text),
		CAST(? AS text)))` + batchStateBody + `) s`

// qLoadInsertPG stores a posted load and moves its amount into the running
// totals (countLoad) in one statement; rows is the totals' VALUES rows.
func qLoadInsertPG(rows int) string {
	return `WITH u AS (INSERT INTO retail_limit_use (account_id, day, counts_until, amount) VALUES ` + valueRows(rows, 4) + `
		ON CONFLICT (account_id, day, counts_until) DO UPDATE SET amount = retail_limit_use.amount + excluded.amount) ` +
		qInsertLoad
}

// commitLoadPG is CommitLoad on PostgreSQL for a load whose validation
// names an account.
func (s *RetailStore) commitLoadPG(ctx context.Context, l retail.Load, w retail.Window, facts retail.LoadState,
	decide func(context.Context, retail.LoadState, ledger.Tx) (retail.Load, error)) (retail.Load, bool, error) {
	t := facts.Target.Account
	key := postingKey{program: t.ProgramCode, account: t.ID, adjustmentID: l.ResponseID}
	var out retail.Load
	var fresh bool
	err := s.db.Tx(ctx, func(tx *Tx) error {
		st := facts
		b, prev, err := readLoadState(ctx, tx, key, l, w, &st)
		if err != nil {
			return err
		}
		if prev {
			out, fresh = retail.Load{}, false
			out, err = scanLoad(tx.QueryRow(ctx, qLoadByRequest, l.MerchantID, l.RequestID))
			return err
		}
		tx.postings, b.buffering = b, true
		if out, err = decide(ctx, st, ledgerTx{tx}); err != nil {
			return err
		}
		fresh = true
		return insertLoadPG(ctx, tx, &out, st.Validation)
	})
	if errors.Is(err, errLoadTaken) {
		out, err = scanLoad(s.db.QueryRow(ctx, qLoadByRequest, l.MerchantID, l.RequestID))
		return out, false, err
	}
	return out, fresh, err
}

// readLoadState locks the load's account and reads what the load is
// decided on into st and a posting batch of the one posting; prev reports
// a load already recorded under the request id.
func readLoadState(ctx context.Context, tx *Tx, key postingKey, l retail.Load, w retail.Window,
	st *retail.LoadState) (_ *postingBatch, prev bool, _ error) {
	b := &postingBatch{accounts: map[string]batchAccount{}, states: map[postingKey]batchState{},
		posted: map[string]int64{}, programs: map[string]int64{}, recorded: map[[2]string]ledger.Adjustment{}}
	a := batchAccount{found: true}
	if err := tx.QueryRow(ctx, qLoadLockPG, key.account).Scan(&a.program, &a.status); err != nil {
		return nil, false, err
	}
	b.accounts[key.account] = a
	var prevID sql.NullString
	var committed int
	var subs bool
	var account, adj, program, status string
	var s batchState
	var posted, nb100, accepted, funding, fees int64
	funding0, fees0 := ledger.FundingAccount(key.program), ledger.FeeAccount(key.program)
	err := tx.QueryRow(ctx, qLoadStatePG, l.MerchantID, l.RequestID,
		key.account, Micros(w.DayStart), Micros(w.Now), st.Validation.ResponseID,
		key.program, webhook.Mask(webhook.Transaction),
		key.account, key.adjustmentID, funding0, fees0, ledger.NB100, ledger.NB100Terms, true).Scan(
		&prevID, &st.Used, &committed, &subs,
		&account, &adj, &program, &status, &posted, &nb100, &s.prior, &s.terms, &s.version, &accepted, &funding, &fees)
	if err != nil || prevID.Valid {
		return nil, prevID.Valid, err
	}
	st.Used -= ownHold(st.Validation, w)
	st.Committed = committed > 0
	s.nb100, s.accepted = nb100 > 0, accepted > 0
	b.states[key], b.posted[key.account] = s, posted
	b.programs[funding0], b.programs[fees0] = funding, fees
	tx.knowWants(key.program, webhook.Transaction, subs)
	return b, false, nil
}

// insertLoadPG stores l as insertLoad does, a posted one with its running
// totals in the same statement and its balance as its posting left it.
func insertLoadPG(ctx context.Context, tx *Tx, l *retail.Load, v *retail.Validation) error {
	if l.Status != retail.StatusPosted {
		return insertLoad(ctx, tx, l)
	}
	bal := tx.postings.posted[l.AccountID]
	l.AvailableBalance = &bal
	body, _ := json.Marshal(outcomeJSON{AvailableBalance: l.AvailableBalance, ReloadFee: l.ReloadFee,
		MerchantFee: l.MerchantFee, MinAllowed: l.MinAllowed, MaxAllowed: l.MaxAllowed})
	uses := []any{l.AccountID, dayOf(l.At), int64(postedUse), l.Amount}
	if !v.HoldUntil.IsZero() { // its validation's hold is released
		uses = append(uses, v.AccountID, dayOf(v.At), Micros(v.HoldUntil), -v.Amount)
	}
	at := Micros(l.At)
	args := append(uses, l.ResponseID, l.Kind, l.MerchantID, l.RequestID, l.PartnerID, l.StoreID, l.UserID, l.RegisterID,
		l.RequestDateTime, l.Ref, l.AccountID, l.Amount, l.Status, l.PostingID, l.Code, l.Description, string(body),
		l.Fingerprint, at, at)
	res, err := tx.Exec(ctx, qLoadInsertPG(len(uses)/4), args...)
	return loadInserted(res, err)
}
