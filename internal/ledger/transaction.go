package ledger

import (
	"time"

	"github.com/verdant-baas/verdant/internal/money"
)

// Transaction is a posted transaction as partners see it: an item of
// GET .../transactions and the body of the transaction webhook, one shape
// built by one function (TransactionOf).
type Transaction struct {
	TransactionIdentifier         string         `json:"transactionIdentifier"`
	TransactionDate               string         `json:"transactionDate"`
	TransactionType               string         `json:"transactionType"`
	TransactionDescription        string         `json:"transactionDescription"`
	CreditDebitIndicator          string         `json:"creditDebitIndicator"`
	Amount                        string         `json:"amount"`
	Fee                           string         `json:"fee"`
	Currency                      string         `json:"currency"`
	PostedInternalTransactionData PostedInternal `json:"postedInternalTransactionData"`
}

// PostedInternal ties a posted transaction to the adjustment that made it.
type PostedInternal struct {
	AdjustmentIdentifier string `json:"adjustmentIdentifier"`
	Description          string `json:"description"`
}

// TransactionOf is a posted adjustment as a partner's transaction.
func TransactionOf(a Adjustment) Transaction {
	return Transaction{
		TransactionIdentifier: a.ID, TransactionDate: FormatTime(a.CreatedAt), TransactionType: a.Type,
		TransactionDescription: a.Description, CreditDebitIndicator: a.Direction().String(),
		Amount: money.Format(a.Amount), Fee: money.Format(a.Fee), Currency: a.Currency,
		PostedInternalTransactionData: PostedInternal{AdjustmentIdentifier: a.AdjustmentID, Description: a.Description},
	}
}

// TimeLayout is how a posting time is written: as the adjustments page's
// sample does (UTC, milliseconds).
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime formats a posting time in TimeLayout, in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }
