package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/audit"
)

func TestOperatorsAPI(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		adminID, adminEmail, admin := e.Operator("admin")
		var me struct {
			OperatorID, Email, Actor string
			Roles                    []string
			Superuser                bool
		}
		e.As(admin, "GET", "/admin/v1/operators/me", nil).Want(t, http.StatusOK).Decode(t, &me)
		if me.OperatorID != adminID || me.Actor != "operator:"+adminEmail || len(me.Roles) != 1 || me.Superuser {
			t.Fatalf("me = %+v", me)
		}
		e.Admin("GET", "/admin/v1/operators/me", nil).Want(t, http.StatusOK).Decode(t, &me)
		if !me.Superuser || len(me.Roles) != 5 || me.Actor != "operator" {
			t.Fatalf("bootstrap me = %+v", me)
		}

		// The admin operator creates a risk operator; the password is shown
		// once and never again.
		var rita struct {
			OperatorID, Password string
			Roles                []string
		}
		e.As(admin, "POST", "/admin/v1/operators", map[string]any{"email": "Rita@Example.com", "name": "Rita", "roles": []string{"risk"}}).
			Want(t, http.StatusCreated).Decode(t, &rita)
		if rita.Password == "" || len(rita.Roles) != 1 {
			t.Fatalf("created = %+v", rita)
		}
		got := e.As(admin, "GET", "/admin/v1/operators/"+rita.OperatorID, nil).Want(t, http.StatusOK).JSON(t)
		if _, ok := got["password"]; ok || got["email"] != "rita@example.com" {
			t.Fatalf("get = %v", got)
		}
		e.As(admin, "POST", "/admin/v1/operators", map[string]any{"email": "rita@example.com", "name": "R", "roles": []string{"risk"}}).Want(t, http.StatusConflict)
		e.As(admin, "POST", "/admin/v1/operators", map[string]any{"email": "x@example.com", "name": "X", "roles": []string{"root"}}).Want(t, http.StatusBadRequest)
		e.As(admin, "PATCH", "/admin/v1/operators/"+rita.OperatorID, map[string]any{"roles": []string{"risk", "support"}, "colour": "red"}).Want(t, http.StatusBadRequest)
		e.As(admin, "PATCH", "/admin/v1/operators/"+adminID, map[string]any{"disabled": true}).Want(t, http.StatusConflict)
		e.As(admin, "PATCH", "/admin/v1/operators/"+rita.OperatorID, map[string]any{"roles": []string{"risk", "support"}}).Want(t, http.StatusOK)

		// Tokens: issued once, listed without the secret, revoked at once.
		var tok struct{ TokenID, Token string }
		e.As(admin, "POST", "/admin/v1/operators/"+rita.OperatorID+"/tokens", map[string]any{"name": "laptop"}).
			Want(t, http.StatusCreated).Decode(t, &tok)
		e.As(tok.Token, "GET", "/admin/v1/sanctions/reviews", nil).Want(t, http.StatusOK)
		var list struct{ Tokens []map[string]any }
		e.As(admin, "GET", "/admin/v1/operators/"+rita.OperatorID+"/tokens", nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Tokens) != 1 || list.Tokens[0]["token"] != nil {
			t.Fatalf("tokens = %+v", list.Tokens)
		}
		e.As(admin, "PATCH", "/admin/v1/operators/"+rita.OperatorID, map[string]any{"disabled": true}).Want(t, http.StatusOK)
		e.As(tok.Token, "GET", "/admin/v1/sanctions/reviews", nil).Want(t, http.StatusUnauthorized)
		e.As(admin, "PATCH", "/admin/v1/operators/"+rita.OperatorID, map[string]any{"disabled": false}).Want(t, http.StatusOK)
		e.As(admin, "DELETE", "/admin/v1/operators/"+rita.OperatorID+"/tokens/"+tok.TokenID, nil).Want(t, http.StatusOK)
		e.As(tok.Token, "GET", "/admin/v1/sanctions/reviews", nil).Want(t, http.StatusUnauthorized)
		var pw struct{ Password string }
		e.As(admin, "POST", "/admin/v1/operators/"+rita.OperatorID+"/password", nil).Want(t, http.StatusCreated).Decode(t, &pw)
		if pw.Password == "" || pw.Password == rita.Password {
			t.Fatal("reset password")
		}
		var ops struct {
			Operators []struct{ Email string }
			Next      string
		}
		e.As(admin, "GET", "/admin/v1/operators?limit=1", nil).Want(t, http.StatusOK).Decode(t, &ops)
		if len(ops.Operators) != 1 || ops.Next == "" {
			t.Fatalf("page = %+v", ops)
		}
		e.As(admin, "GET", "/admin/v1/operators?after="+ops.Next, nil).Want(t, http.StatusOK).Decode(t, &ops)
		if len(ops.Operators) != 1 || ops.Operators[0].Email != "rita@example.com" {
			t.Fatalf("second page = %+v", ops)
		}

		// Changes made with an operator's token are audited in its name.
		e.As(admin, "PATCH", "/admin/v1/programs/"+s.ProgramCode, map[string]any{"name": "Renamed"}).Want(t, http.StatusOK)
		trail, _ := e.App.Audit.List(t.Context(), audit.Filter{Subject: "program:" + s.ProgramCode, Limit: 1})
		evs := trail.Events
		if len(evs) != 1 || evs[0].Actor != "operator:"+adminEmail {
			t.Fatalf("program event = %+v", evs)
		}
		// A risk operator restricts an account, saying why.
		_, riskEmail, risk := e.Operator("risk")
		acct := "/admin/v1/programs/" + s.ProgramCode + "/accounts/" + s.AccountID
		e.As(risk, "PATCH", acct, map[string]any{"status": "restricted", "reason": "chargeback pattern"}).Want(t, http.StatusOK)
		e.As(risk, "PATCH", acct, map[string]any{"status": "locked", "reason": "bad\u0000reason"}).Want(t, http.StatusBadRequest)
		trail, _ = e.App.Audit.List(t.Context(), audit.Filter{Subject: "account:" + s.AccountID, Limit: 1})
		evs = trail.Events
		if len(evs) != 1 || evs[0].Actor != "operator:"+riskEmail || !strings.Contains(string(evs[0].Detail), `"reason":"chargeback pattern"`) {
			t.Fatalf("status event = %+v", evs)
		}

		var page struct {
			Events []struct{ Actor, Action string }
		}
		e.As(admin, "GET", "/admin/v1/audit?actor=operator:"+adminEmail+"&action=operator.", nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Events) < 5 {
			t.Fatalf("events by the admin = %+v", page.Events)
		}
		for _, ev := range page.Events {
			if ev.Actor != "operator:"+adminEmail {
				t.Fatalf("actor filter: %+v", ev)
			}
		}
		e.As(admin, "GET", "/admin/v1/audit?from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z", nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Events) != 0 {
			t.Fatalf("time filter: %+v", page.Events)
		}
		e.As(admin, "GET", "/admin/v1/audit?from=yesterday", nil).Want(t, http.StatusBadRequest)

		// A bad token, a partner's token, no token: 401.
		e.As("vop_nope", "GET", "/admin/v1/operators/me", nil).Want(t, http.StatusUnauthorized)
		e.As(e.Token, "GET", "/admin/v1/operators/me", nil).Want(t, http.StatusUnauthorized)
		e.Do("GET", "/admin/v1/operators/me", nil).Want(t, http.StatusUnauthorized)
	})
}
