package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/apitest"
)

// The OpenAPI document lints clean (what .ci/run's openapi-lint checks).
func TestOpenAPILintsClean(t *testing.T) {
	t.Parallel()
	doc, err := api.OpenAPIYAML()
	if err != nil {
		t.Fatal(err)
	}
	findings, err := api.LintOpenAPI(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Error(f)
	}
	// The lint catches what it promises to.
	bad := strings.Replace(string(doc), "operationId: ping", "operationId: Ping", 1)
	if f, _ := api.LintOpenAPI([]byte(bad)); len(f) != 1 || !strings.Contains(f[0], `"Ping" is not camelCase`) {
		t.Errorf("a bad operationId: %v", f)
	}
}

// GET /docs renders every operation of the document with its examples,
// with no scripts and a strict Content-Security-Policy.
func TestDocsPage(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	resp, err := http.Get(e.URL + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("GET /docs: %d %v", resp.StatusCode, resp.Header)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") || strings.Contains(page, "https://") {
		t.Error("the page has a script, an inline style or a third-party asset")
	}
	b, _ := api.OpenAPIYAML()
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			if !strings.Contains(page, `<article id="`+op.OperationID+`">`) {
				t.Errorf("%s %s (%s) is not on the page", method, path, op.OperationID)
			}
		}
	}
	if !strings.Contains(page, "&#34;adjustmentIdentifier&#34;") { // an example, escaped
		t.Error("no request example on the page")
	}
	e.Do("GET", "/docs/style.css", nil).Want(t, http.StatusOK)
}
