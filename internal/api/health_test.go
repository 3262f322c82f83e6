package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// /healthCheck tells the public whether verdant and its database are up,
// not which software, engine and schema it runs (issue 16): those come
// only with the operator token, and a wrong token is a counted failure.
func TestHealthCheckDetailsNeedTheOperatorToken(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		for _, auth := range []string{"", "Bearer " + strings.Repeat("z", 40)} {
			var hs []apitest.Header
			if auth != "" {
				hs = append(hs, apitest.Header{Name: "Authorization", Value: auth})
			}
			h := e.Do("GET", "/healthCheck", nil, hs...).Want(t, http.StatusOK).JSON(t)
			for _, k := range []string{"engine", "schemaVersion", "version"} {
				if _, ok := h[k]; ok {
					t.Fatalf("public health (auth %q) shows %s: %v", auth, k, h)
				}
			}
			if h["status"] != "healthy" || h["dependencies"] == nil {
				t.Fatalf("public health: %v", h)
			}
		}
		failures := func() (n int) {
			t.Helper()
			if err := e.App.DB.QueryRow(t.Context(), `SELECT COALESCE(SUM(failures), 0) FROM auth_failures`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := failures(); n != 1 {
			t.Fatalf("the wrong token counted %d failures, want 1", n)
		}
		h := e.Admin("GET", "/healthCheck", nil).Want(t, http.StatusOK).JSON(t)
		if h["engine"] == nil || h["schemaVersion"].(float64) < 14 || h["version"] != "test" {
			t.Fatalf("operator health: %v", h)
		}
		if n := failures(); n != 0 {
			t.Fatalf("the operator's success left %d failures", n)
		}
	})
}
