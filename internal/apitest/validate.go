package apitest

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/verdant-baas/verdant/internal/api"
)

func init() {
	// The API reference page and its stylesheet are text, checked as such.
	openapi3filter.RegisterBodyDecoder("text/css", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
}

var loadDoc = sync.OnceValues(func() (routers.Router, error) {
	b, err := api.OpenAPIYAML()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	doc.Servers = nil // match any host
	return legacy.NewRouter(doc)
})

// Document loads and validates the served OpenAPI document.
func Document() (routers.Router, error) { return loadDoc() }

// validate checks a response against the OpenAPI document. A request to a
// path the document does not describe must have been answered 404 or 405
// (or 401 under /admin/, where the token is checked first).
func validate(t *testing.T, req *http.Request, reqBody []byte, r *Response) {
	t.Helper()
	router, err := loadDoc()
	if err != nil {
		t.Fatalf("openapi document: %v", err)
	}
	vreq := req.Clone(context.Background())
	vreq.Body = http.NoBody
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed ||
			r.Status == http.StatusUnauthorized && strings.HasPrefix(req.URL.Path, "/admin/") {
			return
		}
		t.Fatalf("%s %s answered %d but is not in the OpenAPI document: %v", req.Method, req.URL.Path, r.Status, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s: response %d does not match the OpenAPI document: %v\nbody: %s",
			req.Method, req.URL.Path, r.Status, err, truncate(r.Body))
	}
	record(route, reqBody, r)
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}
