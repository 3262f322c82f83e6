package storage

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/verdant-baas/verdant/internal/vault"
)

// LoadVaultSecrets installs the installation's index and token keys into
// v. On first start it stores the vault's current ones (sealed by the
// master key); afterwards it opens the stored ones, with a retired master
// key if need be, and re-seals them under the current master key. Nodes
// starting together agree: the first insert wins, the others read it.
func (db *DB) LoadVaultSecrets(ctx context.Context, v *vault.Vault, now time.Time) error {
	keys := map[string][]byte{}
	for _, name := range []string{"index", "token"} {
		k, err := db.vaultSecret(ctx, v, name, now)
		if err != nil {
			return fmt.Errorf("vault secret %s: %w", name, err)
		}
		keys[name] = k
	}
	return v.SetSecrets(keys["index"], keys["token"])
}

func (db *DB) vaultSecret(ctx context.Context, v *vault.Vault, name string, now time.Time) ([]byte, error) {
	bind := "vault-secret:" + name
	sealed, kid := v.Seal(hex.EncodeToString(v.DefaultSecret(name)), bind)
	if _, err := db.Exec(ctx, `INSERT INTO vault_secrets (name, sealed, key_id, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, sealed, kid, Micros(now)); err != nil {
		return nil, err
	}
	if err := db.w.QueryRowContext(ctx, db.Rebind(`SELECT sealed, key_id FROM vault_secrets WHERE name = ?`), name).Scan(&sealed, &kid); err != nil {
		return nil, err
	}
	plain, err := v.Open(sealed, kid, bind)
	if err != nil {
		return nil, fmt.Errorf("%w (is the key that sealed it, id %s, in VERDANT_DATA_KEY or VERDANT_DATA_KEY_RETIRED?)", err, kid)
	}
	key, err := hex.DecodeString(plain)
	if err != nil {
		return nil, err
	}
	if kid != v.KeyID() { // rotated: re-seal under the current master key
		resealed, newKid := v.Seal(plain, bind)
		if _, err := db.Exec(ctx, `UPDATE vault_secrets SET sealed = ?, key_id = ?, updated_at = ? WHERE name = ? AND key_id = ?`,
			resealed, newKid, Micros(now), name, kid); err != nil {
			return nil, err
		}
	}
	return key, nil
}
