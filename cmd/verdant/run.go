package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/logging"
)

// version, when set at build time with -ldflags "-X main.version=...",
// overrides the module version from the build info (versionString).
var version = ""

const usage = `verdant: self-hostable Banking-as-a-Service

usage: verdant <command> [flags]
       verdant help | -h | --help        this text
       verdant version | --version       the version and VCS revision

commands:
  serve             run the partner and operator APIs (--demo seeds demo data)
  migrate           apply database migrations and exit
  version           print the version, VCS revision and Go version
  partner create    create a partner and print its client credentials
  program create    create a program
  program reload    set a program's retail reload settings (fees, limits, --retail-partners)
  account open      open an account in a program
  card issue        issue a card on an account
  case list         list customer-care cases (--status, --program, --crm-status)
  case show         show a customer-care case with its history (--number)
  feature set       enrol or unenrol an account in a feature (actor "operator")
  feature history   an account's enrolment and terms changes, newest first
  feature holders   a program's accounts holding a feature (--unaccepted: the terms backfill list)
  retail throttles list   the retailers the enumeration guard throttles now
  retail throttles lift   end a retailer's throttle now (--partner ID)
  sanctions load    put fresh OFAC CSV files (DIR/sdn.csv, alt.csv, add.csv) in force
  sanctions show    print the OFAC list in force
  recon             a program's daily reconciliation (--program CODE --date YYYY-MM-DD [--format csv])
  ledger verify     check every balance against its entries and that the ledger balances
  rekey             re-seal every value sealed with a retired data key under the current one
  operator create   create an operator (--email --name --roles) and print its password once
  operator list     list operators
  operator disable  disable an operator (--email); operator enable undoes it
  operator reset-password  set a new password (printed once), end sessions, lift a lockout
  operator token    issue an operator API token (--email [--name]), printed once
  webhook ...       partner webhooks: create, list, show, update, delete, rotate, test, replay,
                    deliveries, delivery, redeliver (docs/webhooks.md)

Run 'verdant <command> -h' for a command's flags, 'verdant serve -h' for
every setting. Every setting is a flag or a VERDANT_ variable (flag
--foo-bar, variable VERDANT_FOO_BAR).
`

// run is the whole program behind main, testable in process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	case "--version", "-version":
		args = []string{"version"}
	}
	cmd, rest := args[0], args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && cmd != "serve" && cmd != "migrate" {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	if len(rest) > 0 && commands[cmd+" "+rest[0]] != nil { // a three-word command ("retail throttles list")
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	c, ok := commands[cmd]
	if !ok {
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	if err := c(ctx, rest, getenv, stdout); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil // usage was printed
}

type command func(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":          serve,
		"migrate":        migrate,
		"version":        printVersion,
		"partner create": partnerCreate,
		"program create": programCreate,
		"program reload": programReload,
		"account open":   accountOpen,
		"card issue":     cardIssue,
		"case list":      caseList,
		"case show":      caseShow,

		"feature set":     featureSet,
		"feature history": featureHistory,
		"feature holders": featureHolders,
		"sanctions load":  sanctionsLoad,
		"sanctions show":  sanctionsShow,
		"recon":           recon,
		"ledger verify":   ledgerVerify,
		"rekey":           rekey,

		"operator create":         operatorCreate,
		"operator list":           operatorList,
		"operator disable":        operatorDisable,
		"operator enable":         operatorEnable,
		"operator reset-password": operatorResetPassword,
		"operator token":          operatorToken,

		"retail throttles list": retailThrottlesList,
		"retail throttles lift": retailThrottlesLift,
	}
	for name, c := range webhookCommands {
		commands[name] = c
	}
}

// newFlags is a command's flag set: the command adds its own flags, and
// app.Load adds every setting. Errors and usage are printed by run and
// load, not by the flag package.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// readers are the commands that only read (or rewrite) what a database
// already holds: run where none exists, they say so rather than create an
// empty one with a new key.
var readers = map[string]bool{
	"case list": true, "case show": true, "feature history": true, "feature holders": true, "sanctions show": true,
	"retail throttles list": true, "retail throttles lift": true,
	"recon": true, "ledger verify": true, "rekey": true,
	"webhook list": true, "webhook show": true, "webhook deliveries": true, "webhook delivery": true,
	"operator list": true, "operator disable": true, "operator enable": true,
	"operator reset-password": true, "operator token": true,
}

// load parses a command's flags and the environment into the
// configuration (app.Load); with -h it prints the command's usage.
func load(fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) (app.Config, error) {
	cfg, err := app.Load(fs, args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(fs, stdout)
	}
	cfg.Version = versionString()
	if err == nil && readers[fs.Name()] {
		err = requireDatabase(cfg)
	}
	return cfg, err
}

// requireDatabase answers an error when the configured SQLite database
// does not exist. (A PostgreSQL database that does not exist fails to
// connect, which says so already.)
func requireDatabase(cfg app.Config) error {
	path, sqlite := strings.CutPrefix(cfg.DB, "sqlite:")
	if _, err := os.Stat(path); sqlite && errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s: this command reads an existing one (give --data-dir or --db, "+
			"or start 'verdant serve' or run 'verdant migrate' first)", path)
	}
	return nil
}

// printUsage lists a command's own flags, then the settings: all of them
// for serve, a pointer to serve's list for the operator commands.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "usage: verdant %s [flags]\n", fs.Name())
	settings := map[string]bool{}
	for _, s := range app.Settings {
		settings[s.Flag] = true
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !settings[f.Name] {
			fmt.Fprintf(w, "\n  --%s  (default %q)\n    \t%s\n", f.Name, f.DefValue, f.Usage)
		}
	})
	fmt.Fprintln(w)
	if fs.Name() == "serve" {
		app.WriteSettings(w)
		return
	}
	fmt.Fprintln(w, "Every setting of 'verdant serve -h' applies too (--data-dir, --db, --log-level, VERDANT_DATA_KEY, ...).")
}

// open builds the app for a configuration: the logger it asks for, the
// data directory, and the data key (generated there for development when
// none is set).
func open(ctx context.Context, cfg app.Config, getenv func(string) string) (*app.App, error) {
	log := logging.NewFormat(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	if strings.HasPrefix(cfg.DB, "sqlite:") {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, err
		}
	}
	key, err := app.LoadDataKey(getenv, cfg, log)
	if err != nil {
		return nil, err
	}
	cfg.DataKey = key
	return app.New(ctx, cfg, log)
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("migrate")
	cfg, err := load(fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	return withApp(ctx, cfg, getenv, func(a *app.App) error {
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
func withApp(ctx context.Context, cfg app.Config, getenv func(string) string, f func(*app.App) error) error {
	a, err := open(ctx, cfg, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	return f(a)
}

// runJSON is the skeleton of most operator commands: it loads the
// configuration with fs (made by newFlags, with the command's flags),
// opens the app and prints what f returns as JSON on stdout.
func runJSON(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string,
	stdout io.Writer, f func(*app.App) (any, error)) error {
	cfg, err := load(fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	return withApp(ctx, cfg, getenv, func(a *app.App) error {
		v, err := f(a)
		if err != nil {
			return err
		}
		return printJSON(stdout, v)
	})
}
