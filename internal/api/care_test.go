package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func careBody(accountID string) map[string]any {
	return map[string]any{
		"subject": "Registering Your Card", "firstName": "Jack", "lastName": "Jones",
		"customerQuestion": "How do I register my card?", "emailAddress": "jack.jones@example.com",
		"accountIdentifier": accountID,
		"phoneNumbers":      map[string]any{"number": "310-555-1234", "type": 0},
		"device": map[string]any{"deviceID": "A1B2C3", "deviceMake": "Apple", "deviceVersion": "15",
			"deviceOS": 1, "deviceOSVersion": "17.1.2"},
	}
}

func carePath(program string) string { return "/programs/" + program + "/customerCare/cases" }

var careNumberRE = regexp.MustCompile(`^CASE[0-9]{8}$`)

// careCreate opens a case and answers its number.
func careCreate(t *testing.T, e *apitest.Env, program string, body map[string]any, headers ...apitest.Header) string {
	t.Helper()
	var out struct {
		CaseNumber      string
		ResponseDetails []struct{ Code, SubCode int }
	}
	e.Partner("POST", carePath(program), body, headers...).Want(t, http.StatusOK).Decode(t, &out)
	if !careNumberRE.MatchString(out.CaseNumber) || len(out.ResponseDetails) != 1 || out.ResponseDetails[0].Code != 0 {
		t.Fatalf("unexpected answer %+v", out)
	}
	return out.CaseNumber
}

type careDetail struct {
	Code, SubCode int
	Description   string
}

func careBaaSDetail(t *testing.T, r *apitest.Response) careDetail {
	t.Helper()
	var out struct{ ResponseDetails []careDetail }
	r.Decode(t, &out)
	if len(out.ResponseDetails) != 1 {
		t.Fatalf("responseDetails: %s", r.Body)
	}
	return out.ResponseDetails[0]
}

type careList struct {
	Cases []struct {
		CaseNumber, Status, Assignee string
		Tier                         int
		CRM                          struct{ Status, CaseID string }
	}
	Next string
}

func careListCases(t *testing.T, e *apitest.Env, query string) careList {
	t.Helper()
	var l careList
	e.Admin("GET", "/admin/v1/cases"+query, nil).Want(t, http.StatusOK).Decode(t, &l)
	return l
}

// TestCareValidationRows sends every row of the customer-care page's
// error table through the API, and checks that no rejected call stored
// anything.
func TestCareValidationRows(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		set := func(k string, v any) map[string]any { b := careBody(s.AccountID); b[k] = v; return b }
		without := func(k string) map[string]any { b := careBody(s.AccountID); delete(b, k); return b }
		phone := func(number, typ any) map[string]any {
			return set("phoneNumbers", map[string]any{"number": number, "type": typ})
		}
		device := func(k string, v any) map[string]any {
			b := careBody(s.AccountID)
			b["device"].(map[string]any)[k] = v
			return b
		}
		rows := []struct {
			row  string
			body any
			code int
			desc string
		}{
			{"Required Field", without("subject"), 200, "Required field is missing: subject."},
			{"Required Field", set("emailAddress", ""), 200, "Required field is missing: emailAddress."},
			{"Required Field", without("accountIdentifier"), 200, "Required field is missing: accountIdentifier."},
			{"Length Greater Than 100", set("subject", strings.Repeat("x", 101)), 400, "The subject should not be more than 100 characters."},
			{"Length Greater Than 100", set("firstName", strings.Repeat("x", 101)), 400, "The firstName should not be more than 100 characters."},
			{"Length Greater Than 100", set("lastName", strings.Repeat("x", 101)), 400, "The lastName should not be more than 100 characters."},
			{"lastName shorter than 2", set("lastName", "J"), 400, "The lastName should be from 2 to 100 characters."},
			{"customerQuestion length", set("customerQuestion", strings.Repeat("q", 5001)), 400, "The customerQuestion should not be more than 5000 characters."},
			{"Email > 255", set("emailAddress", strings.Repeat("e", 244)+"@example.com"), 400, "The emailAddress should not be more than 255 characters."},
			{"Invalid Number", phone("555-CALL-NOW", 0), 640, "The number is invalid."},
			{"Invalid Number", phone("123", 0), 640, "The number is invalid."},
			{"Invalid Type", phone("310-555-1234", 7), 600, "The phoneType is invalid."},
			{"Invalid Type", phone("310-555-1234", "pager"), 600, "The phoneType is invalid."},
			{"Invalid String", set("emailAddress", "not-an-email"), 640, "The emailAddress is invalid."},
			{"Invalid String", set("accountIdentifier", "ACC-1"), 640, "The accountIdentifier is invalid."},
			{"Invalid String", set("firstName", 12), 640, "The firstName is invalid."},
			{"Invalid String", device("deviceID", "id;drop"), 640, "The deviceID is invalid."},
			{"Invalid String", device("deviceOS", "iOS/17"), 640, "The deviceOS is invalid."},
			{"Invalid String", set("customerQuestion", "nul\x00byte"), 640, "The customerQuestion is invalid."},
			{"Invalid String", `{"subject": "x",`, 640, "The request body is invalid: it must be a JSON object."},
		}
		for _, r := range rows {
			resp := e.Partner("POST", carePath(s.ProgramCode), r.body).Want(t, http.StatusBadRequest)
			if d := careBaaSDetail(t, resp); d.Code != r.code || d.SubCode != 0 || d.Description != r.desc {
				t.Errorf("%s: got %+v, want %d/0 %q", r.row, d, r.code, r.desc)
			}
		}
		// Unknown account (a well-formed id not in the program): 404 10/0.
		resp := e.Partner("POST", carePath(s.ProgramCode), set("accountIdentifier", "0b6f3c1e-8f4a-4f43-9d0e-2c1a7e5b9a10")).
			Want(t, http.StatusNotFound)
		if d := careBaaSDetail(t, resp); d.Code != 10 || d.SubCode != 0 {
			t.Errorf("unknown account: %+v", d)
		}
		// Another partner's program is answered as an unknown program.
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		e.Partner("POST", carePath(s.ProgramCode), careBody(s.AccountID)).Want(t, http.StatusUnauthorized)
		// An account of another program is not found in this one.
		e.Partner("POST", carePath(other.ProgramCode), careBody(s.AccountID)).Want(t, http.StatusNotFound)
		if l := careListCases(t, e, ""); len(l.Cases) != 0 {
			t.Fatalf("rejected calls stored %d cases", len(l.Cases))
		}
		n := careCreate(t, e, other.ProgramCode, careBody(other.AccountID))
		if l := careListCases(t, e, ""); len(l.Cases) != 1 || l.Cases[0].CaseNumber != n || l.Cases[0].Status != "open" ||
			l.Cases[0].Tier != 1 || l.Cases[0].CRM.Status != "queued" {
			t.Fatalf("after one case: %+v", l)
		}
	})
}

// TestCareIdempotentRetry: X-GD-RequestId makes the call idempotent per
// partner and program.
func TestCareIdempotentRetry(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rid := apitest.Header{Name: "X-GD-RequestId", Value: "req-care-1"}
		first := careCreate(t, e, s.ProgramCode, careBody(s.AccountID), rid)
		for i := 0; i < 3; i++ {
			if again := careCreate(t, e, s.ProgramCode, careBody(s.AccountID), rid); again != first {
				t.Fatalf("retry %d answered %s, first was %s", i, again, first)
			}
		}
		changed := careBody(s.AccountID)
		changed["subject"] = "Something else"
		resp := e.Partner("POST", carePath(s.ProgramCode), changed, rid).Want(t, http.StatusConflict)
		if d := careBaaSDetail(t, resp); d.Code != 409 {
			t.Fatalf("reused request id: %+v", d)
		}
		// Without a request id every call is a new case.
		a := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
		b := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
		if a == b || a == first {
			t.Fatalf("case numbers reused: %s %s %s", first, a, b)
		}
		// The same request id from another partner is its own case.
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		if n := careCreate(t, e, other.ProgramCode, careBody(other.AccountID), rid); n == first {
			t.Fatal("request ids are not scoped per partner")
		}
		if l := careListCases(t, e, "?programCode="+s.ProgramCode); len(l.Cases) != 3 {
			t.Fatalf("%d cases in %s, want 3", len(l.Cases), s.ProgramCode)
		}
	})
}
