// Package app wires verdant together: configuration, the database, the
// vault, the domain services and the HTTP server. The binary and the
// end-to-end tests build the platform the same way, through New.
package app

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/crm"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/retail"
	"github.com/verdant-baas/verdant/internal/throttle"
	"github.com/verdant-baas/verdant/internal/vault"
)

// Config is everything verdant can be told at start. Load builds it from
// flags and the environment (Settings lists every setting, its default
// and its checks); tests may build one directly, and a zero field then
// takes the default of the service that uses it.
type Config struct {
	Addr         string        // listen address (VERDANT_ADDR)
	MetricsAddr  string        // own listener for GET /metrics; "" = the main one (VERDANT_METRICS_ADDR)
	PprofAddr    string        // Go profiler listener; "" = none (VERDANT_PPROF_ADDR)
	DataDir      string        // SQLite file and generated dev keys (VERDANT_DATA_DIR)
	DB           string        // sqlite:PATH or postgres://... (VERDANT_DB)
	DBMaxConns   int           // PostgreSQL pool size per node; 0 = storage's default (VERDANT_DB_MAX_CONNS)
	LogLevel     slog.Level    // VERDANT_LOG_LEVEL
	LogFormat    string        // json or text (VERDANT_LOG_FORMAT)
	Sandbox      bool          // non-production deployment (VERDANT_SANDBOX)
	Demo         bool          // seed demo data; implies Sandbox; a weak admin token is accepted (VERDANT_DEMO)
	AdminToken   string        // operator API token (VERDANT_ADMIN_TOKEN / _FILE)
	DataKey      []byte        // master data key (VERDANT_DATA_KEY / _FILE)
	RetiredKeys  [][]byte      // older data keys still able to open values (VERDANT_DATA_KEY_RETIRED)
	TokenTTL     time.Duration // partner access token lifetime (VERDANT_TOKEN_TTL)
	MaxBodyBytes int64         // request body limit (VERDANT_MAX_BODY_BYTES)
	Notify       NotifyConfig  // email/SMS delivery (docs/verifications.md)
	Verify       VerifyConfig  // contact-verification rules
	Version      string
	Now          func() time.Time // clock; tests may control it

	// CRM is the customer-care CRM (VERDANT_CRM_*); unset, cases stay
	// queued in the platform.
	CRM crm.Config
	// SanctionsThreshold is the screening score (0..1) at or above which a
	// new customer is held for review (VERDANT_SANCTIONS_THRESHOLD; default 0.90).
	SanctionsThreshold float64
	// Delivery overrides the card delivery rules (nil: delivery.DefaultSettings).
	Delivery *delivery.Settings
	// RequestTimeout bounds each request, waiting for a pooled database
	// connection included: past it the answer is 503 with Retry-After
	// (VERDANT_REQUEST_TIMEOUT; zero: no bound).
	RequestTimeout time.Duration
	// AuthFailures is the failed-authentication budget per client
	// address (operator token) and per client id (POST /authentication)
	// (VERDANT_AUTH_MAX_FAILURES, VERDANT_AUTH_FAILURE_WINDOW; zero:
	// DefaultAuthFailures).
	AuthFailures throttle.Limit

	// Partner webhooks (docs/webhooks.md); zero durations (tests) take the
	// worker's defaults.
	WebhookTimeout      time.Duration // one delivery attempt (VERDANT_WEBHOOK_TIMEOUT; 15s)
	WebhookRetention    time.Duration // delivered deliveries kept (VERDANT_WEBHOOK_RETENTION; 720h)
	WebhookDisableAfter time.Duration // every attempt failing this long disables a subscription (VERDANT_WEBHOOK_DISABLE_AFTER; 120h)
	// WebhookAllowPrivate accepts http URLs and private, loopback and
	// link-local receivers (VERDANT_WEBHOOK_ALLOW_PRIVATE; --sandbox does too).
	WebhookAllowPrivate bool

	// RetailValidationTTL is how long an approved retail validation may be
	// committed as a cash load and holds its amount against the daily load
	// limit (VERDANT_RETAIL_VALIDATION_TTL).
	RetailValidationTTL time.Duration
	// RetailMissLimit and RetailMissWindow are the enumeration guard: a
	// retailer (partner) whose validations are answered 110 this many
	// times within the window is throttled for one window
	// (VERDANT_RETAIL_MISS_LIMIT, VERDANT_RETAIL_MISS_WINDOW).
	RetailMissLimit  int
	RetailMissWindow time.Duration
	// Console is operator sign-in and the console (operators.go).
	Console ConsoleConfig
}

// DefaultDB is the database URL for a data directory.
func DefaultDB(dataDir string) string { return "sqlite:" + filepath.Join(dataDir, "verdant.db") }

// DevKeyFile is where a generated development data key is kept.
const DevKeyFile = "verdant-dev.key"

// LoadDataKey resolves the data key: VERDANT_DATA_KEY, else the file in
// VERDANT_DATA_KEY_FILE. Without either, SQLite falls back to a
// development key in the data directory: the one kept there, or a new one
// generated together with a new database (with a warning to log). It
// never makes a key for a database that already exists (that key could
// not open what is sealed in it), and never on PostgreSQL, where every
// node must share one key that outlives any node's directory.
func LoadDataKey(getenv func(string) string, cfg Config, log *slog.Logger) ([]byte, error) {
	if v := getenv("VERDANT_DATA_KEY"); v != "" {
		return named("VERDANT_DATA_KEY")(vault.ParseKey(v))
	}
	if f := getenv("VERDANT_DATA_KEY_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read VERDANT_DATA_KEY_FILE: %w", err)
		}
		return named("VERDANT_DATA_KEY_FILE")(vault.ParseKey(string(b)))
	}
	dbPath, sqlite := strings.CutPrefix(cfg.DB, "sqlite:")
	if !sqlite {
		return nil, errors.New("VERDANT_DATA_KEY or VERDANT_DATA_KEY_FILE is required on PostgreSQL: every node must use " +
			"the same key for the life of the database (make one once: openssl rand -hex 32 > data.key, keep it safe, " +
			"and set VERDANT_DATA_KEY_FILE=data.key)")
	}
	path := filepath.Join(cfg.DataDir, DevKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		log.Warn("using the development data key; set VERDANT_DATA_KEY or VERDANT_DATA_KEY_FILE in production", "file", path)
		return vault.ParseKey(string(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if _, err := os.Stat(dbPath); err == nil {
		return nil, fmt.Errorf("the database %s exists but no data key is set and %s is missing: set VERDANT_DATA_KEY "+
			"or VERDANT_DATA_KEY_FILE to the key it was made with, or put that file back", dbPath, path)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	key := vault.GenerateKey()
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write development data key: %w", err)
	}
	log.Warn("generated a development data key; back it up, and set VERDANT_DATA_KEY or VERDANT_DATA_KEY_FILE in production", "file", path)
	return vault.ParseKey(key)
}

// named prefixes a key parsing error with the variable it came from.
func named(name string) func([]byte, error) ([]byte, error) {
	return func(k []byte, err error) ([]byte, error) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return k, nil
	}
}

// LoadRetiredKeys parses VERDANT_DATA_KEY_RETIRED (comma separated).
func LoadRetiredKeys(getenv func(string) string) ([][]byte, error) {
	var out [][]byte
	for _, s := range strings.Split(getenv("VERDANT_DATA_KEY_RETIRED"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		k, err := vault.ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("VERDANT_DATA_KEY_RETIRED: %w", err)
		}
		out = append(out, k)
	}
	return out, nil
}

// LoadSecret reads NAME from the environment or the file named by NAME_FILE.
func LoadSecret(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	if f := getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// Discard is a logger that writes nothing (for tests and quiet commands).
var Discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func (c Config) retailPolicy() retail.Policy {
	return retail.Policy{ValidationTTL: c.RetailValidationTTL, MissLimit: c.RetailMissLimit, MissWindow: c.RetailMissWindow}.WithDefaults()
}

func (c Config) deliverySettings() delivery.Settings {
	if c.Delivery != nil {
		return *c.Delivery
	}
	return delivery.DefaultSettings()
}
