package main

import (
	"context"
	"io"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/crm"
)

// crmConfig reads the customer-care CRM settings (docs/customer-care.md).
// Secrets may come from the environment or from NAME_FILE.
func crmConfig(getenv func(string) string) (crm.Config, error) {
	secret, err := app.LoadSecret(getenv, "VERDANT_CRM_CLIENT_SECRET")
	if err != nil {
		return crm.Config{}, err
	}
	password, err := app.LoadSecret(getenv, "VERDANT_CRM_PASSWORD")
	if err != nil {
		return crm.Config{}, err
	}
	return crm.Config{
		LoginURL: getenv("VERDANT_CRM_LOGIN_URL"), InstanceURL: getenv("VERDANT_CRM_INSTANCE_URL"),
		ClientID: getenv("VERDANT_CRM_CLIENT_ID"), ClientSecret: secret,
		Username: getenv("VERDANT_CRM_USERNAME"), Password: password,
		APIVersion: getenv("VERDANT_CRM_API_VERSION"), ExternalIDField: getenv("VERDANT_CRM_EXTERNAL_ID_FIELD"),
		Timeout: envDuration(getenv, "VERDANT_CRM_TIMEOUT", 10*time.Second),
	}, nil
}

// caseList prints support cases, oldest first (GET /admin/v1/cases).
func caseList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var c common
	fs := newFlags("case list", getenv, &c)
	status := fs.String("status", "", "only cases with this status (open, inProgress, waitingOnCustomer, resolved, closed)")
	program := fs.String("program", "", "only cases of this programCode")
	crmStatus := fs.String("crm-status", "", "only cases queued for or delivered to the CRM (queued, delivered)")
	limit := fs.Int("limit", 50, "at most this many cases (1 to 100)")
	if err := fs.Parse(args); err != nil {
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
	return c.withApp(ctx, getenv, func(a *app.App) error {
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
	var c common
	fs := newFlags("case show", getenv, &c)
	number := fs.String("number", "", "case number, e.g. CASE01234567 (required)")
	return c.runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		k, h, err := a.Care.Get(ctx, *number)
		if err != nil {
			return nil, err
		}
		return api.CaseView(k, h), nil
	})
}
