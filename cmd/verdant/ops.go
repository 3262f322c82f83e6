package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/program"
)

// The operator subcommands call the same services as the operator API and
// print the same JSON fields.

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func partnerCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("partner create")
	name := fs.String("name", "", "partner name (required)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		cr, err := a.Partners.Create(ctx, *name)
		if err != nil {
			return nil, err
		}
		return map[string]string{"partnerId": cr.Partner.ID, "name": cr.Partner.Name,
			"clientId": cr.Partner.ClientID, "clientSecret": cr.ClientSecret}, nil
	})
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func programCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("program create")
	code := fs.String("code", "", "programCode (required)")
	partnerID := fs.String("partner", "", "owning partnerId (required)")
	name := fs.String("name", "", "program name (required)")
	bin := fs.String("bin", "", "6-digit BIN (required)")
	adj := fs.String("adjustment-types", "", "comma-separated adjustment types")
	feat := fs.String("features", "", "comma-separated features")
	terms := fs.String("terms-enforced", "", "comma-separated terms identifiers")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		p, err := a.Programs.Create(ctx, program.Program{Code: *code, PartnerID: *partnerID, Name: *name, BIN: *bin,
			AdjustmentTypes: splitList(*adj), Features: splitList(*feat), TermsEnforced: splitList(*terms)})
		return api.ProgramView(p), err
	})
}

func accountOpen(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("account open")
	code := fs.String("program", "", "programCode (required)")
	first := fs.String("first-name", "", "holder first name (required)")
	last := fs.String("last-name", "", "holder last name (required)")
	zip := fs.String("zip", "", "holder zip code (required)")
	customer := fs.String("customer-id", "", "holder customer id")
	status := fs.String("status", "normal", "account status")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		p, err := a.Programs.Get(ctx, *code)
		if err != nil {
			return nil, err
		}
		acct, err := a.Accounts.Open(ctx, p.Code, account.Holder{FirstName: *first, LastName: *last, ZipCode: *zip,
			CustomerID: *customer}, account.Status(*status))
		if err != nil {
			return nil, err
		}
		return map[string]string{"accountIdentifier": acct.ID, "programCode": acct.ProgramCode,
			"status": string(acct.Status)}, nil
	})
}

func cardIssue(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("card issue")
	code := fs.String("program", "", "programCode (required)")
	acctID := fs.String("account", "", "accountIdentifier (required)")
	var req card.IssueRequest
	fs.StringVar(&req.PAN, "pan", "", "16-digit PAN (default: generated from the program BIN)")
	fs.StringVar(&req.Type, "type", "physical", "physical or virtual")
	fs.StringVar(&req.ExpiryYear, "expiry-year", "", "YYYY (default: three years from now)")
	fs.StringVar(&req.ExpiryMonth, "expiry-month", "", "MM")
	fs.StringVar(&req.EmbossType, "emboss-type", "", "REP, LSR, REI or empty")
	fs.StringVar(&req.DeliveryMethod, "delivery-method", "reg", "reg or exp")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		p, err := a.Programs.Get(ctx, *code)
		if err != nil {
			return nil, err
		}
		id, err := account.ParseID(*acctID)
		if err != nil {
			return nil, err
		}
		acct, err := a.Accounts.Get(ctx, p.Code, id)
		if err != nil {
			return nil, err
		}
		cd, pan, err := a.Cards.Issue(ctx, p.Code, acct.ID, p.BIN, req)
		if err != nil {
			return nil, err
		}
		return map[string]string{"paymentInstrumentIdentifier": cd.ID, "pan": pan, "last4Pan": cd.Last4,
			"bin": cd.BIN, "expiryYear": cd.ExpiryYear, "expiryMonth": cd.ExpiryMonth, "status": string(cd.Status)}, nil
	})
}
