package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func tokenRequest(e *apitest.Env, contentType, body string, basic ...string) *apitest.Response {
	req, _ := http.NewRequest("POST", e.URL+"/authentication", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	return e.Send(req)
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		form := "application/x-www-form-urlencoded"
		jsonCT := "application/json"
		creds := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}}.Encode()
		tests := []struct {
			name, ct, body string
			basic          []string
			status         int
			errCode        string
		}{
			{"basic + form", form, "grant_type=client_credentials", []string{s.ClientID, s.ClientSecret}, 200, ""},
			{"basic + json", jsonCT, `{"grant_type":"client_credentials"}`, []string{s.ClientID, s.ClientSecret}, 200, ""},
			{"body creds form", form, creds, nil, 200, ""},
			{"body creds json", jsonCT, `{"grant_type":"client_credentials","client_id":"` + s.ClientID + `","client_secret":"` + s.ClientSecret + `"}`, nil, 200, ""},
			{"wrong secret", form, "grant_type=client_credentials", []string{s.ClientID, "vs_wrong"}, 401, "invalid_client"},
			{"unknown client", form, "grant_type=client_credentials", []string{"vc_nobody", s.ClientSecret}, 401, "invalid_client"},
			{"no credentials", form, "grant_type=client_credentials", nil, 401, "invalid_client"},
			{"bad grant type", form, "grant_type=password", []string{s.ClientID, s.ClientSecret}, 401, "unsupported_grant_type"},
			{"missing grant type", form, "", []string{s.ClientID, s.ClientSecret}, 401, "unsupported_grant_type"},
			{"malformed json", jsonCT, `{"grant_type":`, []string{s.ClientID, s.ClientSecret}, 400, "invalid_request"},
			{"wrong content type", "text/plain", "grant_type=client_credentials", []string{s.ClientID, s.ClientSecret}, 415, "invalid_request"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := tokenRequest(e, tt.ct, tt.body, tt.basic...).Want(t, tt.status)
				body := r.JSON(t)
				if tt.status == 200 {
					if body["token_type"] != "Bearer" || body["expires_in"].(float64) != 3600 || body["access_token"] == "" {
						t.Fatalf("token answer: %s", r.Body)
					}
					return
				}
				if body["error"] != tt.errCode || body["error_description"] == "" {
					t.Fatalf("error answer: %s", r.Body)
				}
				if strings.Contains(string(r.Body), s.ClientSecret) {
					t.Fatal("secret echoed in an error")
				}
			})
		}
	})
}

func TestBearerFailures(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		path := "/programs/" + s.ProgramCode + "/accounts/" + s.AccountID
		tests := []struct{ name, auth, want string }{
			{"missing", "", "Bearer token is required"},
			{"wrong scheme", "Basic abc", "must be 'Bearer <token>'"},
			{"garbled", "Bearer " + e.Token[:len(e.Token)-4] + "AAAA", "signature is invalid"},
			{"not a token", "Bearer hello", "malformed"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var hs []apitest.Header
				if tt.auth != "" {
					hs = append(hs, apitest.Header{Name: "Authorization", Value: tt.auth})
				}
				r := e.Do("GET", path, nil, hs...).Want(t, http.StatusUnauthorized)
				if !strings.Contains(string(r.Body), tt.want) || r.Header.Get("WWW-Authenticate") == "" {
					t.Fatalf("answer: %s", r.Body)
				}
			})
		}
		t.Run("expired", func(t *testing.T) {
			e.Clock.Advance(61 * time.Minute)
			defer e.Clock.Advance(-61 * time.Minute)
			r := e.Partner("GET", path, nil).Want(t, http.StatusUnauthorized)
			if !strings.Contains(string(r.Body), "expired") {
				t.Fatalf("answer: %s", r.Body)
			}
		})
	})
}

func TestSecretRotation(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		var rot struct{ ClientID, ClientSecret string }
		e.Admin("POST", "/admin/v1/partners/"+s.PartnerID+"/secrets", nil).Want(t, http.StatusCreated).Decode(t, &rot)
		if rot.ClientID != s.ClientID || rot.ClientSecret == s.ClientSecret {
			t.Fatalf("rotation answer: %+v", rot)
		}
		tokenRequest(e, "application/x-www-form-urlencoded", "grant_type=client_credentials", s.ClientID, s.ClientSecret).Want(t, http.StatusUnauthorized)
		tokenRequest(e, "application/x-www-form-urlencoded", "grant_type=client_credentials", s.ClientID, rot.ClientSecret).Want(t, http.StatusOK)
		e.Admin("POST", "/admin/v1/partners/00000000-0000-0000-0000-000000000000/secrets", nil).Want(t, http.StatusNotFound)
	})
}
