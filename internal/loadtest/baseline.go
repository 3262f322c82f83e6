package loadtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// Raw is the storage-limit baseline: a minimal program that commits the
// rows a posting commits straight through the database driver, with no
// HTTP, no verdant code and no group commit machinery, on the schema and
// the accounts the server uses (Seed's). Its statements are the ones a
// posting runs (internal/storage/ledger.go): lock the account row, read
// the posting state (balance, NB100, idempotency, terms, program
// balances) in one statement, insert the adjustment, its two entries and
// the balance, and once per transaction add to the program's funding
// balance (one shard of it, migration 00017). The rules in between are the
// overdraft check only.
type Raw struct {
	Load
	// Batch is how many postings share one transaction (SQLite: one
	// writer committing batches of Batch, one fsync each).
	Batch int
	// Workers is how many transactions run at once (PostgreSQL: Workers
	// connections, each committing its own posting).
	Workers int
}

// rawPosting is one posting the baseline makes.
type rawPosting struct {
	account, typ, adjustmentID, id, hash string
	delta                                int64
	at                                   int64
}

func (r Raw) posting(w, i int) rawPosting {
	acct, typ := r.Pick(w, i)
	delta := int64(125)
	if typ != "promo" {
		delta = -125
	}
	id, _ := uuid.NewV7()
	adj := uuid.NewString()
	h := sha256.Sum256([]byte(r.Program + "\x00" + acct + "\x00" + adj + "\x00" + typ))
	return rawPosting{account: acct, typ: typ, adjustmentID: adj, id: id.String(), hash: hex.EncodeToString(h[:16]),
		delta: delta, at: time.Now().UnixMicro()}
}

func (r Raw) funding() string { return "program:" + r.Program + ":funding" }

// The posting's statements, as storage/ledger.go runs them (? for SQLite).
const (
	rawLock  = `SELECT status FROM accounts WHERE id = ? AND program_code = ?`
	rawState = `SELECT
		COALESCE((SELECT posted FROM ledger_balances WHERE account_id = ?), 0),
		(SELECT COUNT(*) FROM account_features WHERE account_id = ? AND feature = 'NB100'),
		COALESCE((SELECT id FROM adjustments WHERE account_id = ? AND adjustment_id = ?), ''),
		COALESCE((SELECT p.terms_enforced FROM accounts a JOIN programs p ON p.code = a.program_code WHERE a.id = ?), '[]'),
		(SELECT COUNT(*) FROM account_terms WHERE account_id = ? AND terms_id = 'negBal' AND accepted),
		COALESCE((SELECT posted FROM ledger_program_balances WHERE account = ?), 0)`
	rawAdjustment = `INSERT INTO adjustments (id, account_id, adjustment_id, program_code, type, amount, fee, currency,
		description, debit_to_negative, status, reason, request_hash, created_at)
		VALUES (?, ?, ?, ?, ?, 125, 0, 'USD', 'load', FALSE, ?, ?, ?, ?)`
	rawEntries = `INSERT INTO ledger_entries (id, posting_id, program_code, account, currency, amount, posted_at)
		VALUES (?, ?, ?, ?, 'USD', ?, ?), (?, ?, ?, ?, 'USD', ?, ?)`
	rawBalance = `INSERT INTO ledger_balances (account_id, currency, posted, updated_at) VALUES (?, 'USD', ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET posted = excluded.posted, updated_at = excluded.updated_at`
	rawProgram = `INSERT INTO ledger_program_balance_shards (account, shard, program_code, currency, posted, updated_at)
		VALUES (?, ?, ?, 'USD', ?, ?) ON CONFLICT (account, shard) DO UPDATE SET
		posted = ledger_program_balance_shards.posted + excluded.posted, updated_at = excluded.updated_at`
)

// RawSQLite runs the baseline on the SQLite file at path (the server's,
// idle meanwhile) for r.Duration: one connection in WAL mode with
// synchronous=FULL, r.Batch postings per transaction.
func RawSQLite(ctx context.Context, path string, r Raw) (Report, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"+
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return Report{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	stmts := map[string]*sql.Stmt{}
	for _, q := range []string{rawLock, rawState, rawAdjustment, rawEntries, rawBalance, rawProgram} {
		if stmts[q], err = db.PrepareContext(ctx, q); err != nil {
			return Report{}, err
		}
	}
	var lat []time.Duration
	n, start := 0, time.Now()
	for i := 0; time.Since(start) < r.Duration; i++ {
		t0 := time.Now()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return Report{}, err
		}
		var funding int64
		for j := 0; j < r.Batch; j++ {
			k := i*r.Batch + j // the k-th posting, as Run's clients would send it
			p := r.posting(k%r.Clients, k/r.Clients)
			d, err := rawSQLitePost(ctx, tx, stmts, r, p)
			if err != nil {
				tx.Rollback()
				return Report{}, err
			}
			funding -= d
		}
		if _, err := tx.StmtContext(ctx, stmts[rawProgram]).ExecContext(ctx, r.funding(), 0, r.Program, funding, time.Now().UnixMicro()); err != nil {
			tx.Rollback()
			return Report{}, err
		}
		if err := tx.Commit(); err != nil {
			return Report{}, err
		}
		n += r.Batch
		lat = append(lat, time.Since(t0))
	}
	rep := summarise(lat, n, 0, time.Since(start))
	rep.Unit = "raw postings"
	return rep, nil
}

// rawSQLitePost is one posting in tx; it answers what it moved.
func rawSQLitePost(ctx context.Context, tx *sql.Tx, stmts map[string]*sql.Stmt, r Raw, p rawPosting) (int64, error) {
	st := func(q string) *sql.Stmt { return tx.StmtContext(ctx, stmts[q]) }
	var status string
	if err := st(rawLock).QueryRowContext(ctx, p.account, r.Program).Scan(&status); err != nil {
		return 0, fmt.Errorf("raw lock: %w", err)
	}
	var posted, nb100, accepted, funding int64
	var prior, terms string
	if err := st(rawState).QueryRowContext(ctx, p.account, p.account, p.account, p.adjustmentID, p.account, p.account,
		r.funding()).Scan(&posted, &nb100, &prior, &terms, &accepted, &funding); err != nil {
		return 0, fmt.Errorf("raw state: %w", err)
	}
	if posted+p.delta < 0 {
		_, err := st(rawAdjustment).ExecContext(ctx, p.id, p.account, p.adjustmentID, r.Program, p.typ, "declined",
			"insufficientFunds", p.hash, p.at)
		return 0, err
	}
	if _, err := st(rawAdjustment).ExecContext(ctx, p.id, p.account, p.adjustmentID, r.Program, p.typ, "completed",
		"success", p.hash, p.at); err != nil {
		return 0, err
	}
	e1, _ := uuid.NewV7()
	e2, _ := uuid.NewV7()
	if _, err := st(rawEntries).ExecContext(ctx, e1.String(), p.id, r.Program, p.account, p.delta, p.at,
		e2.String(), p.id, r.Program, r.funding(), -p.delta, p.at); err != nil {
		return 0, err
	}
	_, err := st(rawBalance).ExecContext(ctx, p.account, posted+p.delta, p.at)
	return p.delta, err
}

// RawPostgres runs the baseline on PostgreSQL (the server's schema, idle
// meanwhile) for r.Duration with native pgx (its prepared-statement cache
// on): r.Workers connections, each committing one posting per
// transaction, as an application without a group commit would.
func RawPostgres(ctx context.Context, dsn string, r Raw) (Report, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return Report{}, err
	}
	cfg.MaxConns, cfg.MinConns = int32(r.Workers), int32(r.Workers)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return Report{}, err
	}
	defer pool.Close()
	r.Clients = r.Workers
	var mu sync.Mutex
	var firstErr error
	rep := drive(ctx, r.Workers, r.Duration, func(w, i int) bool {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return rawPostgresPost(ctx, tx, r, r.posting(w, i)) })
		if err != nil {
			mu.Lock()
			firstErr = err
			mu.Unlock()
		}
		return err == nil
	})
	rep.Unit = "raw postings"
	return rep, firstErr
}

// rawPostgresPost is one posting in tx: five round trips (the adjustment,
// its entries and the balance are one statement, as verdant writes them).
func rawPostgresPost(ctx context.Context, tx pgx.Tx, r Raw, p rawPosting) error {
	var status string
	if err := tx.QueryRow(ctx, dollars(rawLock)+" FOR UPDATE", p.account, r.Program).Scan(&status); err != nil {
		return fmt.Errorf("raw lock: %w", err)
	}
	var posted, nb100, accepted, funding int64
	var prior, terms string
	if err := tx.QueryRow(ctx, dollars(rawState), p.account, p.account, p.account, p.adjustmentID, p.account, p.account,
		r.funding()).Scan(&posted, &nb100, &prior, &terms, &accepted, &funding); err != nil {
		return fmt.Errorf("raw state: %w", err)
	}
	if posted+p.delta < 0 {
		_, err := tx.Exec(ctx, dollars(rawAdjustment), p.id, p.account, p.adjustmentID, r.Program, p.typ, "declined",
			"insufficientFunds", p.hash, p.at)
		return err
	}
	e1, _ := uuid.NewV7()
	e2, _ := uuid.NewV7()
	if _, err := tx.Exec(ctx, rawRecord, p.id, p.account, p.adjustmentID, r.Program, p.typ, "completed", "success", p.hash,
		p.at, e1.String(), p.id, r.Program, p.account, p.delta, p.at, e2.String(), p.id, r.Program, r.funding(), -p.delta,
		p.at, p.account, posted+p.delta, p.at); err != nil {
		return err
	}
	// A random shard of the program's balance, as verdant's postings.
	_, err := tx.Exec(ctx, dollars(rawProgram), r.funding(), rand.IntN(16), r.Program, -p.delta, p.at)
	return err
}

// rawRecord is the adjustment, its entries and the balance in one
// statement (data-modifying CTEs), as verdant writes them on PostgreSQL.
var rawRecord = dollars(`WITH adj AS (` + rawAdjustment + `), ent AS (` + rawEntries + `) ` + rawBalance)

// dollars rewrites ? placeholders to $1, $2 ... (the statements hold no
// quoted question marks).
func dollars(q string) string {
	out := make([]byte, 0, len(q)+16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			out = append(out, q[i])
			continue
		}
		n++
		out = fmt.Appendf(out, "$%d", n)
	}
	return string(out)
}
