package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/care"
)

func TestCLICaseCommands(t *testing.T) {
	c := newCLI(t)
	partnerID, acct := c.seed("CARE1")
	app := c.open()
	k, err := app.Care.Create(c.ctx, partnerID, "CARE1", "", care.Request{Subject: "Help", FirstName: "Ann", LastName: "Lee",
		CustomerQuestion: "Where is my card?", EmailAddress: "ann@example.com", AccountIdentifier: acct})
	app.Close()
	if err != nil {
		t.Fatal(err)
	}
	var list []struct{ CaseNumber, Status string }
	if err := json.Unmarshal(c.run("case", "list", "--status", "open", "--program", "CARE1"), &list); err != nil ||
		len(list) != 1 || list[0].CaseNumber != k.Number {
		t.Fatalf("case list: %+v, %v", list, err)
	}
	var shown struct {
		CaseNumber, EmailAddress string
		History                  []struct{ Action string }
	}
	if err := json.Unmarshal(c.run("case", "show", "--number", k.Number), &shown); err != nil ||
		shown.EmailAddress != "ann@example.com" || len(shown.History) != 1 || shown.History[0].Action != "created" {
		t.Fatalf("case show: %+v, %v", shown, err)
	}
	if err := run(c.ctx, []string{"case", "list", "--status", "lost", "--data-dir", c.dir}, c.env, &bytes.Buffer{}); err == nil {
		t.Fatal("bad status accepted")
	}
}

func TestCRMConfigFromEnv(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("s3cret\n"), 0o600)
	vars := map[string]string{
		"VERDANT_CRM_LOGIN_URL": "https://login.example", "VERDANT_CRM_CLIENT_ID": "cid",
		"VERDANT_CRM_CLIENT_SECRET_FILE": secretFile, "VERDANT_CRM_API_VERSION": "v60.0", "VERDANT_CRM_TIMEOUT": "3s",
	}
	cfg, err := app.Load(newFlags("serve"), nil, func(k string) string { return vars[k] })
	if err != nil || !cfg.CRM.Configured() || cfg.CRM.ClientSecret != "s3cret" || cfg.CRM.APIVersion != "v60.0" || cfg.CRM.Timeout != 3*time.Second {
		t.Fatalf("%+v, %v", cfg.CRM, err)
	}
	if cfg, _ := app.Load(newFlags("serve"), nil, func(string) string { return "" }); cfg.CRM.Configured() {
		t.Fatal("an empty environment configures a CRM")
	}
}
