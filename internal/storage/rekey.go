package storage

import (
	"context"
	"fmt"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/vault"
	"slices"
	"strings"
)

// VaultStore does the vault's bulk work on the database: re-sealing of every
// sealed column.
type VaultStore struct {
	db    *DB
	vault *vault.Vault
}

// NewVaultStore returns the vault store over db and the vault v.
func NewVaultStore(db *DB, v *vault.Vault) *VaultStore { return &VaultStore{db: db, vault: v} }

// RekeyReport counts, per table, the rows whose sealed values Rekey
// rewrote under the current data key (KeyID).
type RekeyReport struct {
	Cards         int    `json:"cards"`
	Customers     int    `json:"customers"`
	Verifications int    `json:"verifications"`
	CareCases     int    `json:"careCases"`
	Webhooks      int    `json:"webhooks"`
	KeyID         string `json:"keyId"`
}

// rekeyBatch is how many rows one transaction of Rekey rewrites (a
// variable so tests can exercise several batches).
var rekeyBatch = 500

// sealedCol is one sealed column, the column holding its key id (shared
// by several sealed columns in contact_verifications) and the context
// that binds it to its row (computed from the row's primary key).
type sealedCol struct {
	sealed, keyID string
	context       func(pk []string) string
}

// sealedTable is a table holding sealed values.
type sealedTable struct {
	name  string // as reported
	table string
	pk    []string
	cols  []sealedCol
	count func(r *RekeyReport) *int
}

// sealedTables lists every sealed value the storage writes (vault_secrets
// excepted: LoadVaultSecrets re-seals those on start). The contexts must
// match the ones used when sealing.
var sealedTables = []sealedTable{
	{name: "cards", table: "cards", pk: []string{"id"},
		cols:  []sealedCol{{"pan_sealed", "pan_key_id", func(pk []string) string { return panContext(pk[0]) }}},
		count: func(r *RekeyReport) *int { return &r.Cards }},
	{name: "customers", table: "customers", pk: []string{"partner_id", "id"},
		cols: []sealedCol{
			{"ssn_sealed", "ssn_key_id", func(pk []string) string { return piiContext("ssn", pk[0], pk[1]) }},
			{"last4_sealed", "last4_key_id", func(pk []string) string { return piiContext("ssn-last4", pk[0], pk[1]) }},
			{"dob_sealed", "dob_key_id", func(pk []string) string { return piiContext("dob", pk[0], pk[1]) }},
		},
		count: func(r *RekeyReport) *int { return &r.Customers }},
	{name: "verifications", table: "contact_verifications", pk: []string{"id"},
		cols: []sealedCol{ // contexts as in internal/verification
			{"handle_sealed", "key_id", func(pk []string) string { return "contact:" + pk[0] }},
			{"code_sealed", "key_id", func(pk []string) string { return "otp:" + pk[0] }},
		},
		count: func(r *RekeyReport) *int { return &r.Verifications }},
	{name: "careCases", table: "care_cases", pk: []string{"id"},
		cols:  []sealedCol{{"contact_sealed", "contact_key_id", func(pk []string) string { return contactContext(pk[0]) }}},
		count: func(r *RekeyReport) *int { return &r.CareCases }},
	{name: "webhooks", table: "webhook_subscriptions", pk: []string{"id"},
		cols: []sealedCol{ // the signing secrets; context as in internal/webhook
			{"secret_sealed", "secret_key_id", webhookSecretContext},
			{"previous_sealed", "previous_key_id", webhookSecretContext},
		},
		count: func(r *RekeyReport) *int { return &r.Webhooks }},
}

func webhookSecretContext(pk []string) string { return "webhook-secret:" + pk[0] }

// Rekey re-seals under the vault's current key every sealed value whose
// key id is another (a retired key), so that key can then be dropped.
// Each table is walked in primary-key order, a batch per transaction. An
// update is guarded by the old key id and sealed value, so a row a
// concurrent writer changed meanwhile is not overwritten with a stale
// value; it is read again on another walk. Running it again changes
// nothing. A value that cannot be opened (its key is not in the vault)
// stops it with an error naming the table and row; the batches before
// stay committed. The report counts the rows rewritten.
func (s *VaultStore) Rekey(ctx context.Context) (_ RekeyReport, err error) {
	defer apperr.Op(&err, "storage.VaultStore.Rekey()")
	r := RekeyReport{KeyID: s.vault.KeyID()}
	for _, t := range sealedTables {
		// A row a concurrent writer changed between the read and the
		// guarded update is skipped; the table is walked again until no
		// row is skipped (only rows still under another key are read).
		for pass := 1; ; pass++ {
			n, skipped, err := s.rekeyTable(ctx, t)
			*t.count(&r) += n
			if err != nil {
				return r, err
			}
			if skipped == 0 {
				break
			}
			if pass == rekeyPasses {
				return r, fmt.Errorf("%s: %d rows changed while being re-sealed in %d passes: run again", t.name, skipped, pass)
			}
		}
	}
	return r, nil
}

// rekeyPasses bounds the walks over one table under concurrent writes.
const rekeyPasses = 5

func (s *VaultStore) rekeyTable(ctx context.Context, t sealedTable) (done, skipped int, err error) {
	cur := s.vault.KeyID()
	var keyCols []string // distinct key-id columns
	for _, c := range t.cols {
		if !slices.Contains(keyCols, c.keyID) {
			keyCols = append(keyCols, c.keyID)
		}
	}
	var stale []string
	for _, k := range keyCols {
		stale = append(stale, k+" NOT IN ('', ?)") // '' marks an absent value
	}
	sel := `SELECT ` + strings.Join(t.pk, ", ")
	for _, c := range t.cols {
		sel += ", " + c.sealed
	}
	for _, k := range keyCols {
		sel += ", " + k
	}
	after := t.pk[0] + " > ?"
	if len(t.pk) > 1 {
		after = "(" + strings.Join(t.pk, ", ") + ") > (" + strings.Repeat("?, ", len(t.pk)-1) + "?)"
	}
	sel += ` FROM ` + t.table + ` WHERE (` + strings.Join(stale, " OR ") + `) AND ` + after +
		` ORDER BY ` + strings.Join(t.pk, ", ") + fmt.Sprintf(` LIMIT %d`, rekeyBatch)

	cursor := make([]string, len(t.pk)) // "" sorts before every id
	for {
		var n, miss, rows int
		var last []string
		err := s.db.Tx(ctx, func(tx *Tx) error {
			n, miss, rows, last = 0, 0, 0, nil
			args := []any{}
			for range keyCols {
				args = append(args, cur)
			}
			for _, v := range cursor {
				args = append(args, v)
			}
			rs, err := tx.Query(ctx, sel, args...)
			if err != nil {
				return err
			}
			type row struct{ pk, sealed, kids []string }
			var batch []row
			for rs.Next() {
				r := row{make([]string, len(t.pk)), make([]string, len(t.cols)), make([]string, len(keyCols))}
				dest := []any{}
				for i := range r.pk {
					dest = append(dest, &r.pk[i])
				}
				for i := range r.sealed {
					dest = append(dest, &r.sealed[i])
				}
				for i := range r.kids {
					dest = append(dest, &r.kids[i])
				}
				if err := rs.Scan(dest...); err != nil {
					rs.Close()
					return err
				}
				batch = append(batch, r)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
			for _, r := range batch {
				kid := map[string]string{}
				for i, k := range keyCols {
					kid[k] = r.kids[i]
				}
				var set, where []string
				var setArgs, whereArgs []any
				for i, c := range t.cols {
					old := kid[c.keyID]
					if old == "" || old == cur || r.sealed[i] == "" {
						continue
					}
					plain, err := s.vault.Open(r.sealed[i], old, c.context(r.pk))
					if err != nil {
						return fmt.Errorf("%s %s, %s: %w (is the key that sealed it, id %s, in VERDANT_DATA_KEY_RETIRED?)",
							t.name, strings.Join(r.pk, "/"), c.sealed, err, old)
					}
					sealed, _ := s.vault.Seal(plain, c.context(r.pk))
					set, setArgs = append(set, c.sealed+" = ?"), append(setArgs, sealed)
					where, whereArgs = append(where, c.sealed+" = ?"), append(whereArgs, r.sealed[i])
				}
				for _, k := range keyCols {
					if kid[k] == "" || kid[k] == cur {
						continue
					}
					set, setArgs = append(set, k+" = ?"), append(setArgs, cur)
					where, whereArgs = append(where, k+" = ?"), append(whereArgs, kid[k])
				}
				for i, p := range t.pk {
					where, whereArgs = append(where, p+" = ?"), append(whereArgs, r.pk[i])
				}
				res, err := tx.Exec(ctx, `UPDATE `+t.table+` SET `+strings.Join(set, ", ")+` WHERE `+strings.Join(where, " AND "),
					append(setArgs, whereArgs...)...)
				if err != nil {
					return err
				}
				if c, err := res.RowsAffected(); err != nil {
					return err
				} else if c > 0 {
					n++
				} else {
					miss++
				}
			}
			rows = len(batch)
			if rows > 0 {
				last = batch[rows-1].pk
			}
			return nil
		})
		done, skipped = done+n, skipped+miss
		if err != nil || rows < rekeyBatch {
			return done, skipped, err
		}
		cursor = last
	}
}
