package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/peterbourgon/ff/v3"
	"github.com/verdant-baas/verdant/internal/delivery"
)

// Load is the one place verdant reads its settings: it adds every setting
// with a flag to fs (which may already hold a command's own flags), parses
// args, then the environment through getenv, then the secrets, and
// answers the checked configuration. A command-line flag wins over its
// variable, a variable over the default. A value that does not parse or
// is out of range is an error naming the flag or the variable. With -h
// the error wraps flag.ErrHelp.
//
// The data key is not loaded here: LoadDataKey may generate a development
// key, which wants the logger this configuration sets up.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	d := delivery.DefaultSettings()
	c := Config{Delivery: &d}
	for _, s := range Settings {
		if s.Default != "" {
			if err := s.set(&c, s.Default); err != nil {
				panic(fmt.Sprintf("default of %s: %v", s.Env, err)) // a bug in Settings
			}
		}
	}
	for _, s := range Settings {
		if s.Flag == "" {
			continue
		}
		set := func(v string) error { return s.set(&c, v) }
		if s.isBool {
			fs.BoolFunc(s.Flag, s.Usage, set)
		} else {
			fs.Func(s.Flag, s.Usage, set)
		}
	}
	// ff reads variables with os.Getenv; verdant's commands take getenv (tests
	// pass a map), so the environment comes in through ff's config source,
	// which ff consults after the command line with the same precedence.
	err := ff.Parse(fs, args, ff.WithConfigFile(os.DevNull), ff.WithConfigFileParser(environment(getenv)))
	if err != nil {
		return Config{}, err
	}
	if err := c.loadSecrets(getenv); err != nil {
		return Config{}, err
	}
	return c, c.finish()
}

// environment is an ff config source that reads each flag's VERDANT_
// variable through getenv. An empty variable counts as unset.
func environment(getenv func(string) string) ff.ConfigFileParser {
	return func(_ io.Reader, set func(name, value string) error) error {
		for _, s := range Settings {
			v := getenv(s.Env)
			if s.Flag == "" || v == "" {
				continue
			}
			if err := set(s.Flag, v); err != nil {
				if inner := errors.Unwrap(err); inner != nil { // drop ff's "error setting flag ..."
					err = inner
				}
				return fmt.Errorf("%s: %w", s.Env, err)
			}
		}
		return nil
	}
}

// loadSecrets reads the settings without a flag (LoadSecret's NAME or
// NAME_FILE) and the retired data keys.
func (c *Config) loadSecrets(getenv func(string) string) error {
	for _, s := range Settings {
		if s.Flag != "" || s.set == nil {
			continue
		}
		v, err := LoadSecret(getenv, s.Env)
		if err != nil {
			return err
		}
		if v == "" {
			continue
		}
		if err := s.set(c, v); err != nil {
			return fmt.Errorf("%s: %w", s.Env, err)
		}
	}
	keys, err := LoadRetiredKeys(getenv)
	c.RetiredKeys = keys
	return err
}

// finish applies the defaults that depend on other settings and the
// checks across settings.
func (c *Config) finish() error {
	if c.DB == "" {
		c.DB = DefaultDB(c.DataDir)
	}
	if c.Demo { // the demo is a sandbox: its codes must be visible to the person trying it
		c.Sandbox = true
	}
	if c.AdminToken != "" && WeakToken(c.AdminToken) && !c.Demo {
		return fmt.Errorf("VERDANT_ADMIN_TOKEN: too weak: use at least %d characters with at least %d different ones "+
			"(e.g. openssl rand -hex 32); only --demo accepts a weak token", minTokenLength, minTokenSymbols)
	}
	if c.Console.IdleTimeout > c.Console.MaxAge {
		return fmt.Errorf("VERDANT_CONSOLE_IDLE_TIMEOUT: %s is longer than VERDANT_CONSOLE_SESSION_MAX_AGE (%s)",
			shortDuration(c.Console.IdleTimeout), shortDuration(c.Console.MaxAge))
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") { // :0 is a fresh port each
		return fmt.Errorf("VERDANT_METRICS_ADDR: %q is the main listen address; leave it empty to serve /metrics there", c.MetricsAddr)
	}
	if c.PprofAddr != "" && c.PprofAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
		return fmt.Errorf("VERDANT_PPROF_ADDR: %q is the main listen address; the profiler needs its own", c.PprofAddr)
	}
	return nil
}

// The operator token rule: long enough, and not a repeated pattern.
const (
	minTokenLength  = 32
	minTokenSymbols = 10
)

// WeakToken reports whether an operator token is too short or uses too
// few different characters to resist guessing.
func WeakToken(tok string) bool {
	if len(tok) < minTokenLength {
		return true
	}
	seen := map[rune]bool{}
	for _, r := range tok {
		seen[r] = true
	}
	return len(seen) < minTokenSymbols || strings.TrimSpace(tok) != tok
}
