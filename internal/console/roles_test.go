package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/operator"
)

var pathParam = regexp.MustCompile(`\{[A-Za-z]+\}`)

// Route x role: every console page and action, by an operator of each
// role (with a valid CSRF token), is refused with 403 exactly when the
// role lacks the route's permission.
func TestConsoleRouteRoles(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		routes := e.App.Console.Routes()
		if len(routes) < 15 {
			t.Fatalf("only %d console routes", len(routes))
		}
		for _, role := range operator.Roles {
			c := f.client(t)
			tok := c.login(string(role) + "@example.com")
			for pattern, perm := range routes {
				method, path, _ := strings.Cut(pattern, " ")
				path = strings.TrimSuffix(pathParam.ReplaceAllString(path, "00000000-0000-7000-8000-000000000000"), "{$}")
				var p page
				if method == http.MethodPost {
					p = c.post(path, url.Values{"csrf": {tok}})
				} else {
					p = c.get(path)
				}
				allowed := operator.Allows([]operator.Role{role}, perm)
				if allowed == (p.Status == http.StatusForbidden) || p.Status == http.StatusSeeOther && !allowed {
					t.Errorf("%s as %s: %d (permission %s)", pattern, role, p.Status, perm)
				}
			}
		}
	})
}
