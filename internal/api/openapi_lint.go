package api

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// LintOpenAPI checks the served OpenAPI document: it must load and pass
// kin-openapi's validation of the OpenAPI 3 specification (schemas,
// references, parameters, examples against their schemas), and these
// rules, in the spirit of the common linters' recommended sets:
//
//   - info has a description and a licence;
//   - every operation has a unique camelCase operationId, a summary and a
//     tag;
//   - every path parameter is declared, and every declared one is in the
//     path;
//   - every JSON request body has an example, and so does the JSON body of
//     the operation's success answer (each 2xx answer with a JSON body);
//   - every component schema, parameter and response is used.
//
// It answers the findings, one line each; none means the document lints
// clean.
func LintOpenAPI(b []byte) ([]string, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	var out []string
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		out = append(out, "specification: "+err.Error())
	}
	if doc.Info == nil || doc.Info.Description == "" || doc.Info.License == nil {
		out = append(out, "info: needs a description and a license")
	}
	ids := map[string]string{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			where := method + " " + path
			out = append(out, lintOperation(where, path, item, op, ids)...)
		}
	}
	out = append(out, unusedComponents(doc, string(b))...)
	sort.Strings(out)
	return out, nil
}

var camelCase = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

func lintOperation(where, path string, item *openapi3.PathItem, op *openapi3.Operation, ids map[string]string) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, where+": "+fmt.Sprintf(format, args...)) }
	switch {
	case op.OperationID == "":
		add("no operationId")
	case !camelCase.MatchString(op.OperationID):
		add("operationId %q is not camelCase", op.OperationID)
	case ids[op.OperationID] != "":
		add("operationId %q is also %s", op.OperationID, ids[op.OperationID])
	default:
		ids[op.OperationID] = where
	}
	if strings.TrimSpace(op.Summary) == "" {
		add("no summary")
	}
	if len(op.Tags) == 0 {
		add("no tag")
	}
	declared := map[string]bool{}
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == "path" {
				declared[p.Value.Name] = true
			}
		}
	}
	for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
		if !declared[m[1]] {
			add("path parameter %s is not declared", m[1])
		}
		delete(declared, m[1])
	}
	for name := range declared {
		add("path parameter %s is declared but not in the path", name)
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && !hasExample(mt) {
			add("the JSON request body has no example")
		}
	}
	for code, r := range op.Responses.Map() {
		if !strings.HasPrefix(code, "2") || r.Value == nil {
			continue
		}
		if mt := r.Value.Content.Get("application/json"); mt != nil && !hasExample(mt) {
			add("the %s JSON answer has no example", code)
		}
	}
	return out
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

// hasExample reports whether a media type carries an example (its own, a
// named one, or its schema's).
func hasExample(mt *openapi3.MediaType) bool {
	if mt.Example != nil || len(mt.Examples) > 0 {
		return true
	}
	return mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Example != nil
}

// unusedComponents lists the components no reference in the document names.
func unusedComponents(doc *openapi3.T, text string) []string {
	var out []string
	check := func(kind string, names []string) {
		for _, n := range names {
			if !strings.Contains(text, "#/components/"+kind+"/"+n+"'") && !strings.Contains(text, "#/components/"+kind+"/"+n+"\n") &&
				!strings.Contains(text, "#/components/"+kind+"/"+n+"\"") {
				out = append(out, "components/"+kind+"/"+n+": not used")
			}
		}
	}
	keys := func(m any) []string {
		var ks []string
		switch m := m.(type) {
		case openapi3.Schemas:
			for k := range m {
				ks = append(ks, k)
			}
		case openapi3.ParametersMap:
			for k := range m {
				ks = append(ks, k)
			}
		case openapi3.ResponseBodies:
			for k := range m {
				ks = append(ks, k)
			}
		}
		return ks
	}
	check("schemas", keys(doc.Components.Schemas))
	check("parameters", keys(doc.Components.Parameters))
	check("responses", keys(doc.Components.Responses))
	return out
}
