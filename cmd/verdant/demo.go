package main

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
)

// DemoProgram is the program code --demo creates.
const demoProgram = "DEMO"

// seedDemo creates a demo partner, program, account and card on first
// start and prints how to call them. On later starts it rotates the demo
// partner's secret, because a secret can only be shown when it is made.
func seedDemo(ctx context.Context, a *app.App, base string, w io.Writer) error {
	var creds partner.Credentials
	prog, err := a.Programs.Get(ctx, demoProgram)
	switch {
	case err == nil:
		if creds, err = a.Partners.RotateSecret(ctx, prog.PartnerID); err != nil {
			return err
		}
	case apperr.KindOf(err) == apperr.NotFound:
		if creds, prog, err = createDemo(ctx, a); err != nil {
			return err
		}
	default:
		return err
	}
	accts, err := a.Accounts.List(ctx, prog.Code, "", 1)
	if err != nil || len(accts) == 0 {
		return fmt.Errorf("demo account missing: %v", err)
	}
	acct := accts[0]
	fmt.Fprintf(w, `
== verdant demo ==
client id:       %[1]s
client secret:   %[2]s
program code:    %[3]s
account:         %[4]s
operator token:  %[5]s

Try it:
  TOKEN=$(curl -s -u '%[1]s:%[2]s' -d grant_type=client_credentials %[6]s/authentication | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" %[6]s/programs/%[3]s/accounts/%[4]s
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"adjustmentIdentifier":"%[7]s","amount":"12.86","currency":"USD","adjustmentType":"promo","adjustmentDescription":"Acme Cashback"}' \
    %[6]s/programs/%[3]s/accounts/%[4]s/adjustments
  curl -s -H "Authorization: Bearer $TOKEN" %[6]s/programs/%[3]s/accounts/%[4]s/balances
  curl -s -H 'Authorization: Bearer %[5]s' %[6]s/admin/v1/programs/%[3]s/accounts/%[4]s

The adjustment is idempotent by its adjustmentIdentifier: run it twice and the balance moves once.

`, creds.Partner.ClientID, creds.ClientSecret, prog.Code, acct.ID, a.Config.AdminToken, base, uuid.NewString())
	return nil
}
func createDemo(ctx context.Context, a *app.App) (partner.Credentials, program.Program, error) {
	creds, err := a.Partners.Create(ctx, "Demo Fintech")
	if err != nil {
		return creds, program.Program{}, err
	}
	prog, err := a.Programs.Create(ctx, program.Program{
		Code: demoProgram, PartnerID: creds.Partner.ID, Name: "Demo Program", BIN: "499998",
		AdjustmentTypes: program.AdjustmentTypes, Features: program.Features, TermsEnforced: []string{"negBal"},
	})
	if err != nil {
		return creds, prog, err
	}
	acct, err := a.Accounts.Open(ctx, prog.Code, account.Holder{FirstName: "Jack", LastName: "White", ZipCode: "91107"}, account.Normal)
	if err != nil {
		return creds, prog, err
	}
	_, _, err = a.Cards.Issue(ctx, prog.Code, acct.ID, prog.BIN, card.IssueRequest{})
	return creds, prog, err
}
