package app

import (
	"time"

	"github.com/verdant-baas/verdant/internal/console"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/storage"
)

// ConsoleConfig holds operator sign-in and console settings (Settings
// loads and checks them; a zero field takes the operator package's
// default; docs/console.md).
type ConsoleConfig struct {
	IdleTimeout time.Duration // VERDANT_CONSOLE_IDLE_TIMEOUT (30m)
	MaxAge      time.Duration // VERDANT_CONSOLE_SESSION_MAX_AGE (12h)
	// SecureCookies marks the session cookie Secure on every response
	// (VERDANT_CONSOLE_SECURE_COOKIES: set it behind a TLS-terminating
	// proxy); it is Secure anyway on a request that came over TLS.
	SecureCookies bool
	// FourEyes makes an OFAC decision in the console a proposal that a
	// second risk operator approves (VERDANT_CONSOLE_FOUR_EYES).
	FourEyes      bool
	LoginFailures int           // VERDANT_LOGIN_MAX_FAILURES (5 per account in LoginWindow)
	LoginWindow   time.Duration // VERDANT_LOGIN_WINDOW (15m)
	LoginLockout  time.Duration // VERDANT_LOGIN_LOCKOUT (15m)
	// PasswordKDF is the cost of new password hashes (zero:
	// operator.DefaultKDF). No setting: tests make it cheap, since an
	// argon2 hash at the default cost is tens of milliseconds of CPU.
	PasswordKDF operator.KDF
}

// wireOperators builds the operator service and hands it to the server.
func (a *App) wireOperators() {
	c := a.Config.Console
	th := operator.DefaultThrottle
	if c.LoginFailures > 0 {
		th.MaxFailures = c.LoginFailures
	}
	if c.LoginWindow > 0 {
		th.Window = c.LoginWindow
	}
	if c.LoginLockout > 0 {
		th.Lockout = c.LoginLockout
	}
	a.Operators = &operator.Service{Store: storage.NewOperatorStore(a.DB), Sessions: storage.NewSessionStore(a.DB),
		Hasher: a.Vault, KDF: c.PasswordKDF, Throttle: th, SessionRules: operator.SessionRules{Idle: c.IdleTimeout, MaxAge: c.MaxAge},
		Now: a.Config.Now}
	a.Server.Operators = a.Operators
	if err := a.wireConsole(); err != nil {
		// The templates are embedded and parsed by a test: a failure here
		// is a build defect, not a runtime condition.
		panic(err)
	}
}

// wireConsole builds the console and mounts it on the server.
func (a *App) wireConsole() error {
	c := &console.Console{Log: a.Log, DB: a.DB, Store: storage.NewConsoleStore(a.DB, a.Vault), Operators: a.Operators,
		Customers: a.Customers, Sanctions: a.Sanctions, Care: a.Care, Accounts: a.Accounts, Cards: a.Cards,
		Programs: a.Programs, Partners: a.Partners, Ledger: a.Ledger, Features: a.Features, Delivery: a.Delivery,
		PII: storage.NewCustomerStore(a.DB, a.Vault), Audit: a.Audit, Webhooks: a.Webhooks, Retail: a.Retail,
		SecureCookies: a.Config.Console.SecureCookies, Version: a.Config.Version, Now: a.Config.Now}
	if a.Config.Console.FourEyes {
		c.FourEyes = &operator.FourEyes{Store: storage.NewProposalStore(a.DB), Now: a.Config.Now}
	}
	h, err := c.Handler()
	if err != nil {
		return err
	}
	a.Console, a.Server.Console = c, h
	return nil
}
