package main

import (
	"context"
	"io"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/operator"
)

// The operator commands manage the people behind the console and the
// operator API (docs/operators.md). They run as the bootstrap operator:
// the audit trail names the actor "operator".

func operatorCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("operator create")
	email := fs.String("email", "", "sign-in email (required)")
	name := fs.String("name", "", "full name (required)")
	roles := fs.String("roles", "", "comma-separated roles: admin, risk, support, finance, viewer (required)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		cr, err := a.Operators.Create(ctx, operator.NewOperator{Email: *email, Name: *name, Roles: splitList(*roles)})
		if err != nil {
			return nil, err
		}
		out := api.OperatorView(cr.Operator)
		out.Password = cr.Password // generated: shown once
		return out, nil
	})
}

func operatorList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("operator list")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		out := []api.OperatorJSON{}
		for after := ""; ; {
			ops, err := a.Operators.List(ctx, after, 500)
			if err != nil {
				return nil, err
			}
			for _, o := range ops {
				out = append(out, api.OperatorView(o))
			}
			if len(ops) < 500 {
				return out, nil
			}
			after = ops[len(ops)-1].ID
		}
	})
}

// operatorByEmail is the skeleton of the commands that act on one
// operator named by --email.
func operatorByEmail(name string, f func(ctx context.Context, a *app.App, o operator.Operator) (any, error)) command {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
		fs := newFlags(name)
		email := fs.String("email", "", "the operator's email (required)")
		return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
			o, err := a.Operators.ByEmail(ctx, *email)
			if err != nil {
				return nil, err
			}
			return f(ctx, a, o)
		})
	}
}

func setDisabled(disabled bool) func(context.Context, *app.App, operator.Operator) (any, error) {
	return func(ctx context.Context, a *app.App, o operator.Operator) (any, error) {
		o, err := a.Operators.Change(ctx, o.ID, operator.Update{Disabled: &disabled})
		return api.OperatorView(o), err
	}
}

var (
	operatorDisable = operatorByEmail("operator disable", setDisabled(true))
	operatorEnable  = operatorByEmail("operator enable", setDisabled(false))
	// operatorResetPassword prints a generated password (once); the
	// operator's sessions end and a sign-in lockout is lifted.
	operatorResetPassword = operatorByEmail("operator reset-password", func(ctx context.Context, a *app.App, o operator.Operator) (any, error) {
		pw, err := a.Operators.ResetPassword(ctx, o.ID, "")
		return map[string]string{"operatorId": o.ID, "email": o.Email, "password": pw}, err
	})
)

// operatorToken issues an API token for the operator API (printed once).
func operatorToken(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("operator token")
	email := fs.String("email", "", "the operator's email (required)")
	name := fs.String("name", "cli "+time.Now().UTC().Format("2006-01-02"), "where the token is used")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		o, err := a.Operators.ByEmail(ctx, *email)
		if err != nil {
			return nil, err
		}
		t, secret, err := a.Operators.IssueToken(ctx, o.ID, *name)
		return api.TokenView(t, secret), err
	})
}
