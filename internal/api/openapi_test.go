package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

var pathParam = regexp.MustCompile(`\{[A-Za-z]+\}`)

// Every route the server registers is described by the OpenAPI document,
// whether or not a test calls it (a sandbox: its routes are a superset).
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	e := apitest.NewWith(t, apitest.DSNs(t)["sqlite"], apitest.Options{Sandbox: true})
	router, err := apitest.Document()
	if err != nil {
		t.Fatal(err)
	}
	routes := e.App.Server.Routes()
	if len(routes) < 50 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, p := range routes {
		method, path, _ := strings.Cut(p, " ")
		path = strings.TrimSuffix(path, "{$}")
		path = pathParam.ReplaceAllString(path, "x")
		req, _ := http.NewRequest(method, "http://verdant.test"+path, nil)
		if _, _, err := router.FindRoute(req); err != nil {
			t.Errorf("%s is not in the OpenAPI document: %v", p, err)
		}
	}
}
