package main

import (
	"context"
	"io"
	"strconv"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/feature"
)

// featureAccount resolves --program and --account for a feature command.
func featureAccount(ctx context.Context, a *app.App, code, id string) (feature.Config, string, error) {
	p, err := a.Programs.Get(ctx, code)
	if err != nil {
		return feature.Config{}, "", err
	}
	id, err = account.ParseID(id)
	if err != nil {
		return feature.Config{}, "", err
	}
	acct, err := a.Accounts.Get(ctx, p.Code, id)
	if err != nil {
		return feature.Config{}, "", err
	}
	return feature.Config{Offered: p.Features, TermsEnforced: p.TermsEnforced}, acct.ID, nil
}

// featureSet enrols or unenrols an account, with the partner call's
// rules, recorded with actor "operator".
func featureSet(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("feature set")
	code := fs.String("program", "", "programCode (required)")
	acctID := fs.String("account", "", "accountIdentifier (required)")
	id := fs.String("feature", "", "feature id, e.g. NB100, UCB2, RDC5 (required)")
	authorize := fs.Bool("authorize", true, "true to enrol, false to unenrol")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		cfg, accountID, err := featureAccount(ctx, a, *code, *acctID)
		if err != nil {
			return nil, err
		}
		if err := a.Features.Set(ctx, cfg, accountID, *id, *authorize, api.OperatorActor); err != nil {
			return nil, err
		}
		st, err := a.Features.State(ctx, accountID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"accountIdentifier": accountID, "features": st.FeatureIDs()}, nil
	})
}

// featureHistory prints an account's enrolment and terms changes, newest
// first.
func featureHistory(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("feature history")
	code := fs.String("program", "", "programCode (required)")
	acctID := fs.String("account", "", "accountIdentifier (required)")
	limit := fs.Int("limit", 100, "most recent events to show (1 to 500)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		_, accountID, err := featureAccount(ctx, a, *code, *acctID)
		if err != nil {
			return nil, err
		}
		events, err := a.Features.History(ctx, accountID, *limit)
		if err != nil {
			return nil, err
		}
		return map[string]any{"accountIdentifier": accountID, "events": historyView(events)}, nil
	})
}

// historyView is the JSON of feature events: empty fields left out.
func historyView(events []feature.Event) []map[string]string {
	out := []map[string]string{}
	for _, e := range events {
		m := map[string]string{"eventId": e.ID, "at": e.At.Format("2006-01-02T15:04:05.000000Z"), "actor": e.Actor,
			"action": e.Action, "feature": e.Feature, "termsIdentifier": e.TermsID, "reason": e.Reason}
		if !e.TermsAt.IsZero() {
			m["termsAcceptanceDateTime"] = api.ResponseDate(e.TermsAt)
		}
		for k, v := range m {
			if v == "" {
				delete(m, k)
			}
		}
		out = append(out, m)
	}
	return out
}

// featureHolders prints a page of a program's accounts holding a feature
// (GET .../features/{featureId}/accounts); with --unaccepted only those
// that have not accepted its terms: the list to backfill before the
// program enforces them, and the accounts that cannot use it meanwhile.
func featureHolders(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("feature holders")
	code := fs.String("program", "", "programCode (required)")
	id := fs.String("feature", "", "feature id, e.g. NB100 (required)")
	unaccepted := fs.Bool("unaccepted", false, "only the holders that have not accepted the feature's terms (the backfill list)")
	return runList(ctx, fs, args, getenv, stdout, 100, feature.MaxHolders, func(a *app.App, after string, limit int) (listing, error) {
		p, err := a.Programs.Get(ctx, *code)
		if err != nil {
			return listing{}, err
		}
		f, hs, err := a.Features.Holders(ctx, p.Code, *id, *unaccepted, after, limit)
		if err != nil {
			return listing{}, err
		}
		page := api.FeatureHoldersView(p, f, hs, limit)
		l := listing{JSON: page, Header: []string{"ACCOUNT", "ENROLLED", "TERMS", "TERMS AT"}}
		if page.Next != nil {
			l.Next = *page.Next
		}
		for _, h := range page.Accounts {
			terms, at := "-", "-"
			if h.TermsAcceptanceFlag != nil {
				terms, at = strconv.FormatBool(*h.TermsAcceptanceFlag), *h.TermsAcceptanceDateTime
			}
			l.Rows = append(l.Rows, []string{h.AccountIdentifier, h.EnrolledAt, terms, at})
		}
		return l, nil
	})
}
