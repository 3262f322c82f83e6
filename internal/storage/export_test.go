package storage

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// SetRekeyBatch sets Rekey's batch size for a test and returns a restore func.
func SetRekeyBatch(n int) func() {
	old := rekeyBatch
	rekeyBatch = n
	return func() { rekeyBatch = old }
}

// LockedGroupTx exposes lockedGroupTx (the ledger's group commit) to the
// storage tests.
func (db *DB) LockedGroupTx(ctx context.Context, lock string, fn func(tx *Tx) error) error {
	return db.lockedGroupTx(ctx, lock, fn)
}

// MigrateTo applies the embedded migrations up to version only.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.w, fsys, goose.WithAllowOutofOrder(true))
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// ListQuery exposes the transaction listing's statement for q.
func ListQuery(q ledger.TransactionQuery) (string, []any) { return listQuery(q) }

// Plan answers the plan the engine runs q with for args: SQLite's EXPLAIN
// QUERY PLAN; on PostgreSQL the EXPLAIN of the plan made for these values
// or, when generic, of the generic plan a prepared statement may settle on
// after five runs whatever the values (forced here, so that the test does
// not depend on the planner's cost guess).
func (db *DB) Plan(ctx context.Context, generic bool, q string, args ...any) (string, error) {
	var lines []string
	if db.Engine == SQLite {
		rows, err := db.Query(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return "", err
			}
			lines = append(lines, detail)
		}
		return strings.Join(lines, "\n"), rows.Err()
	}
	lits := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			lits[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		case bool:
			lits[i] = strings.ToUpper(strconv.FormatBool(v))
		default:
			lits[i] = fmt.Sprint(v)
		}
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		lines = nil
		mode := "force_custom_plan"
		if generic {
			mode = "force_generic_plan"
		}
		if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = "+mode); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, "PREPARE verdant_plan AS "+db.Rebind(q)); err != nil {
			return err
		}
		defer tx.tx.ExecContext(ctx, "DEALLOCATE verdant_plan")
		rows, err := tx.tx.QueryContext(ctx, "EXPLAIN EXECUTE verdant_plan("+strings.Join(lits, ", ")+")")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			lines = append(lines, line)
		}
		return rows.Err()
	})
	return strings.Join(lines, "\n"), err
}

// HotReads are the statements of the hot partner calls by name, for
// the plan tests: the cardholder lookup, the retail targets and the daily
// limit's totals, and the balance.
var HotReads = map[string]string{
	"cardholder":     cardholderQuery,
	"targets by PAN": qTargetsByPAN,
	"target":         qTarget,
	"limit totals":   qUsedToday,
	"balance":        qBalance,
}

// SetDayPage sets how many adjustments each query of the store's Day
// reads, so a test crosses page boundaries with a few.
func (s *LedgerStore) SetDayPage(n int) { s.dayPage = n }
