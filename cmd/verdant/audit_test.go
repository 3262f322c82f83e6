package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/verdant-baas/verdant/internal/storage"
)

// The operator subcommands record the same audit events as the operator
// API, with actor "operator".
func TestCLIAuditEvents(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := func(string) string { return "" }
	runOut := func(args ...string) []byte {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append(args, "--data-dir", dir, "--log-level", "error"), env, &out); err != nil {
			t.Fatalf("verdant %v: %v", args, err)
		}
		return out.Bytes()
	}
	var p struct{ PartnerID string }
	json.Unmarshal(runOut("partner", "create", "--name", "Audit CLI"), &p)
	runOut("program", "create", "--code", "AUDC", "--partner", p.PartnerID, "--name", "Audit", "--bin", "411111")
	var a struct{ AccountIdentifier string }
	json.Unmarshal(runOut("account", "open", "--program", "AUDC", "--first-name", "Ann", "--last-name", "Lee", "--zip", "10001"), &a)
	runOut("card", "issue", "--program", "AUDC", "--account", a.AccountIdentifier)

	c := common{dataDir: dir, logLevel: "error"}
	app, err := c.open(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	evs, err := app.DB.AuditEvents(ctx, storage.AuditFilter{Limit: 100})
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
