package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/verdant-baas/verdant/internal/app"
)

// cli runs verdant commands in process against one data directory, as an
// operator at a shell would.
type cli struct {
	t   *testing.T
	ctx context.Context
	dir string
	env func(string) string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, ctx: context.Background(), dir: t.TempDir(), env: func(string) string { return "" }}
}

// run runs one command and answers what it printed; it fails the test if
// the command fails.
func (c *cli) run(args ...string) []byte {
	c.t.Helper()
	var out bytes.Buffer
	if err := run(c.ctx, append(args, "--data-dir", c.dir, "--log-level", "error"), c.env, &out); err != nil {
		c.t.Fatalf("verdant %v: %v", args, err)
	}
	return out.Bytes()
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
	cfg, err := app.Load(newFlags("open"), []string{"--data-dir", c.dir, "--log-level", "error"}, c.env)
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
