package storage

import (
	"context"
	"github.com/verdant-baas/verdant/internal/apperr"
	"strings"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/card"
)

// bulkBatch is the rows per multi-row INSERT (within both engines'
// parameter limits: 16 card columns x 500 = 8,000).
const bulkBatch = 500

// BulkCreateCardholders inserts accounts and cards (pans[i] is cards[i]'s
// PAN, sealed and indexed like CardStore.Create does) in one transaction with
// multi-row INSERTs: for imports and for seeding load tests with 100,000
// cards in seconds.
func (s *LookupStore) BulkCreateCardholders(ctx context.Context, accounts []account.Account, cards []card.Card, pans []string) (err error) {
	defer apperr.Op(&err, "storage.LookupStore.BulkCreateCardholders()")
	return s.db.Tx(ctx, func(tx *Tx) error {
		for i := 0; i < len(accounts); i += bulkBatch {
			batch := accounts[i:min(i+bulkBatch, len(accounts))]
			args := make([]any, 0, len(batch)*9)
			for _, a := range batch {
				args = append(args, a.ID, a.ProgramCode, string(a.Status), a.Holder.FirstName, a.Holder.LastName,
					a.Holder.ZipCode, a.Holder.CustomerID, Micros(a.CreatedAt), Micros(a.UpdatedAt))
			}
			if _, err := tx.Exec(ctx, `INSERT INTO accounts (`+accountCols+`) VALUES `+placeholders(len(batch), 9), args...); err != nil {
				return err
			}
		}
		for i := 0; i < len(cards); i += bulkBatch {
			end := min(i+bulkBatch, len(cards))
			args := make([]any, 0, (end-i)*16)
			for k := i; k < end; k++ {
				c, pan := cards[k], pans[k]
				sealed, kid := s.vault.Seal(pan, panContext(c.ID))
				args = append(args, c.ID, c.AccountID, c.ProgramCode, sealed, kid, s.vault.Index("pan", pan), c.Last4, c.BIN,
					c.ExpiryYear, c.ExpiryMonth, c.Type, string(c.Status), c.EmbossType, c.DeliveryMethod, Micros(c.IssuedAt), Micros(c.UpdatedAt))
			}
			if _, err := tx.Exec(ctx, `INSERT INTO cards (id, account_id, program_code, pan_sealed, pan_key_id, pan_index,
				last4, bin, expiry_year, expiry_month, type, status, emboss_type, delivery_method, issued_at, updated_at)
				VALUES `+placeholders(end-i, 16), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// placeholders answers "(?, ?), (?, ?)" for rows x cols.
func placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}
