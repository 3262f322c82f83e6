// Package ledger is verdant's double-entry ledger.
package ledger

import "context"

// Balance is an account's balance in minor units.
type Balance struct {
	Currency  string
	Posted    int64 // sum of posted entries
	Available int64 // posted less holds
}

// BalanceReader answers an account's balance. Capabilities that show a
// balance (get account, retail reload validation) depend on this, not on
// the ledger's internals.
type BalanceReader interface {
	Balance(ctx context.Context, accountID string) (Balance, error)
}
