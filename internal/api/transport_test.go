package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

func TestTransportBadInput(t *testing.T) {
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
		if r := e.Do("GET", "/admin/v1/nothing", nil).Want(t, http.StatusNotFound); r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("admin 404: %s", r.Body)
		}
	})
}

func TestOperations(t *testing.T) {
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
