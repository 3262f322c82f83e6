package storage

import (
	"context"
	"math/rand/v2"
	"slices"
)

// programDeltas is what one transaction's postings add to program ledger
// accounts (funding, fees). Every posting of a program touches them, so
// instead of a row lock per posting (which would serialise the program),
// a transaction adds its total once, just before it commits: concurrent
// transactions then hold those rows only while they commit, and take
// them in account order, after every customer account lock, so they
// never deadlock. A transaction that is retried starts with none.
type programDeltas map[string]*programDelta

type programDelta struct {
	program, currency string
	amount, at        int64
}

// add records amount on a program account.
func (p *programDeltas) add(account, program, currency string, amount, at int64) {
	if *p == nil {
		*p = programDeltas{}
	}
	d := (*p)[account]
	if d == nil {
		d = &programDelta{program: program, currency: currency}
		(*p)[account] = d
	}
	d.amount += amount
	d.at = max(d.at, at)
}

// pending answers what the transaction has added to account so far.
func (p programDeltas) pending(account string) int64 {
	if d := p[account]; d != nil {
		return d.amount
	}
	return 0
}

const qAddProgramBalance = `INSERT INTO ledger_program_balance_shards (account, shard, program_code, currency, posted, updated_at)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, shard) DO UPDATE SET
	posted = ledger_program_balance_shards.posted + excluded.posted, updated_at = excluded.updated_at`

// programShards is how many rows a program ledger account's balance is
// spread over (migration 00017); ledger_program_balances sums them.
const programShards = 16

// programShard is the shard this transaction adds to: one for all its
// deltas, so two transactions never lock two shards in opposite orders.
// On PostgreSQL a random one, so concurrent transactions seldom share a
// row lock; on SQLite (one writer) always the first.
func (tx *Tx) programShard() int {
	if tx.shard == 0 && tx.Engine() == Postgres {
		tx.shard = 1 + rand.IntN(programShards)
	}
	return max(tx.shard-1, 0)
}

// sorted answers the deltas' accounts in order.
func (p programDeltas) sorted() []string {
	accounts := make([]string, 0, len(p))
	for a := range p {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	return accounts
}

// flush writes the deltas in account order, to the transaction's shard.
// The schema's CHECK refuses a shard beyond its hard bound, failing the
// transaction (each member of a group then runs alone, on a shard of its
// own choosing).
func (p programDeltas) flush(ctx context.Context, tx *Tx) error {
	for _, a := range p.sorted() {
		d := p[a]
		if _, err := tx.execCached(ctx, qAddProgramBalance, a, tx.programShard(), d.program, d.currency, d.amount, d.at); err != nil {
			return err
		}
	}
	return nil
}
