package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/logging"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `verdant: self-hostable Banking-as-a-Service

usage: verdant <command> [flags]

commands:
  serve             run the partner and operator APIs (--demo seeds demo data)
  migrate           apply database migrations and exit
  version           print the version
  partner create    create a partner and print its client credentials
  program create    create a program
  program reload    set a program's retail reload settings (fees, limits, --retail-partners)
  account open      open an account in a program
  card issue        issue a card on an account
  case list         list customer-care cases (--status, --program, --crm-status)
  case show         show a customer-care case with its history (--number)
  feature set       enrol or unenrol an account in a feature (actor "operator")
  feature history   an account's enrolment and terms changes, newest first
  sanctions load    put fresh OFAC CSV files (DIR/sdn.csv, alt.csv, add.csv) in force
  sanctions show    print the OFAC list in force
  recon             a program's daily reconciliation (--program CODE --date YYYY-MM-DD [--format csv])
  ledger verify     check every balance against its entries and that the ledger balances
  rekey             re-seal every value sealed with a retired data key under the current one

Run 'verdant <command> -h' for a command's flags. Every flag can also be
set as VERDANT_<FLAG> in the environment (dashes become underscores).
`

// run is the whole program behind main, testable in process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && cmd != "serve" && cmd != "migrate" {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	c, ok := commands[cmd]
	if !ok {
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	return c(ctx, rest, getenv, stdout)
}

type command func(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":   serve,
		"migrate": migrate,
		"version": func(_ context.Context, _ []string, _ func(string) string, w io.Writer) error {
			_, err := fmt.Fprintln(w, "verdant", version)
			return err
		},
		"partner create": partnerCreate,
		"program create": programCreate,
		"program reload": programReload,
		"account open":   accountOpen,
		"card issue":     cardIssue,
		"case list":      caseList,
		"case show":      caseShow,

		"feature set":     featureSet,
		"feature history": featureHistory,
		"sanctions load":  sanctionsLoad,
		"sanctions show":  sanctionsShow,
		"recon":           recon,
		"ledger verify":   ledgerVerify,
		"rekey":           rekey,
	}
}

// common are the flags every command that touches the database shares.
type common struct {
	dataDir, db, logLevel string
}

func newFlags(name string, getenv func(string) string, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.dataDir, "data-dir", envOr(getenv, "VERDANT_DATA_DIR", "."), "directory for the SQLite file and generated dev keys")
	fs.StringVar(&c.db, "db", getenv("VERDANT_DB"), "database URL: sqlite:PATH or postgres://... (default sqlite:<data-dir>/verdant.db)")
	fs.StringVar(&c.logLevel, "log-level", envOr(getenv, "VERDANT_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	return fs
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

func envBool(getenv func(string) string, name string) bool {
	b, _ := strconv.ParseBool(getenv(name))
	return b
}

func envDuration(getenv func(string) string, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(name)); err == nil {
		return d
	}
	return def
}

func (c *common) logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return logging.New(os.Stderr, lvl)
}

// config builds the app configuration shared by every command.
func (c *common) config(getenv func(string) string, log *slog.Logger) (app.Config, error) {
	if c.db == "" {
		c.db = app.DefaultDB(c.dataDir)
	}
	if strings.HasPrefix(c.db, "sqlite:") {
		if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
			return app.Config{}, err
		}
	}
	key, err := app.LoadDataKey(getenv, c.dataDir, log)
	if err != nil {
		return app.Config{}, err
	}
	retired, err := app.LoadRetiredKeys(getenv)
	if err != nil {
		return app.Config{}, err
	}
	admin, err := app.LoadSecret(getenv, "VERDANT_ADMIN_TOKEN")
	if err != nil {
		return app.Config{}, err
	}
	maxBody, _ := strconv.ParseInt(getenv("VERDANT_MAX_BODY_BYTES"), 10, 64)
	notify, verify, err := notifyConfig(getenv)
	if err != nil {
		return app.Config{}, err
	}
	crmCfg, err := crmConfig(getenv)
	if err != nil {
		return app.Config{}, err
	}
	deliv, err := deliverySettings(getenv)
	if err != nil {
		return app.Config{}, err
	}
	threshold, _ := strconv.ParseFloat(getenv("VERDANT_SANCTIONS_THRESHOLD"), 64)
	return app.Config{
		DataDir: c.dataDir, DB: c.db, AdminToken: admin, DataKey: key, RetiredKeys: retired,
		TokenTTL: envDuration(getenv, "VERDANT_TOKEN_TTL", time.Hour), MaxBodyBytes: maxBody, Version: version,
		Notify: notify, Verify: verify, CRM: crmCfg, SanctionsThreshold: threshold, Delivery: deliv,
	}, nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var c common
	if err := newFlags("migrate", getenv, &c).Parse(args); err != nil {
		return err
	}
	return c.withApp(ctx, getenv, func(a *app.App) error {
		v, err := a.DB.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "database %s migrated to version %d\n", a.DB.Engine, v)
		return err
	})
}

// withApp builds the app for a one-shot command, hands it to f and closes
// it when f returns.
func (c *common) withApp(ctx context.Context, getenv func(string) string, f func(*app.App) error) error {
	a, err := c.open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	return f(a)
}

// open builds the app for a one-shot command.
func (c *common) open(ctx context.Context, getenv func(string) string) (*app.App, error) {
	log := c.logger()
	cfg, err := c.config(getenv, log)
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, log)
}

// runJSON is the skeleton of most operator commands: it parses args into
// fs (built with newFlags and c), opens the app and prints what f returns
// as JSON on stdout.
func (c *common) runJSON(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string,
	stdout io.Writer, f func(*app.App) (any, error)) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	return c.withApp(ctx, getenv, func(a *app.App) error {
		v, err := f(a)
		if err != nil {
			return err
		}
		return printJSON(stdout, v)
	})
}
