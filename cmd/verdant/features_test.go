package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/program"
)

// featurePage is the JSON of `feature holders`.
type featurePage struct {
	FeatureID       string
	TermsIdentifier *string
	TermsEnforced   bool
	Accounts        []struct {
		AccountIdentifier   string
		TermsAcceptanceFlag *bool
	}
	Next *string
}

// Once a program enforces negBal, `feature holders --unaccepted` lists
// the NB100 holders that have not accepted the terms (the backfill), a
// page at a time, as JSON (the operator API's view) or a table.
func TestFeatureHoldersCLI(t *testing.T) {
	cliEngines(t, func(t *testing.T, c *cli) {
		var p struct{ PartnerID string }
		c.json(&p, "partner", "create", "--name", "CLI holders")
		c.run("program", "create", "--code", "CLIFH", "--partner", p.PartnerID, "--name", "H", "--bin", "411111", "--features", "NB100,UCB1")
		var accts []string
		for range 3 {
			var a struct{ AccountIdentifier string }
			c.json(&a, "account", "open", "--program", "CLIFH", "--first-name", "Ann", "--last-name", "Lee", "--zip", "10001")
			accts = append(accts, a.AccountIdentifier)
		}
		for _, id := range accts[:2] {
			c.run("feature", "set", "--program", "CLIFH", "--account", id, "--feature", "NB100")
		}
		ctx, a := context.Background(), c.open()
		if err := a.Features.SetTerms(ctx, accts[1], []feature.TermsInput{{ID: "negBal", Accepted: true, At: time.Now().UTC()}}, "operator"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Programs.Update(ctx, "CLIFH", program.Patch{TermsEnforced: &[]string{"negBal"}}); err != nil {
			t.Fatal(err)
		}

		var page featurePage
		c.json(&page, "feature", "holders", "--program", "CLIFH", "--feature", "nb100", "--unaccepted")
		if page.FeatureID != "NB100" || page.TermsIdentifier == nil || *page.TermsIdentifier != "negBal" || !page.TermsEnforced ||
			len(page.Accounts) != 1 || page.Accounts[0].AccountIdentifier != accts[0] || page.Accounts[0].TermsAcceptanceFlag != nil ||
			page.Next != nil {
			t.Fatalf("the backfill list: %+v", page)
		}
		// Every holder, one a page.
		var seen []string
		for after := ""; ; {
			c.json(&page, "feature", "holders", "--program", "CLIFH", "--feature", "NB100", "--limit", "1", "--after", after)
			for _, h := range page.Accounts {
				seen = append(seen, h.AccountIdentifier)
			}
			if page.Next == nil {
				break
			}
			after = *page.Next
		}
		if len(seen) != 2 || seen[0] >= seen[1] {
			t.Fatalf("holders by page: %v", seen)
		}
		table := strings.TrimSpace(string(c.run("feature", "holders", "--program", "CLIFH", "--feature", "NB100", "--unaccepted", "--format", "table")))
		lines := strings.Split(table, "\n")
		if row := strings.Fields(lines[len(lines)-1]); len(lines) != 2 || !strings.HasPrefix(lines[0], "ACCOUNT") || len(row) != 4 ||
			row[0] != accts[0] || row[2] != "-" || row[3] != "-" {
			t.Fatalf("table:\n%s", table)
		}
		for _, bad := range []struct {
			args []string
			want string
		}{
			{[]string{"--feature", "UCB1", "--unaccepted"}, "has no terms"},
			{[]string{"--feature", "NOPE"}, "not found"},
			{[]string{"--feature", "NB100", "--limit", "501"}, "--limit must be an integer from 1 to 500"},
		} {
			if _, err := c.try(append([]string{"feature", "holders", "--program", "CLIFH"}, bad.args...)...); err == nil ||
				!strings.Contains(err.Error(), bad.want) {
				t.Errorf("feature holders %v: %v, want %q", bad.args, err, bad.want)
			}
		}
	})
}
