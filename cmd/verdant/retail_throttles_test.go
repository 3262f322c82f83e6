package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/audit"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
)

// retailMiss validates a card number no program holds at the seeded
// merchant CLIM and answers the code (110, then 429 once throttled).
func retailMiss(t *testing.T, a *app.App, partnerID string, n int) int {
	t.Helper()
	o, err := a.Retail.Validate(context.Background(), partnerID, retail.Request{RequestID: "miss-" + strconv.Itoa(n),
		AccountNumber: "5344560000816246", PaymentProgramType: retail.Regular,
		TransactionAmount: money.Amount{Raw: "20.00", Present: true},
		Metadata:          retail.Metadata{StoreID: "S1", MerchantID: "CLIM", UserID: "u1", RequestDateTime: "2023-09-28T00:56:25Z"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o.Code
}

// The CLI lists the throttled retailers (JSON and table) and lifts a
// throttle: audited with actor "operator", the retailer is answered again,
// and a second lift (or an unknown partner) fails naming why.
func TestRetailThrottlesCLI(t *testing.T) {
	cliEngines(t, func(t *testing.T, c *cli) {
		c.vars["VERDANT_RETAIL_MISS_LIMIT"] = "2"
		partnerID, _ := c.seed("CLITH")
		a := c.open()
		ctx := context.Background()
		if _, err := a.Retail.CreateMerchant(ctx, retail.Merchant{ID: "CLIM", PartnerID: partnerID, Name: "CLI chain", Enabled: true}); err != nil {
			t.Fatal(err)
		}
		a.Retail.CreateOutlet(ctx, retail.Outlet{MerchantID: "CLIM", StoreID: "S1"})
		a.Retail.CreateUser(ctx, retail.User{MerchantID: "CLIM", UserID: "u1", Active: true})

		var page struct {
			Throttles []struct {
				PartnerID, PartnerName string
				Misses                 int
			}
			Next string
		}
		c.json(&page, "retail", "throttles", "list")
		if len(page.Throttles) != 0 {
			t.Fatalf("throttles before any miss: %+v", page)
		}
		for i, want := range []int{110, 110, retail.CodeThrottled} {
			if got := retailMiss(t, a, partnerID, i); got != want {
				t.Fatalf("miss %d answered %d, want %d", i, got, want)
			}
		}
		c.json(&page, "retail", "throttles", "list")
		if len(page.Throttles) != 1 || page.Throttles[0].PartnerID != partnerID || page.Throttles[0].PartnerName != "CLI CLITH" ||
			page.Throttles[0].Misses != 2 {
			t.Fatalf("throttles: %+v", page)
		}
		table := string(c.run("retail", "throttles", "list", "--format", "table", "--limit", "1"))
		if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "PARTNER") ||
			!strings.HasPrefix(lines[1], partnerID+"  CLI CLITH") || lines[2] != "more: --after "+partnerID {
			t.Fatalf("table:\n%s", table)
		}

		var lifted struct {
			PartnerID string
			LiftedAt  *string
		}
		c.json(&lifted, "retail", "throttles", "lift", "--partner", partnerID)
		if lifted.PartnerID != partnerID || lifted.LiftedAt == nil {
			t.Fatalf("lift: %+v", lifted)
		}
		if got := retailMiss(t, a, partnerID, 3); got != 110 {
			t.Fatalf("after the lift: %d, want 110 (answered)", got)
		}
		evs, err := a.Audit.List(ctx, audit.Filter{Subject: "partner:" + partnerID, ActionPrefixes: []string{retail.AuditThrottleLifted}, Limit: 10})
		if err != nil || len(evs.Events) != 1 || evs.Events[0].Actor != "operator" {
			t.Fatalf("lift audit: %+v %v", evs, err)
		}
		for _, id := range []string{partnerID, "nobody"} {
			if _, err := c.try("retail", "throttles", "lift", "--partner", id); err == nil || !strings.Contains(err.Error(), "not throttled") {
				t.Fatalf("lift of %s: %v", id, err)
			}
		}
		if _, err := c.try("retail", "throttles", "list", "--format", "xml"); err == nil || !strings.Contains(err.Error(), "json or table") {
			t.Fatalf("--format xml: %v", err)
		}
		if _, err := c.try("retail", "throttles", "lift"); err == nil || !strings.Contains(err.Error(), "--partner is required") {
			t.Fatalf("lift without --partner: %v", err)
		}
	})
}
