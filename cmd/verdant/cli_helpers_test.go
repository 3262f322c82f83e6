package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// cli runs verdant commands in process against one data directory, as an
// operator at a shell would.
type cli struct {
	t   *testing.T
	ctx context.Context
	dir string
	db  string // --db when set (the SQLite file in dir otherwise)
	env func(string) string
	// vars are the environment of newCLI's env.
	vars map[string]string
}

func newCLI(t *testing.T) *cli {
	c := &cli{t: t, ctx: context.Background(), dir: t.TempDir(), vars: map[string]string{}}
	c.env = func(k string) string { return c.vars[k] }
	return c
}

// cliEngines runs fn with a CLI on each engine: SQLite in the CLI's data
// directory, and a fresh PostgreSQL database (with a data key of its own)
// when VERDANT_TEST_POSTGRES_URL is set.
func cliEngines(t *testing.T, fn func(t *testing.T, c *cli)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, newCLI(t))
	})
	if os.Getenv(storagetest.PostgresURLEnv) != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.db, c.vars["VERDANT_DATA_KEY"] = storagetest.PostgresDSN(t), vault.GenerateKey()
			fn(t, c)
		})
	}
}

// flags are the flags every command of c gets: where the data is.
func (c *cli) flags() []string {
	f := []string{"--data-dir", c.dir, "--log-level", "error"}
	if c.db != "" {
		f = append(f, "--db", c.db)
	}
	return f
}

// try runs one command and answers what it printed and its error.
func (c *cli) try(args ...string) ([]byte, error) {
	var out bytes.Buffer
	err := run(c.ctx, append(args, c.flags()...), c.env, &out)
	return out.Bytes(), err
}

// run runs one command and answers what it printed; it fails the test if
// the command fails.
func (c *cli) run(args ...string) []byte {
	c.t.Helper()
	out, err := c.try(args...)
	if err != nil {
		c.t.Fatalf("verdant %v: %v", args, err)
	}
	return out
}

// json runs a command and decodes its JSON output into v.
func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	if err := json.Unmarshal(c.run(args...), v); err != nil {
		c.t.Fatalf("verdant %v: output is not JSON: %v", args, err)
	}
}

// seed creates a partner, a program (bin 411111) and an account with the
// operator commands, and answers the partner and account identifiers.
func (c *cli) seed(programCode string) (partnerID, accountID string) {
	c.t.Helper()
	var p struct{ PartnerID string }
	c.json(&p, "partner", "create", "--name", "CLI "+programCode)
	c.run("program", "create", "--code", programCode, "--partner", p.PartnerID, "--name", programCode, "--bin", "411111")
	var a struct{ AccountIdentifier string }
	c.json(&a, "account", "open", "--program", programCode, "--first-name", "Ann", "--last-name", "Lee", "--zip", "10001")
	return p.PartnerID, a.AccountIdentifier
}

// open opens the app on the data directory (closed when the test ends).
func (c *cli) open() *app.App {
	c.t.Helper()
	cfg, err := app.Load(newFlags("open"), c.flags(), c.env)
	if err != nil {
		c.t.Fatal(err)
	}
	a, err := open(c.ctx, cfg, c.env)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { a.Close() })
	return a
}
