package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

func TestRenderErrorPerFamily(t *testing.T) {
	fixed := time.Date(2023, 9, 28, 8, 57, 16, 963268700, time.UTC)
	s := &Server{Now: func() time.Time { return fixed }}
	notFound := &apperr.Error{Kind: apperr.NotFound, Code: 10, SubCode: 0, Message: "Account not found."}
	tests := []struct {
		name, path string
		err        error
		status     int
		want       string // a JSON fragment the body must contain
		header     string
	}{
		{"baas", "/programs/P/accounts/x", notFound, 404, `"responseDetails":[{"code":10,"subCode":0,"description":"Account not found.","url":"http://tbd"}]`, ""},
		{"baas default code", "/programs/P/x", apperr.Field("amount", "amount is required"), 400, `{"code":400,"subCode":0,"description":"amount is required"`, ""},
		{"profile", "/customers/abc", apperr.Field("firstname", "firstname is required"), 400, `"responsedate":"2023-09-28T08:57:16.9632687Z"`, ""},
		{"lookup not found", "/customers/accounts/search", &apperr.Error{Kind: apperr.NotFound, Message: "The provided account doesn't exist"}, 404, `{"errorCode":"ACCOUNT_NOT_FOUND","errorMessage":"The provided account doesn't exist"}`, ""},
		{"lookup auth", "/customers/accounts/search", apperr.E(apperr.Unauthorized, "Authorization failed"), 401, `"errorCode":"AUTHORIZATION_FAILED"`, ""},
		{"lookup reason", "/customers/accounts/search", &apperr.Error{Kind: apperr.NotFound, Reason: "ACCOUNT_EXPIRED", Message: "Account expired"}, 404, `"errorCode":"ACCOUNT_EXPIRED"`, ""},
		{"retail", "/card/details", &apperr.Error{Kind: apperr.Declined, Code: 130, Message: "InvalidMerchant"}, 200, `"responseCode":130,"responseDescription":"InvalidMerchant"`, "130"},
		{"oauth", "/authentication", apperr.E(apperr.Unauthorized, "invalid client credentials"), 401, `{"error":"invalid_client","error_description":"invalid client credentials"}`, ""},
		{"admin", "/admin/v1/programs", apperr.Field("bin", "bin must be 6 digits"), 400, `"type":"https://verdant.dev/problems/invalid"`, ""},
		{"internal never leaks", "/programs/P/x", apperr.Wrap(errSecret{}, "db failed"), 500, `"description":"internal error"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", tt.path, nil)
			s.renderError(w, r, familyOf(tt.path), tt.err)
			body := w.Body.String()
			if w.Code != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("got %d %s\nwant %d containing %s", w.Code, body, tt.status, tt.want)
			}
			if strings.Contains(body, "s3cret") {
				t.Fatalf("internal cause leaked: %s", body)
			}
			if got := w.Header()["X-GD-ResponseCode"]; tt.header != "" && (len(got) != 1 || got[0] != tt.header) {
				t.Fatalf("X-GD-ResponseCode = %q", got)
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("invalid JSON: %s", body)
			}
		})
	}
}

type errSecret struct{}

func (errSecret) Error() string { return "password=s3cret" }

func TestStatusTableCoversEveryKind(t *testing.T) {
	for k := apperr.Internal; k <= apperr.HeadersTooLarge; k++ {
		if _, ok := statusOf[k]; !ok {
			t.Errorf("kind %v has no HTTP status", k)
		}
	}
	if httpStatus(apperr.Declined) != http.StatusOK {
		t.Error("a business decline must be HTTP 200")
	}
}

func TestResponseDateHasSevenFractionalDigits(t *testing.T) {
	got := ResponseDate(time.Date(2016, 1, 26, 8, 28, 34, 0, time.UTC))
	if got != "2016-01-26T08:28:34.0000000Z" {
		t.Fatalf("ResponseDate = %q", got)
	}
}

func TestDecodeRejectsTrailingData(t *testing.T) {
	for body, ok := range map[string]bool{`{"a":1}`: true, ` {"a":1} ` + "\n": true, `{"a":1}}`: false, `{"a":1} x`: false, `{"a":1}{}`: false} {
		r := httptest.NewRequest("POST", "/admin/v1/x", strings.NewReader(body))
		var v struct{ A int }
		if err := decodeJSON(r, &v); (err == nil) != ok {
			t.Errorf("decodeJSON(%q) = %v", body, err)
		}
	}
}
