package main

import (
	"context"
	"io"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/care"
)

// caseList prints support cases, oldest first (GET /admin/v1/cases).
func caseList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("case list")
	status := fs.String("status", "", "only cases with this status (open, inProgress, waitingOnCustomer, resolved, closed)")
	program := fs.String("program", "", "only cases of this programCode")
	crmStatus := fs.String("crm-status", "", "only cases queued for or delivered to the CRM (queued, delivered)")
	limit := fs.Int("limit", 50, "at most this many cases (1 to 100)")
	cfg, err := load(fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	f := care.Filter{ProgramCode: *program, CRMStatus: *crmStatus, Limit: *limit}
	if *status != "" {
		st, err := care.ParseStatus(*status)
		if err != nil {
			return err
		}
		f.Status = st
	}
	return withApp(ctx, cfg, getenv, func(a *app.App) error {
		cases, err := a.Care.List(ctx, f)
		if err != nil {
			return err
		}
		out := []api.CaseJSON{}
		for _, k := range cases {
			out = append(out, api.CaseView(k, nil))
		}
		return printJSON(stdout, out)
	})
}

// caseShow prints one case with its history (GET /admin/v1/cases/{caseNumber}).
func caseShow(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("case show")
	number := fs.String("number", "", "case number, e.g. CASE01234567 (required)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		k, h, err := a.Care.Get(ctx, *number)
		if err != nil {
			return nil, err
		}
		return api.CaseView(k, h), nil
	})
}
