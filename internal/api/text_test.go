package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// routeParams fills a route pattern's wildcards with the seed's values
// (so a lookup would find something) and answers the path and the name
// of its last wildcard ("" when it has none).
func routeParams(pattern string, s apitest.Seed) (path, last string) {
	values := map[string]string{"programCode": s.ProgramCode, "accountIdentifier": s.AccountID,
		"paymentInstrumentIdentifier": s.CardID, "partnerId": s.PartnerID, "customerid": "cust01"}
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(pattern, "/"), "/") {
		b.WriteByte('/')
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(strings.TrimSuffix(name, "}"), "...")
			last = name
			v := values[name]
			if v == "" {
				v = "x"
			}
			b.WriteString("{" + name + "}=" + v)
			continue
		}
		b.WriteString(strings.TrimSuffix(seg, "{$}"))
	}
	return b.String(), last
}

// fill replaces the "{name}=value" markers of routeParams, with tail
// appended to the value of the wildcard named at.
func fill(path, at, tail string) string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if name, v, ok := strings.Cut(strings.TrimPrefix(seg, "{"), "}="); ok && strings.HasPrefix(seg, "{") {
			if name == at {
				v += tail
			}
			seg = v
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}

// TestRefusedCharactersInEveryRoute sends NUL (and a C1 control and a
// bidirectional override) in a path segment, in a query parameter and in
// a body string of every route of every family, on both engines: each is
// a 400 in the route's family envelope (the OpenAPI document checks the
// envelope), never a 500 and never stored. PostgreSQL answered 500 on 15
// routes before (issue 16).
func TestRefusedCharactersInEveryRoute(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		auth := func(path string) apitest.Header {
			if strings.HasPrefix(path, "/admin/") {
				return apitest.Header{Name: "Authorization", Value: "Bearer " + apitest.AdminToken}
			}
			return apitest.Header{Name: "Authorization", Value: "Bearer " + e.Token}
		}
		want400 := func(what string, r *apitest.Response) {
			t.Helper()
			if r.Status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400: %s", what, r.Status, r.Body)
			}
		}
		for _, pattern := range e.App.Server.Routes() {
			method, p, ok := strings.Cut(pattern, " ")
			if !ok || p == "/" {
				continue
			}
			path, last := routeParams(p, s)
			for _, bad := range []string{"%00", "%C2%85", "%E2%80%AE"} {
				if last != "" {
					target := fill(path, last, bad)
					want400(pattern+" path "+target, e.Do(method, target, nil, auth(target)))
				}
				target := fill(path, "", "") + "?limit=1" + bad
				want400(pattern+" query "+target, e.Do(method, target, nil, auth(target)))
			}
			if method == "GET" || method == "DELETE" || strings.HasPrefix(pattern, "POST /admin/v1/partners/{partnerId}/") ||
				pattern == "POST /admin/v1/operators/{operatorId}/password" { // reads no body
				continue
			}
			target := fill(path, "", "")
			for _, body := range []string{`{"name":"a\u0000b"}`, `{"holder":{"firstName":"A\u0085n"}}`,
				`{"note":["x\u202Ey"]}`, "{\"customerQuestion\":\"\u2066x\"}"} {
				want400(pattern+" body "+body, e.Do(method, target, body, auth(target)))
			}
		}

		// /authentication: form values and Basic credentials.
		form := func(v url.Values, user, pass string) *apitest.Response {
			req, _ := http.NewRequest("POST", e.URL+"/authentication", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if user != "" {
				req.SetBasicAuth(user, pass)
			}
			return e.Send(req)
		}
		want400("form client_id", form(url.Values{"grant_type": {"client_credentials"}, "client_id": {"a\x00"}, "client_secret": {"b"}}, "", ""))
		want400("basic client_id", form(url.Values{"grant_type": {"client_credentials"}}, s.ClientID+"\x00", s.ClientSecret))

		// Free text keeps its line breaks; one-line fields do not.
		careBody := map[string]any{"subject": "Card", "firstName": "Ann", "lastName": "Lee", "emailAddress": "a@example.com",
			"accountIdentifier": s.AccountID, "customerQuestion": "line one\r\nline two\ttabbed"}
		e.Partner("POST", "/programs/"+s.ProgramCode+"/customerCare/cases", careBody).WantDetail(t, http.StatusOK, 0, 0)
		careBody["subject"] = "Card\nlost"
		if d := e.Partner("POST", "/programs/"+s.ProgramCode+"/customerCare/cases", careBody).
			WantDetail(t, http.StatusBadRequest, 640, 0); d != "The subject is invalid." {
			t.Errorf("care subject: %q", d)
		}
		e.Partner("POST", "/programs/"+s.ProgramCode+"/contactVerifications", map[string]any{"contactType": "email",
			"communicationType": "email", "contactHandle": "ann@example.com", "firstName": "Ann\r\n\r\nCall us"}).
			WantDetail(t, http.StatusBadRequest, 640, 0)
	})
}
