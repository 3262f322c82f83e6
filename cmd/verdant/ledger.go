package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// recon prints a program's daily reconciliation (the adjustment batch and
// the opening and closing balance of every account that moved) as JSON or
// CSV, as it is read. It fails when the totals do not tie out; output cut
// short by an error ends without the totals.
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
		out := bufio.NewWriterSize(stdout, 64<<10)
		var rw ledger.ReportWriter = api.NewReconJSON(out, true, true) // printJSON's format
		if *format == "csv" {
			rw = ledger.NewCSVReport(out)
		}
		t, err := a.Ledger.Reconcile(ctx, p.Code, p.Currency, *date, rw)
		if err == nil {
			err = out.Flush()
		}
		if err != nil {
			return fmt.Errorf("recon: %w", err)
		}
		if !t.TiesOut {
			return fmt.Errorf("recon: %s %s does not tie out (net %s, customer movement %s, ledger closing %s)",
				p.Code, *date, t.Net.Format(), t.CustomerMove.Format(), t.LedgerClosing.Format())
		}
		return nil
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
		_, err = fmt.Fprintln(stdout, "ledger OK: every balance (customers and program accounts) equals the sum of its entries and is within its bound, every posting balances, the ledger sums to zero, program accounts match their adjustments")
		return err
	})
}
