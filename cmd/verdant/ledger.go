package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
)

// recon prints a program's daily reconciliation (the adjustment batch and
// every account's opening and closing balance) as JSON or CSV. It fails
// when the totals do not tie out.
func recon(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("recon")
	code := fs.String("program", "", "programCode (required)")
	date := fs.String("date", "", "UTC day, YYYY-MM-DD (required)")
	format := fs.String("format", "json", "output format: json or csv")
	cfg, err := load(fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	if *code == "" || *date == "" {
		return errors.New("recon: --program and --date are required")
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("recon: --format must be json or csv, not %q", *format)
	}
	return withApp(ctx, cfg, getenv, func(a *app.App) error {
		p, err := a.Programs.Get(ctx, *code)
		if err != nil {
			return fmt.Errorf("recon: %w", err)
		}
		rc, err := a.Ledger.Reconcile(ctx, p.Code, p.Currency, *date)
		if err != nil {
			return fmt.Errorf("recon: %w", err)
		}
		if *format == "csv" {
			err = rc.WriteCSV(stdout)
		} else {
			err = printJSON(stdout, api.ReconciliationView(rc))
		}
		if err == nil && !rc.Totals.TiesOut {
			err = fmt.Errorf("recon: %s %s does not tie out (net %d, customer movement %d, ledger closing %d minor units)",
				p.Code, *date, rc.Totals.Net, rc.Totals.CustomerMove, rc.Totals.LedgerClosing)
		}
		return err
	})
}

// ledgerVerify checks every balance against its entries and that the
// ledger balances; it fails, naming each problem, if not.
func ledgerVerify(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := load(newFlags("ledger verify"), args, getenv, stdout)
	if err != nil {
		return err
	}
	return withApp(ctx, cfg, getenv, func(a *app.App) error {
		problems, err := a.Ledger.Verify(ctx)
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintln(stdout, "FAIL", p)
		}
		if len(problems) > 0 {
			return fmt.Errorf("ledger verify: %d problem(s)", len(problems))
		}
		_, err = fmt.Fprintln(stdout, "ledger OK: every balance equals the sum of its entries, every posting balances, the ledger sums to zero")
		return err
	})
}
