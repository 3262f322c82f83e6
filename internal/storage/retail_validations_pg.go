package storage

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/verdant-baas/verdant/internal/retail"
)

// On PostgreSQL a validation's transaction is sent in two round trips
// instead of six (BEGIN, lock, daily sum, insert, limit total, COMMIT):
// the BEGIN, the account lock and the sum go together, the domain
// decides, then the insert with its limit total and the COMMIT go
// together. Each statement of a batch still runs on its own snapshot,
// taken when it starts, so the sum, which starts once the lock is held,
// sees what the previous holder committed. Under load the transaction
// held its connection and the account lock across six round trips, each
// waiting for a CPU the clients and the database share, and the pool's
// queue, not the database, set the pace (issue 18,
// docs/benchmarks/retail.md).

// qRecordValidationPG inserts an approved validation and, only when it
// was inserted (not a replay), adds its hold to the account's running
// total; it answers how many validations it inserted (0 or 1).
var qRecordValidationPG = `WITH v AS (` + qInsertValidation + ` RETURNING 1),
	u AS (INSERT INTO retail_limit_use (account_id, day, counts_until, amount)
		SELECT ?::text, ?::bigint, ?::bigint, ?::bigint FROM v
		ON CONFLICT (account_id, day, counts_until) DO UPDATE SET amount = retail_limit_use.amount + excluded.amount)
	SELECT count(*) FROM v`

// recordValidationPG is RecordValidation on PostgreSQL, retried like Tx
// on a serialisation failure or a deadlock.
func (s *RetailStore) recordValidationPG(ctx context.Context, v retail.Validation, w retail.Window,
	decide func(usedToday int64) retail.Outcome) (out retail.Validation, fresh bool, err error) {
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		err = s.db.rawPG(ctx, func(c *pgx.Conn) error {
			out, fresh, err = recordValidationPG1(ctx, s.db, c, v, w, decide)
			return err
		})
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return out, fresh, err
		}
		time.Sleep(time.Duration(attempt+1) * 2 * time.Millisecond)
	}
	return out, fresh, err
}

// rawPG runs fn on a pooled connection's pgx connection. fn must leave no
// transaction open; a connection it could not leave clean is discarded.
func (db *DB) rawPG(ctx context.Context, fn func(c *pgx.Conn) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error { return fn(dc.(*stdlib.Conn).Conn()) })
}

func recordValidationPG1(ctx context.Context, db *DB, c *pgx.Conn, v retail.Validation, w retail.Window,
	decide func(usedToday int64) retail.Outcome) (retail.Validation, bool, error) {
	out := v
	if decide == nil { // nothing to decide under the lock: one statement, its own transaction
		tag, err := c.Exec(ctx, db.Rebind(qInsertValidation), validationArgs(out, 0)...)
		return out, err == nil && tag.RowsAffected() == 1, err
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(db.Rebind(qLockAccountRow+" FOR UPDATE"), v.AccountID)
	b.Queue(db.Rebind(qUsedToday), v.AccountID, Micros(w.DayStart), Micros(w.Now))
	var id string
	var used int64
	br := c.SendBatch(ctx, b)
	_, e1 := br.Exec()
	e2 := br.QueryRow().Scan(&id)
	e3 := br.QueryRow().Scan(&used)
	if err := errors.Join(e1, e2, e3, br.Close()); err != nil {
		return out, false, rollbackPG(ctx, c, err)
	}
	out.Outcome = decide(used)
	var hold int64
	if out.Code == retail.CodeSuccess {
		out.HoldUntil, hold = w.HoldUntil, Micros(w.HoldUntil)
	}
	b = &pgx.Batch{}
	var n int64
	if hold != 0 {
		args := append(validationArgs(out, hold), out.AccountID, dayOf(out.At), hold, out.Amount)
		b.Queue(db.Rebind(qRecordValidationPG), args...).QueryRow(func(r pgx.Row) error { return r.Scan(&n) })
	} else {
		b.Queue(db.Rebind(qInsertValidation), validationArgs(out, 0)...).Exec(func(tag pgconn.CommandTag) error {
			n = tag.RowsAffected()
			return nil
		})
	}
	b.Queue("COMMIT")
	if err := c.SendBatch(ctx, b).Close(); err != nil {
		return out, false, rollbackPG(ctx, c, err)
	}
	return out, n == 1, nil
}

// validationArgs are qInsertValidation's arguments for v holding until
// hold (micros, 0: nothing).
func validationArgs(v retail.Validation, hold int64) []any {
	body, _ := json.Marshal(outcomeJSON{AvailableBalance: v.AvailableBalance, ReloadFee: v.ReloadFee,
		MerchantFee: v.MerchantFee, MinAllowed: v.MinAllowed, MaxAllowed: v.MaxAllowed, CardType: v.CardType})
	return []any{v.ResponseID, nullString(v.MerchantID), nullString(v.RequestID), v.PartnerID, v.StoreID, v.UserID,
		v.RegisterID, v.AccountID, v.Last4, v.Amount, v.PaymentProgramType, v.RequestDateTime, v.Code,
		v.Description, string(body), v.Fingerprint, v.Code == retail.CodeSuccess, Micros(v.At), hold}
}

// rollbackPG ends the transaction a failed batch left open and answers
// cause; a connection that cannot roll back is discarded.
func rollbackPG(ctx context.Context, c *pgx.Conn, cause error) error {
	if c.IsClosed() {
		return errors.Join(cause, driver.ErrBadConn)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := c.Exec(rctx, "ROLLBACK"); err != nil {
		return errors.Join(cause, driver.ErrBadConn)
	}
	return cause
}
