package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/audit"
	"github.com/verdant-baas/verdant/internal/operator"
)

// adminRoutes answers every registered operator-API route pattern.
func adminRoutes(e *apitest.Env) []string {
	var out []string
	for _, p := range e.App.Server.Routes() {
		if _, path, _ := strings.Cut(p, " "); strings.HasPrefix(path, "/admin/") {
			out = append(out, p)
		}
	}
	return out
}

// Every operator route is in the permission table: a route added without
// a permission would be closed to every named operator.
func TestAdminPermissionTableCoversEveryRoute(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	routes := adminRoutes(e)
	if len(routes) < 45 {
		t.Fatalf("only %d operator routes", len(routes))
	}
	for _, p := range routes {
		if _, ok := api.AdminPermission(p); !ok {
			t.Errorf("%s has no permission in adminPermissions", p)
		}
	}
}

// Route x role: every operator route, called with a token of each role,
// is refused with 403 exactly when the role lacks the route's permission;
// otherwise it gets past the role check (whatever the dummy path and body
// then answer). Every refusal is audited and changes nothing else.
func TestAdminRouteRoles(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		tokens := map[operator.Role]string{}
		for _, r := range operator.Roles {
			_, _, tokens[r] = e.Operator(string(r))
		}
		count := func() (all, denied int) {
			db := e.App.DB
			db.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_events`).Scan(&all)
			db.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_events WHERE action = 'operator.denied'`).Scan(&denied)
			return
		}
		for _, pattern := range adminRoutes(e) {
			perm, _ := api.AdminPermission(pattern)
			method, path, _ := strings.Cut(pattern, " ")
			path = pathParam.ReplaceAllString(path, "00000000-0000-7000-8000-000000000000")
			for _, role := range operator.Roles {
				allowed := operator.Allows([]operator.Role{role}, perm)
				var body any
				if method != http.MethodGet && method != http.MethodDelete {
					body = map[string]any{}
				}
				all, denied := count()
				res := e.As(tokens[role], method, path, body)
				all2, denied2 := count()
				switch {
				case res.Status == http.StatusUnauthorized:
					t.Errorf("%s as %s: 401 %s", pattern, role, res.Body)
				case allowed && res.Status == http.StatusForbidden:
					t.Errorf("%s as %s: 403, want allowed (%s)", pattern, role, perm)
				case !allowed && res.Status != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403 (%s)", pattern, role, res.Status, perm)
				case !allowed && (denied2 != denied+1 || all2 != all+1):
					t.Errorf("%s as %s: refusal wrote %d events (%d denials), want exactly its denial", pattern, role, all2-all, denied2-denied)
				}
			}
		}
	})
}

// The overreach the issue names: support deciding an OFAC review, viewer
// changing an account's status. Refused with a clear message, audited,
// nothing changed.
func TestRoleOverreachChangesNothing(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		_, _, viewer := e.Operator("viewer")
		supportID, _, support := e.Operator("support")
		acct := "/admin/v1/programs/" + s.ProgramCode + "/accounts/" + s.AccountID
		res := e.As(viewer, "PATCH", acct, map[string]any{"status": "locked"}).Want(t, http.StatusForbidden)
		var p struct{ Detail, Type string }
		res.Decode(t, &p)
		if !strings.Contains(p.Detail, "your roles (viewer) do not allow this") || !strings.Contains(p.Detail, "held by admin, risk") {
			t.Fatalf("refusal = %s", res.Body)
		}
		var a struct{ Status string }
		e.As(viewer, "GET", acct, nil).Want(t, http.StatusOK).Decode(t, &a)
		if a.Status != "normal" {
			t.Fatalf("status changed to %s", a.Status)
		}
		e.As(support, "POST", "/admin/v1/customers/c-1/sanctionsReview", map[string]any{"decision": "clear", "note": "x"}).
			Want(t, http.StatusForbidden)
		page, err := e.App.Audit.List(t.Context(), audit.Filter{Subject: operator.Subject(supportID), Limit: 10})
		evs := page.Events
		if err != nil || len(evs) != 3 || evs[0].Action != "operator.denied" {
			t.Fatalf("events = %+v, %v", evs, err)
		}
		var d struct{ Action, Permission string }
		json.Unmarshal(evs[0].Detail, &d)
		if d.Action != "POST /admin/v1/customers/{customerid}/sanctionsReview" || d.Permission != "sanctions.decide" {
			t.Fatalf("denial detail = %s", evs[0].Detail)
		}
	})
}
