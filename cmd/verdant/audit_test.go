package main

import (
	"testing"

	"github.com/verdant-baas/verdant/internal/audit"
)

// The operator subcommands record the same audit events as the operator
// API, with actor "operator".
func TestCLIAuditEvents(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	_, acct := c.seed("AUDC")
	c.run("card", "issue", "--program", "AUDC", "--account", acct)
	app := c.open()
	evs, err := app.Audit.Store.Events(c.ctx, audit.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range evs {
		if e.Actor == "operator" {
			got[e.Action]++
		}
	}
	for _, action := range []string{"partner.created", "program.created", "account.opened", "card.issued"} {
		if got[action] != 1 {
			t.Fatalf("events %v: want one %s", got, action)
		}
	}
}
