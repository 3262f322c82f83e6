package api_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

func TestTransportBadInput(t *testing.T) {
	t.Parallel()
	e := apitest.NewWith(t, "sqlite:"+t.TempDir()+"/v.db", apitest.Options{Configure: func(c *app.Config) { c.MaxBodyBytes = 1024 }})
	s := e.Seed()
	big := `{"name":"` + strings.Repeat("x", 4096) + `"}`
	t.Run("oversize operator body", func(t *testing.T) {
		r := e.Admin("POST", "/admin/v1/partners", big).Want(t, http.StatusRequestEntityTooLarge)
		if r.JSON(t)["type"] != "https://verdant.dev/problems/too-large" {
			t.Fatalf("answer: %s", r.Body)
		}
	})
	t.Run("oversize oauth body", func(t *testing.T) {
		r := e.Do("POST", "/authentication", `{"grant_type":"`+strings.Repeat("x", 4096)+`"}`).Want(t, http.StatusRequestEntityTooLarge)
		if r.JSON(t)["error"] != "invalid_request" {
			t.Fatalf("answer: %s", r.Body)
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		e.Do("POST", "/admin/v1/partners", `name=x`, apitest.Header{Name: "Authorization", Value: "Bearer " + apitest.AdminToken},
			apitest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}).Want(t, http.StatusUnsupportedMediaType)
	})
	t.Run("request id echoed", func(t *testing.T) {
		r := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil, apitest.Header{Name: "X-GD-RequestId", Value: "req-123"})
		if r.Header.Get("X-GD-RequestId") != "req-123" {
			t.Fatalf("X-GD-RequestId = %q", r.Header.Get("X-GD-RequestId"))
		}
	})
	t.Run("request id too long", func(t *testing.T) {
		r := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil,
			apitest.Header{Name: "X-GD-RequestId", Value: strings.Repeat("r", 51)}).Want(t, http.StatusBadRequest)
		if !strings.Contains(string(r.Body), "responseDetails") || !strings.Contains(string(r.Body), "at most 50") {
			t.Fatalf("answer: %s", r.Body)
		}
	})
	t.Run("request id not printable", func(t *testing.T) {
		r := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil,
			apitest.Header{Name: "X-GD-RequestId", Value: "bad-\u00e9-id"}).Want(t, http.StatusBadRequest)
		if r.Header.Get("X-GD-RequestId") != "" {
			t.Fatalf("a non-printable request id was echoed: %q", r.Header.Get("X-GD-RequestId"))
		}
	})
	t.Run("account id not a uuid", func(t *testing.T) {
		r := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/not-a-uuid", nil).Want(t, http.StatusBadRequest)
		if !strings.Contains(string(r.Body), `"code":10,"subCode":10`) {
			t.Fatalf("answer: %s", r.Body)
		}
	})
	t.Run("unknown account", func(t *testing.T) {
		r := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/00000000-0000-4000-8000-000000000000", nil).Want(t, http.StatusNotFound)
		if !strings.Contains(string(r.Body), `"code":10,"subCode":0`) {
			t.Fatalf("answer: %s", r.Body)
		}
	})
	t.Run("unknown route per family", func(t *testing.T) {
		if r := e.Do("GET", "/programs/P/nothing-here", nil).Want(t, http.StatusNotFound); !strings.Contains(string(r.Body), "responseDetails") {
			t.Fatalf("BaaS 404: %s", r.Body)
		}
		// Without the admin token the operator API answers 401 to everything,
		// so its routes cannot be mapped.
		e.Do("GET", "/admin/v1/nothing", nil).Want(t, http.StatusUnauthorized)
		e.Do("DELETE", "/admin/v1/programs/"+s.ProgramCode, nil).Want(t, http.StatusUnauthorized)
		if r := e.Admin("GET", "/admin/v1/nothing", nil).Want(t, http.StatusNotFound); r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("admin 404: %s", r.Body)
		}
	})
	t.Run("wrong method per family", func(t *testing.T) {
		r := e.Admin("DELETE", "/admin/v1/programs/"+s.ProgramCode, nil).Want(t, http.StatusMethodNotAllowed)
		if r.Header.Get("Allow") != "GET, PATCH" || r.JSON(t)["type"] != "https://verdant.dev/problems/method-not-allowed" {
			t.Fatalf("admin 405: %v %s", r.Header, r.Body)
		}
		if r := e.Partner("DELETE", "/customers/cust01", nil).Want(t, http.StatusMethodNotAllowed); r.JSON(t)["responsecode"] == nil {
			t.Fatalf("profile 405: %s", r.Body)
		}
		if r := e.Partner("GET", "/card/details", nil).Want(t, http.StatusMethodNotAllowed); r.Header.Get("X-GD-ResponseCode") == "" {
			t.Fatalf("retail 405: %s", r.Body)
		}
		if r := e.Partner("DELETE", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil).Want(t, http.StatusMethodNotAllowed); !strings.Contains(string(r.Body), "responseDetails") {
			t.Fatalf("BaaS 405: %s", r.Body)
		}
	})
}

// The X-GD-* headers go out spelled as the contract prints them.
func TestGDHeadersExactSpelling(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.Seed()
	u, _ := url.Parse(e.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /card/details HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nX-GD-RequestId: raw-1\r\n"+
		"Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", e.Token)
	raw, _ := io.ReadAll(conn)
	for _, h := range []string{"\r\nX-GD-RequestId: raw-1\r\n", "\r\nX-GD-ResponseId: ", "\r\nX-GD-ResponseCode: "} {
		if !strings.Contains(string(raw), h) {
			t.Fatalf("response lacks %q:\n%s", h, raw)
		}
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		h := e.Do("GET", "/healthCheck", nil).Want(t, http.StatusOK).JSON(t)
		if h["status"] != "healthy" || h["mode"] != "production" {
			t.Fatalf("health: %v", h)
		}
		e.Do("GET", "/ping", nil).Want(t, http.StatusOK)
		doc := e.Do("GET", "/openapi.yaml", nil).Want(t, http.StatusOK)
		if !strings.Contains(string(doc.Body), "/authentication") || !strings.Contains(string(doc.Body), "/admin/v1/programs") {
			t.Fatal("openapi document lacks endpoints")
		}
		e.Seed()
		m := string(e.Do("GET", "/metrics", nil).Want(t, http.StatusOK).Body)
		if !strings.Contains(m, `verdant_http_requests_total{route="POST /authentication",status="200"}`) ||
			!strings.Contains(m, `verdant_http_request_duration_seconds_bucket{route="POST /admin/v1/programs",status="201"`) {
			t.Fatalf("metrics lack route labels:\n%s", m)
		}
	})
	sandbox := apitest.NewWith(t, "sqlite:"+t.TempDir()+"/v.db", apitest.Options{Sandbox: true})
	if mode := sandbox.Do("GET", "/healthCheck", nil).JSON(t)["mode"]; mode != "sandbox" {
		t.Fatalf("sandbox mode = %v", mode)
	}
}
