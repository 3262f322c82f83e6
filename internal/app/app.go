package app

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/audit"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/console"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/outbox"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/retail"
	"github.com/verdant-baas/verdant/internal/sanctions"
	"github.com/verdant-baas/verdant/internal/sandbox"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/throttle"
	"github.com/verdant-baas/verdant/internal/vault"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// App is a wired platform.
type App struct {
	Config Config
	Log    *slog.Logger
	DB     *storage.DB
	Vault  *vault.Vault
	// Outbox delivers side effects; capabilities register their topics.
	Outbox *outbox.Worker

	Partners  *partner.Service
	Programs  *program.Service
	Accounts  *account.Service
	Cards     *card.Service
	Ledger    *ledger.Service
	Features  *feature.Service
	Customers *customer.Service
	Sanctions *sanctions.Service
	Delivery  *delivery.Service
	Retail    *retail.Service
	// Care is customer care; CRMSender sends its cases to the CRM (nil
	// when none is configured).
	Care      *care.Service
	CRMSender *care.CRMSender
	Audit     *audit.Service
	// Clock is the sandbox's per-program test clock (nil outside a sandbox).
	Clock     *sandbox.Clock
	loopbacks sandbox.LoopbackStore
	// Operators are the named operators (console and operator API);
	// Console is the back-office console at /console.
	Operators *operator.Service
	Console   *console.Console
	// Webhooks are the partner webhook subscriptions and delivery log;
	// WebhookWorker delivers them.
	Webhooks      *webhook.Service
	WebhookWorker *webhook.Worker

	Server  *api.Server
	Handler http.Handler

	stopWorkers context.CancelFunc
	workers     sync.WaitGroup
	closeOnce   sync.Once
	closeErr    error
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
	db.SetMaxConns(cfg.DBMaxConns)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.LoadVaultSecrets(ctx, v, cfg.Now()); err != nil {
		db.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, Vault: v}
	a.wire()
	if err := a.Sanctions.Ensure(ctx); err != nil { // first start: the embedded OFAC snapshot
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire() {
	now, db, v := a.Config.Now, a.DB, a.Vault
	outboxStore := storage.NewOutboxStore(db)
	a.Outbox = &outbox.Worker{Store: outboxStore, Log: a.Log, Now: now}
	a.Partners = &partner.Service{Store: storage.NewPartnerStore(db), Hasher: v, Now: now,
		Tokens: &partner.Tokens{Key: v.TokenKey(), TTL: a.Config.TokenTTL}}
	a.Programs = &program.Service{Store: storage.NewProgramStore(db), Now: now}
	a.Accounts = &account.Service{Store: storage.NewAccountStore(db), Now: now}
	cards := storage.NewCardStore(db, v)
	a.Cards = &card.Service{Store: cards, Now: now}
	ledgerStore := storage.NewLedgerStore(db)
	a.Ledger = &ledger.Service{Store: ledgerStore, Now: now}
	a.Features = &feature.Service{Store: storage.NewFeatureStore(db), Now: now}
	a.Sanctions = &sanctions.Service{Store: storage.NewSanctionsStore(db), Threshold: a.Config.SanctionsThreshold, Now: now}
	a.Customers = &customer.Service{Store: storage.NewCustomerStore(db, v), Screener: a.Sanctions, Now: now,
		Sandbox: a.Config.Sandbox}
	a.Delivery = &delivery.Service{Store: storage.NewDeliveryStore(db), Cards: cards, Settings: a.Config.deliverySettings(), Now: now}
	if a.Config.Sandbox {
		a.Clock = &sandbox.Clock{Store: storage.NewSandboxStore(db), Now: now}
		a.loopbacks = storage.NewSandboxStore(db)
		a.Delivery.ProgramNow = a.Clock.At
	}
	a.Retail = &retail.Service{Store: storage.NewRetailStore(db, v), Indexer: v, Policy: a.Config.retailPolicy(), Now: now}
	a.Audit = &audit.Service{Store: storage.NewAuditStore(db)}
	a.wireCare()
	a.Server = &api.Server{
		Log: a.Log, DB: db,
		Partners: a.Partners, Programs: a.Programs, Accounts: a.Accounts, Cards: a.Cards,
		Ledger: a.Ledger, Balances: a.Ledger, Features: a.Features,
		Customers: a.Customers, Lookup: &customer.Lookup{Store: storage.NewLookupStore(db, v), Now: now},
		Sanctions: a.Sanctions, Delivery: a.Delivery, Clock: a.Clock, Loopbacks: a.loopbacks, Retail: a.Retail, Care: a.Care, Audit: a.Audit,
		AdminToken: a.Config.AdminToken, Sandbox: a.Config.Sandbox, Version: a.Config.Version,
		MaxBodyBytes: a.Config.MaxBodyBytes, SeparateMetrics: a.Config.MetricsAddr != "", Now: now,
		Pools: a.DB, OutboxDepth: outboxStore,
	}
	a.Server.RequestTimeout = a.Config.RequestTimeout
	a.wireThrottles()
	a.wireVerifications() // sets the verification fields of a.Server
	a.wireWebhooks()      // sets a.Server.Webhooks and its metrics registry
	a.wireOperators()     // sets a.Server.Operators and a.Server.Console (with the webhooks)
	a.Handler = a.Server.Handler()
}

// wireThrottles limits failed authentications per client, across nodes.
func (a *App) wireThrottles() {
	lim := a.Config.AuthFailures
	if lim.Max <= 0 {
		lim.Max = DefaultAuthFailures.Max
	}
	if lim.Window <= 0 {
		lim.Window = DefaultAuthFailures.Window
	}
	st := storage.NewThrottleStore(a.DB)
	a.Server.OperatorThrottle = &throttle.Guard{Store: st, Limit: lim, Scope: throttle.Operator, Now: a.Config.Now}
	a.Server.ClientThrottle = &throttle.Guard{Store: st, Limit: lim, Scope: throttle.Client, Now: a.Config.Now}
}

// Start runs the background workers until ctx ends or the app is closed;
// Close stops them and waits for them before closing the database.
func (a *App) Start(ctx context.Context) {
	ctx, a.stopWorkers = context.WithCancel(ctx)
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Outbox.Run(ctx) }()
	a.startWebhooks(ctx)
	if a.CRMSender != nil {
		a.workers.Add(1)
		go func() { defer a.workers.Done(); a.CRMSender.Run(ctx, time.Minute) }()
	}
}

// Close stops the workers and releases the database.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		if a.stopWorkers != nil {
			a.stopWorkers()
		}
		a.workers.Wait()
		a.closeErr = a.DB.Close()
	})
	return a.closeErr
}
