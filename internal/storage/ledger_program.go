package storage

import (
	"context"
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

const qAddProgramBalance = `INSERT INTO ledger_program_balances (account, program_code, currency, posted, updated_at)
	VALUES (?, ?, ?, ?, ?) ON CONFLICT (account) DO UPDATE SET
	posted = ledger_program_balances.posted + excluded.posted, updated_at = excluded.updated_at`

// flush writes the deltas in account order. The schema's CHECK refuses a
// balance beyond the hard bound, failing the transaction.
func (p programDeltas) flush(ctx context.Context, tx *Tx) error {
	if len(p) == 0 {
		return nil
	}
	accounts := make([]string, 0, len(p))
	for a := range p {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	for _, a := range accounts {
		d := p[a]
		if _, err := tx.execCached(ctx, qAddProgramBalance, a, d.program, d.currency, d.amount, d.at); err != nil {
			return err
		}
	}
	return nil
}
