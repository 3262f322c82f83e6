package apitest

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/routers"
	"github.com/verdant-baas/verdant/internal/api"
	"gopkg.in/yaml.v3"
)

// The OpenAPI examples are real traffic: with VERDANT_RECORD_EXAMPLES set
// to a file, every test call that answers 2xx for an operation without an
// example yet gives that operation its request and response examples, and
// the file is rewritten as an OpenAPI fragment after each new one. The
// fragment the document embeds is made this way:
//
//	rm internal/api/openapi/90-examples.yaml
//	VERDANT_RECORD_EXAMPLES=$PWD/internal/api/openapi/90-examples.yaml go test -count=1 ./internal/api/
//
// (Operations with hand-written examples keep them.)
var recorder = struct {
	sync.Mutex
	path string
	doc  map[string]any // the served document, to see what has an example
	out  map[string]any // the fragment being written
	seen map[string]bool
}{path: os.Getenv("VERDANT_RECORD_EXAMPLES")}

// record gives the route's operation the call's examples, when
// recording and the operation has none.
func record(route *routers.Route, reqBody []byte, r *Response) {
	if recorder.path == "" || r.Status < 200 || r.Status > 299 || !strings.Contains(r.Header.Get("Content-Type"), "json") {
		return
	}
	recorder.Lock()
	defer recorder.Unlock()
	if recorder.doc == nil {
		b, _ := api.OpenAPIYAML()
		yaml.Unmarshal(b, &recorder.doc)
		recorder.out, recorder.seen = map[string]any{}, map[string]bool{}
	}
	key := route.Method + " " + route.Path
	if recorder.seen[key] {
		return
	}
	recorder.seen[key] = true
	op := dig(recorder.doc, "paths", route.Path, strings.ToLower(route.Method))
	if op == nil {
		return
	}
	wrote := false
	if rb, ok := dig(op, "requestBody", "content", "application/json").(map[string]any); ok && rb["example"] == nil && len(reqBody) > 0 {
		if v, ok := exampleOf(reqBody); ok {
			put(recorder.out, v, "paths", route.Path, strings.ToLower(route.Method), "requestBody", "content", "application/json", "example")
			wrote = true
		}
	}
	code := strconv.Itoa(r.Status)
	resp, _ := dig(op, "responses", code).(map[string]any)
	where := []string{"paths", route.Path, strings.ToLower(route.Method), "responses", code}
	if ref, ok := resp["$ref"].(string); ok { // a shared response: its example is the component's
		where = []string{"components", "responses", strings.TrimPrefix(ref, "#/components/responses/")}
		resp, _ = dig(recorder.doc, where...).(map[string]any)
	}
	if mt, ok := dig(resp, "content", "application/json").(map[string]any); ok && mt["example"] == nil && dig(recorder.out, where...) == nil {
		if v, ok := exampleOf(r.Body); ok {
			put(recorder.out, v, append(where, "content", "application/json", "example")...)
			wrote = true
		}
	}
	if wrote {
		b, err := yaml.Marshal(recorder.out)
		if err == nil {
			os.WriteFile(recorder.path, append([]byte("# Examples recorded from the API tests (internal/apitest/examples.go); do not edit.\n"), b...), 0o644)
		}
	}
}

// exampleOf decodes a JSON body, with arrays cut to their first two items
// so an example stays short.
func exampleOf(b []byte) (any, bool) {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil, false
	}
	return shorten(v), true
}

func shorten(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) > 2 {
			x = x[:2]
		}
		for i := range x {
			x[i] = shorten(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = shorten(x[k])
		}
	}
	return v
}

// dig walks nested maps by key; nil when a step is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// put sets a value at a path of nested maps, making the maps on the way.
func put(m map[string]any, v any, keys ...string) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}
