package main

import (
	"bytes"
	"strings"
	"testing"
)

// The CLI sets a program's reload settings as the operator API does,
// retail partners included.
func TestProgramReloadCLI(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	partnerID, _ := c.seed("CLIRL")
	var out struct {
		ProgramCode string
		Reload      struct {
			Enabled        bool
			ReloadFee      *string
			MinLoadAmount  string
			DailyLoadLimit string
			RetailPartners *[]string
		}
	}
	c.json(&out, "program", "reload", "--program", "CLIRL", "--reload-fee", "3.95", "--daily-limit", "1000", "--retail-partners", "none")
	if r := out.Reload; !r.Enabled || r.ReloadFee == nil || *r.ReloadFee != "3.95" || r.MinLoadAmount != "20.00" ||
		r.DailyLoadLimit != "1000.00" || r.RetailPartners == nil || len(*r.RetailPartners) != 0 {
		t.Fatalf("reload settings: %+v", out)
	}
	c.json(&out, "program", "reload", "--program", "CLIRL", "--retail-partners", partnerID)
	if r := out.Reload.RetailPartners; r == nil || len(*r) != 1 || (*r)[0] != partnerID || *out.Reload.ReloadFee != "3.95" {
		t.Fatalf("listed: %+v", out.Reload)
	}
	c.json(&out, "program", "reload", "--program", "CLIRL", "--retail-partners", "all", "--reload-fee", "none")
	if out.Reload.RetailPartners != nil || out.Reload.ReloadFee != nil {
		t.Fatalf("open to all, no fee: %+v", out.Reload)
	}
	var buf bytes.Buffer
	err := run(c.ctx, []string{"program", "reload", "--program", "CLIRL", "--retail-partners", "nobody", "--data-dir", c.dir,
		"--log-level", "error"}, c.env, &buf)
	if err == nil || !strings.Contains(err.Error(), "partner nobody not found") {
		t.Fatalf("unknown partner: %v", err)
	}
}
