package main

import (
	"context"
	"io"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/storage"
)

// rekey re-seals every sealed value under the current data key, so a key
// in VERDANT_DATA_KEY_RETIRED can then be dropped.
func rekey(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("rekey")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		r, err := storage.NewVaultStore(a.DB, a.Vault).Rekey(ctx)
		if err != nil {
			printJSON(stdout, r) // what was re-sealed before the failure stays re-sealed
			return nil, err
		}
		return r, nil
	})
}
