package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/reload"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/vault"
)

// App is a wired platform.
type App struct {
	Config   Config
	Log      *slog.Logger
	DB       *storage.DB
	Store    *storage.Store
	Vault    *vault.Vault
	Partners *partner.Service
	Programs *program.Service
	Accounts *account.Service
	Cards    *card.Service
	Delivery *delivery.Service
	Reload   *reload.Service
	Server   *api.Server
	Handler  http.Handler
}

// New opens and migrates the database and builds every service. The
// caller must Close the app.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	v, err := vault.New(cfg.DataKey, cfg.RetiredKeys...)
	if err != nil {
		return nil, err
	}
	db, err := storage.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, Store: storage.NewStore(db, v), Vault: v}
	a.wire()
	return a, nil
}

func (a *App) wire() {
	now, st := a.Config.Now, a.Store
	a.Partners = &partner.Service{Store: st, Hasher: a.Vault, Now: now,
		Tokens: &partner.Tokens{Key: a.Vault.TokenKey(), TTL: a.Config.TokenTTL}}
	a.Programs = &program.Service{Store: st, Now: now}
	a.Accounts = &account.Service{Store: st, Now: now}
	a.Cards = &card.Service{Store: st, Now: now}
	a.Delivery = &delivery.Service{Store: st, Cards: st, Settings: a.Config.deliverySettings(), Now: now}
	a.Reload = &reload.Service{Store: st, Indexer: a.Vault, Now: now}
	a.Server = &api.Server{
		Log: a.Log, DB: a.DB, Partners: a.Partners, Programs: a.Programs, Accounts: a.Accounts, Cards: a.Cards,
		Delivery: a.Delivery, Reload: a.Reload,
		AdminToken: a.Config.AdminToken, Sandbox: a.Config.Sandbox, Version: a.Config.Version,
		MaxBodyBytes: a.Config.MaxBodyBytes, Now: now,
	}
	a.Handler = a.Server.Handler()
}

// Start runs the background workers until ctx ends.
func (a *App) Start(ctx context.Context) {}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
