package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The API reference at GET /docs is rendered on the server from the
// OpenAPI document: plain HTML and one stylesheet, no scripts and no
// third-party assets, so it works offline and under a strict
// Content-Security-Policy.
//
//go:embed docs/reference.html docs/style.css
var docsFS embed.FS

var (
	docsTemplate = template.Must(template.ParseFS(docsFS, "docs/reference.html"))
	docsPage     = sync.OnceValues(renderDocs)
)

// docsCSP allows the page its own stylesheet and nothing else.
const docsCSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) docsRoutes(mux *router) {
	mux.Handle("GET /docs", s.public(func(w http.ResponseWriter, r *http.Request) error {
		page, err := docsPage()
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", docsCSP)
		w.Write(page)
		return nil
	}))
	mux.Handle("GET /docs/style.css", s.public(func(w http.ResponseWriter, r *http.Request) error {
		css, err := docsFS.ReadFile("docs/style.css")
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(css)
		return nil
	}))
}

// The page's view of the document.
type (
	docsView struct {
		Title, Description, Version string
		Groups                      []docsGroup
	}
	docsGroup struct {
		Name       string
		Operations []docsOperation
	}
	docsOperation struct {
		ID, Method, Class, Path, Summary, Description, Auth string
		Params                                              []docsField
		BodyType, Body                                      string
		BodyFields                                          []docsField
		Responses                                           []docsResponse
	}
	docsField struct {
		Name, In, Type, Description string
		Required                    bool
	}
	docsResponse struct{ Code, Description, Example string }
)

func renderDocs() ([]byte, error) {
	b, err := OpenAPIYAML()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, err
	}
	v := docsView{Title: doc.Info.Title, Description: doc.Info.Description, Version: doc.OpenAPI}
	groups := map[string]*docsGroup{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			g := groups[tag]
			if g == nil {
				g = &docsGroup{Name: tag}
				groups[tag] = g
			}
			g.Operations = append(g.Operations, docsOp(method, path, item, op))
		}
	}
	for _, g := range groups {
		sort.Slice(g.Operations, func(i, j int) bool {
			a, b := g.Operations[i], g.Operations[j]
			return a.Path < b.Path || a.Path == b.Path && a.Method < b.Method
		})
		v.Groups = append(v.Groups, *g)
	}
	sort.Slice(v.Groups, func(i, j int) bool { return groupRank(v.Groups[i].Name) < groupRank(v.Groups[j].Name) })
	var out bytes.Buffer
	err = docsTemplate.Execute(&out, v)
	return out.Bytes(), err
}

// groupRank orders the tags: the partner API first, then the operator's,
// then operations; others alphabetically between.
func groupRank(tag string) string {
	switch tag {
	case "auth":
		return "0"
	case "operator":
		return "8"
	case "operations":
		return "9"
	}
	return "1" + tag
}

func docsOp(method, path string, item *openapi3.PathItem, op *openapi3.Operation) docsOperation {
	o := docsOperation{ID: op.OperationID, Method: method, Class: strings.ToLower(method), Path: path,
		Summary: op.Summary, Description: op.Description, Auth: docsAuth(op)}
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range ps {
			if p.Value != nil {
				o.Params = append(o.Params, docsField{Name: p.Value.Name, In: p.Value.In, Type: schemaType(p.Value.Schema),
					Description: p.Value.Description, Required: p.Value.Required})
			}
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		for ct, mt := range rb.Value.Content {
			if o.BodyType != "" && ct != "application/json" {
				continue
			}
			o.BodyType, o.Body, o.BodyFields = ct, example(mt), fields(mt.Schema)
		}
	}
	codes := op.Responses.Map()
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, code := range keys {
		r := codes[code].Value
		if r == nil {
			continue
		}
		dr := docsResponse{Code: code, Description: orEmpty(r.Description)}
		for _, mt := range r.Content {
			if e := example(mt); e != "" {
				dr.Example = e
			}
		}
		o.Responses = append(o.Responses, dr)
	}
	return o
}

// docsAuth names the credentials an operation needs.
func docsAuth(op *openapi3.Operation) string {
	if op.Security == nil {
		return ""
	}
	var names []string
	for _, req := range *op.Security {
		for name := range req {
			names = append(names, map[string]string{"partnerBearer": "partner access token",
				"adminBearer": "operator token", "clientBasic": "client id and secret (Basic)"}[name])
		}
	}
	return strings.Join(names, ", ")
}

// example is a media type's example as indented JSON ("" without one).
func example(mt *openapi3.MediaType) string {
	v := mt.Example
	if v == nil {
		for _, e := range mt.Examples {
			if e.Value != nil {
				v = e.Value.Value
				break
			}
		}
	}
	if v == nil && mt.Schema != nil && mt.Schema.Value != nil {
		v = mt.Schema.Value.Example
	}
	if v == nil {
		return ""
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// fields lists an object schema's top-level properties.
func fields(ref *openapi3.SchemaRef) []docsField {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []docsField
	for _, n := range names {
		p := s.Properties[n]
		d := ""
		if p.Value != nil {
			d = p.Value.Description
		}
		out = append(out, docsField{Name: n, Type: schemaType(p), Description: d, Required: required[n]})
	}
	return out
}

// schemaType is a short type name: string, integer, array of object, ...
func schemaType(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return ""
	}
	s := ref.Value
	t := ""
	if s.Type != nil && len(*s.Type) > 0 {
		t = (*s.Type)[0]
	}
	switch {
	case t == "array":
		return "array of " + schemaType(s.Items)
	case len(s.Enum) > 0:
		var vs []string
		for _, e := range s.Enum {
			b, _ := json.Marshal(e)
			vs = append(vs, string(b))
		}
		return strings.Join(vs, " | ")
	case t == "" && len(s.OneOf) > 0:
		var vs []string
		for _, o := range s.OneOf {
			vs = append(vs, schemaType(o))
		}
		return strings.Join(vs, " or ")
	case s.Format != "":
		return t + " (" + s.Format + ")"
	}
	return t
}

func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
