package storage

import (
	"context"
	"strings"

	"github.com/verdant-baas/verdant/internal/ledger"
)

// A group commit's ledger postings (postingGroupTx) are decided one after
// another, each on what the ones before it left, exactly as if each ran
// its own statements; what changes is how many statements that takes.
// Before the first member runs, two statements read for every posting of
// the batch what it decides on: its account (locked, on PostgreSQL, with
// every other member's account, in account order) and its balance,
// NB100 enrolment and terms, earlier adjustment with the same identifier,
// program version and program balances. The postings' rows (adjustments,
// entries, balances) are then kept in memory and written together just
// before the commit, or before any member that is not a posting runs (a
// retail load reads and writes the ledger with statements of its own).
// On PostgreSQL a posting thus costs no round trip of its own; on SQLite
// the single writer runs a few statements per batch instead of five per
// posting.
//
// Correctness does not move: every value a posting decides on is read
// inside the transaction, after the account locks, and updated in memory
// by each member that changes it (Record), so a member sees what the
// members before it did.

// postingKey names a posting by what its batch reads for it.
type postingKey struct{ program, account, adjustmentID string }

// postingBatch is what a batch read for its postings, and the rows they
// recorded that are not yet written.
type postingBatch struct {
	accounts map[string]batchAccount // every member's account
	states   map[postingKey]batchState
	posted   map[string]int64 // account -> its balance as this transaction has it
	programs map[string]int64 // program ledger account -> its balance when read
	recorded map[[2]string]ledger.Adjustment

	buffering bool // the running member's rows are kept for write
	pending   pendingRows
}

type batchAccount struct {
	found           bool // false: no such account
	program, status string
}

type batchState struct {
	nb100, accepted bool
	prior, terms    string
	version         int64
}

// prefetchPostings reads, when the batch holds postings, what they decide
// on (locking every member's account on PostgreSQL).
func (tx *Tx) prefetchPostings(ctx context.Context, batch []*groupItem) error {
	var keys []postingKey
	var locks []string // in the batch's order: lock order on PostgreSQL
	seen := map[string]bool{}
	for _, it := range batch {
		if it.key != nil {
			keys = append(keys, *it.key)
		}
		if it.lock != "" && !seen[it.lock] {
			seen[it.lock] = true
			locks = append(locks, it.lock)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	b := &postingBatch{accounts: map[string]batchAccount{}, states: map[postingKey]batchState{},
		posted: map[string]int64{}, programs: map[string]int64{}, recorded: map[[2]string]ledger.Adjustment{}}
	if tx.Engine() == Postgres { // lock them all, in order; on SQLite the state read answers them
		if err := b.readAccounts(ctx, tx, locks); err != nil {
			return err
		}
	}
	if err := b.readStates(ctx, tx, keys); err != nil {
		return err
	}
	tx.postings = b
	return nil
}

// beforeMember readies tx for rest[0], with rest the members left: a
// posting reads from what was read for the postings in rest (reading it
// now if it was not) and keeps its rows; before any other member the rows
// kept so far are written and what was read is forgotten, since that
// member may change it.
func (tx *Tx) beforeMember(ctx context.Context, rest []*groupItem) error {
	if rest[0].key == nil {
		return tx.writePostings(ctx)
	}
	if tx.postings == nil {
		if err := tx.prefetchPostings(ctx, rest); err != nil {
			return err
		}
	}
	tx.postings.buffering = true
	return nil
}

// writePostings writes the rows the postings kept and forgets what was
// read for them.
func (tx *Tx) writePostings(ctx context.Context) error {
	err := tx.postings.flush(ctx, tx)
	tx.postings = nil
	return err
}

// The batch's reads. On PostgreSQL one statement each, the keys as
// arrays; on SQLite in chunks of VALUES rows (prepared per chunk size).
const (
	qBatchAccountsPG = `SELECT id, program_code, status FROM accounts WHERE id = ANY(CAST(? AS text[])) ORDER BY id FOR UPDATE`
	batchKeysPG      = `SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))`
	batchStateBody   = ` SELECT k.account, k.adj, COALESCE(a.program_code, ''), COALESCE(a.status, ''),
		COALESCE((SELECT posted FROM ledger_balances WHERE account_id = k.account), 0),
		(SELECT COUNT(*) FROM account_features WHERE account_id = k.account AND feature = ?),
		COALESCE((SELECT id FROM adjustments WHERE account_id = k.account AND adjustment_id = k.adj), ''),
		COALESCE(p.terms_enforced, '[]'), COALESCE(p.version, 0),
		(SELECT COUNT(*) FROM account_terms WHERE account_id = k.account AND terms_id = ? AND accepted = ?),
		COALESCE((SELECT CAST(SUM(posted) AS BIGINT) FROM ledger_program_balance_shards WHERE account = k.funding), 0),
		COALESCE((SELECT CAST(SUM(posted) AS BIGINT) FROM ledger_program_balance_shards WHERE account = k.fees), 0)
		FROM k LEFT JOIN accounts a ON a.id = k.account LEFT JOIN programs p ON p.code = a.program_code`
)

func qBatchState(n int) string {
	return `WITH k(account, adj, funding, fees) AS (VALUES ` + valueRows(n, 4) + `)` + batchStateBody
}

// readAccounts locks the accounts (PostgreSQL) and reads what LockAccount
// answers.
func (b *postingBatch) readAccounts(ctx context.Context, tx *Tx, ids []string) error {
	for _, id := range ids {
		b.accounts[id] = batchAccount{}
	}
	return b.scanAccounts(tx.Query(ctx, qBatchAccountsPG, ids))
}

func (b *postingBatch) scanAccounts(rows rowsScanner, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		a := batchAccount{found: true}
		if err := rows.Scan(&id, &a.program, &a.status); err != nil {
			return err
		}
		b.accounts[id] = a
	}
	return rows.Err()
}

func (b *postingBatch) readStates(ctx context.Context, tx *Tx, keys []postingKey) error {
	tail := []any{ledger.NB100, ledger.NB100Terms, true}
	if tx.Engine() == Postgres {
		cols := make([][]string, 4)
		for _, k := range keys {
			cols[0], cols[1] = append(cols[0], k.account), append(cols[1], k.adjustmentID)
			cols[2], cols[3] = append(cols[2], ledger.FundingAccount(k.program)), append(cols[3], ledger.FeeAccount(k.program))
		}
		q := `WITH k(account, adj, funding, fees) AS (` + batchKeysPG + `)` + batchStateBody
		rows, err := tx.Query(ctx, q, cols[0], cols[1], cols[2], cols[3], tail[0], tail[1], tail[2])
		return b.scanStates(keys, rows, err)
	}
	return inChunks(len(keys), func(from, n int) error {
		args := make([]any, 0, 4*n+len(tail))
		for _, k := range keys[from : from+n] {
			args = append(args, k.account, k.adjustmentID, ledger.FundingAccount(k.program), ledger.FeeAccount(k.program))
		}
		rows, err := tx.queryCached(ctx, qBatchState(n), append(args, tail...)...)
		return b.scanStates(keys[from:from+n], rows, err)
	})
}

// scanStates reads the state rows of keys (one per key, in any order).
func (b *postingBatch) scanStates(keys []postingKey, rows rowsScanner, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	byAccount := map[[2]string]postingKey{}
	for _, k := range keys {
		byAccount[[2]string{k.account, k.adjustmentID}] = k
	}
	for rows.Next() {
		var account, adj string
		var a batchAccount
		var s batchState
		var posted, nb100, accepted, funding, fees int64
		if err := rows.Scan(&account, &adj, &a.program, &a.status, &posted, &nb100, &s.prior, &s.terms, &s.version,
			&accepted, &funding, &fees); err != nil {
			return err
		}
		if _, locked := b.accounts[account]; !locked { // SQLite: no lock to take, the account as read
			a.found = a.program != ""
			b.accounts[account] = a
		}
		s.nb100, s.accepted = nb100 > 0, accepted > 0
		k := byAccount[[2]string{account, adj}]
		b.states[k] = s
		b.posted[account] = posted
		b.programs[ledger.FundingAccount(k.program)] = funding
		b.programs[ledger.FeeAccount(k.program)] = fees
	}
	return rows.Err()
}

// account answers what the batch read of an account (locked, on
// PostgreSQL); ok is false when it did not read it (the caller reads and
// locks it itself).
func (b *postingBatch) account(id string) (a batchAccount, ok bool) {
	if b == nil {
		return a, false
	}
	a, ok = b.accounts[id]
	return a, ok
}

// state answers the posting state of k from what the batch read and what
// its members recorded since; ok is false when the batch did not read k.
func (b *postingBatch) state(k postingKey) (st ledger.PostingState, prior string, ok bool) {
	if b == nil {
		return st, "", false
	}
	s, ok := b.states[k]
	if !ok {
		return st, "", false
	}
	st.Posted, st.NB100 = b.posted[k.account], s.nb100
	st.TermsEnforced, st.NB100TermsAccepted, st.ProgramVersion = parseList(s.terms), s.accepted, s.version
	st.Funding, st.Fees = b.programs[ledger.FundingAccount(k.program)], b.programs[ledger.FeeAccount(k.program)]
	if a, done := b.recorded[[2]string{k.account, k.adjustmentID}]; done {
		st.Prior = &a
		return st, "", true
	}
	return st, s.prior, true
}

// record notes what a member recorded, so the members after it see it.
func (b *postingBatch) record(a ledger.Adjustment, newPosted int64) {
	if b == nil {
		return
	}
	b.recorded[[2]string{a.AccountID, a.AdjustmentID}] = a
	b.posted[a.AccountID] = newPosted
}

// rowsScanner is *sql.Rows.
type rowsScanner interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}

// maxChunk is the most VALUES rows one SQLite statement carries; a batch
// is written in chunks of powers of two up to it, so a handful of
// prepared statements serve every batch size.
const maxChunk = 64

// inChunks calls fn for consecutive chunks [from, from+n) covering total
// items, n a power of two, largest first.
func inChunks(total int, fn func(from, n int) error) error {
	for from := 0; from < total; {
		n := maxChunk
		for n > total-from {
			n /= 2
		}
		if err := fn(from, n); err != nil {
			return err
		}
		from += n
	}
	return nil
}

// chunkSizes are the chunk sizes inChunks uses.
func chunkSizes() []int {
	var out []int
	for n := 1; n <= maxChunk; n *= 2 {
		out = append(out, n)
	}
	return out
}

// valueRows is n VALUES rows of cols placeholders each.
func valueRows(n, cols int) string {
	return strings.TrimSuffix(strings.Repeat("("+marks(cols)+"), ", n), ", ")
}
