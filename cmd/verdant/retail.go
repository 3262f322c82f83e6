package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
)

// programReload sets a program's retail reload settings, as the operator
// API's "reload" field does: flags left out keep their value (the
// defaults the first time).
func programReload(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("program reload")
	code := fs.String("program", "", "programCode (required)")
	fs.String("enabled", "", "true or false")
	fs.String("reload-fee", "", "the program's reload fee, e.g. 3.95, or none")
	fs.String("min-load", "", "smallest load, e.g. 20.00")
	fs.String("max-load", "", "largest load, e.g. 500.00")
	fs.String("daily-limit", "", "an account's daily load limit, e.g. 2500.00")
	fs.String("card-type", "", "Normal or PointofBanking")
	fs.String("retail-partners", "", "who besides the owner may reload the program's cards: all, none, or partner ids (comma-separated)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		p, err := a.Programs.Get(ctx, *code)
		if err != nil {
			return nil, err
		}
		patch, err := reloadPatch(fs)
		if err != nil {
			return nil, err
		}
		st, err := a.Retail.ResolveSettings(ctx, p.Code, patch)
		if err != nil {
			return nil, err
		}
		if st, err = a.Retail.PutSettings(ctx, st); err != nil {
			return nil, err
		}
		return map[string]any{"programCode": p.Code, "reload": api.ReloadView(st)}, nil
	})
}

// reloadPatch reads the flags that were set into a settings patch.
func reloadPatch(fs *flag.FlagSet) (retail.SettingsPatch, error) {
	var p retail.SettingsPatch
	var err error
	amount := func(name, v string) *int64 {
		n, perr := money.ParseMinor(v)
		if perr != nil || n <= 0 {
			err = fmt.Errorf("--%s must be a positive amount with at most 2 decimals", name)
			return nil
		}
		return &n
	}
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "enabled":
			b, perr := strconv.ParseBool(v)
			if perr != nil {
				err = fmt.Errorf("--enabled must be true or false")
			}
			p.Enabled = &b
		case "reload-fee":
			if v == "none" {
				p.ClearFee = true
			} else if n, perr := money.ParseMinor(v); perr != nil || n < 0 {
				err = fmt.Errorf("--reload-fee must be a non-negative amount or none")
			} else {
				p.ReloadFee = &n
			}
		case "min-load":
			p.MinLoadAmount = amount(f.Name, v)
		case "max-load":
			p.MaxLoadAmount = amount(f.Name, v)
		case "daily-limit":
			p.DailyLoadLimit = amount(f.Name, v)
		case "card-type":
			p.CardType = &v
		case "retail-partners":
			p.SetPartners = true
			switch v {
			case "all":
			case "none":
				p.RetailPartners = []string{}
			default:
				p.RetailPartners = splitList(v)
			}
		}
	})
	return p, err
}

// retailThrottlesList prints the retailers the enumeration guard
// throttles now (GET /admin/v1/retail/throttles).
func retailThrottlesList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("retail throttles list")
	return runList(ctx, fs, args, getenv, stdout, 50, 100, func(a *app.App, after string, limit int) (listing, error) {
		ts, err := a.Retail.Throttles(ctx, after, limit)
		if err != nil {
			return listing{}, err
		}
		page := api.RetailThrottlesView(ts, limit)
		l := listing{JSON: page, Header: []string{"PARTNER", "NAME", "SINCE", "UNTIL", "MISSES"}, Next: page.Next}
		for _, t := range page.Throttles {
			l.Rows = append(l.Rows, []string{t.PartnerID, t.PartnerName, t.Since.Format(time.RFC3339), t.Until.Format(time.RFC3339),
				strconv.Itoa(t.Misses)})
		}
		return l, nil
	})
}

// retailThrottlesLift ends a retailer's throttle now (DELETE
// /admin/v1/retail/throttles/{partnerId}), audited with actor "operator".
func retailThrottlesLift(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("retail throttles lift")
	partnerID := fs.String("partner", "", "the throttled retailer's partnerId (required)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		if *partnerID == "" {
			return nil, errors.New("retail throttles lift: --partner is required")
		}
		t, err := a.Retail.LiftThrottle(ctx, *partnerID)
		return api.RetailThrottleView(t), err
	})
}
