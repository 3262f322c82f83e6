package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
)

func TestContactVerificationValidation(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		path := "/programs/" + s.ProgramCode + "/contactVerifications"
		cases := []struct {
			name      string
			body      any
			status    int
			code, sub int
		}{
			{"no contactType", map[string]any{"communicationType": "email", "contactHandle": "a@example.com"}, 400, 200, 0},
			{"unknown contactType", map[string]any{"contactType": "fax", "communicationType": "email", "contactHandle": "a@example.com"}, 400, 640, 0},
			{"no communicationType", map[string]any{"contactType": "email", "contactHandle": "a@example.com"}, 400, 200, 0},
			{"email by sms", map[string]any{"contactType": "email", "communicationType": "sms", "contactHandle": "a@example.com"}, 400, 640, 0},
			{"phone by email", map[string]any{"contactType": "phone", "communicationType": "email", "contactHandle": "2133734253"}, 400, 640, 0},
			{"no handle", map[string]any{"contactType": "email", "communicationType": "email"}, 400, 200, 0},
			{"bad email", map[string]any{"contactType": "email", "communicationType": "email", "contactHandle": "Jane <a@example.com>"}, 400, 640, 0},
			{"email without dot", map[string]any{"contactType": "email", "communicationType": "email", "contactHandle": "a@localhost"}, 400, 640, 0},
			{"non-US phone", map[string]any{"contactType": "phone", "communicationType": "sms", "contactHandle": "+44 20 7946 0958"}, 400, 640, 0},
			{"short phone", map[string]any{"contactType": "phone", "communicationType": "sms", "contactHandle": "555-0143"}, 400, 640, 0},
			{"long name", map[string]any{"contactType": "email", "communicationType": "email", "contactHandle": "a@example.com", "firstName": strings.Repeat("x", 51)}, 400, 400, 0},
			{"bad account", map[string]any{"accountIdentifier": "nope", "contactType": "email", "communicationType": "email", "contactHandle": "a@example.com"}, 400, 10, 10},
			{"unknown account", map[string]any{"accountIdentifier": uuid.NewString(), "contactType": "email", "communicationType": "email", "contactHandle": "a@example.com"}, 404, 10, 0},
			{"wrong type", `{"contactType": 5}`, 400, 640, 0},
			{"not JSON", `{"contactType":`, 400, 640, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.Partner("POST", path, c.body).WantDetail(t, c.status, c.code, c.sub)
			})
		}
		// None of the rejected requests stored anything or used up a limit.
		createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email", "communicationType": "email", "contactHandle": "a@example.com"})

		id := uuid.NewString()
		check(e, s.ProgramCode, id, "123456").WantDetail(t, 404, 71, 0)
		check(e, s.ProgramCode, "not-a-uuid", "123456").WantDetail(t, 404, 71, 0)
		e.Partner("GET", "/programs/"+s.ProgramCode+"/verification/status/"+id, nil).WantDetail(t, 404, 71, 0)
		vid := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email", "communicationType": "email", "contactHandle": "b@example.com"})
		check(e, s.ProgramCode, vid, "12ab56").WantDetail(t, 400, 640, 0)
		check(e, s.ProgramCode, vid, "").WantDetail(t, 400, 200, 0)
		e.Partner("PUT", path+"/"+vid, map[string]any{"contactVerificationIdentifier": id, "verificationCode": "123456"}).WantDetail(t, 400, 640, 0)
		waitStatus(t, e, s.ProgramCode, vid, 1) // malformed codes cost no tries: still open
		// Another partner's program cannot see the verification.
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		e.Partner("GET", "/programs/"+other.ProgramCode+"/verification/status/"+vid, nil).WantDetail(t, 404, 71, 0)

		e.Admin("GET", "/admin/v1/messages", nil).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/messages?to=nobody", nil).Want(t, http.StatusBadRequest)
		r := e.Admin("GET", "/admin/v1/messages?to=nobody@example.com", nil).Want(t, http.StatusOK)
		if len(r.JSON(t)["messages"].([]any)) != 0 {
			t.Fatalf("messages for an unknown handle: %s", r.Body)
		}
	})
}

func TestAddressVerificationAPI(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		path := "/programs/" + s.ProgramCode + "/addressVerification"
		r := e.Partner("POST", path, map[string]any{"addressLine1": "215 Main Street Suite 200", "addressLine2": "",
			"city": "Los Angeles", "state": "CA", "zipCode": "91107"})
		r.WantDetail(t, http.StatusOK, 0, 0)
		body := r.JSON(t)
		a := body["addresses"].([]any)[0].(map[string]any)
		if body["isValidAddress"] != true || body["matchLevel"] != "corrected" || a["addressLine1"] != "215 MAIN ST" ||
			a["addressLine2"] != "STE 200" || a["city"] != "PASADENA" || a["countryCode"] != "USA" || a["type"] != "highRise" || a["addressType"] != "highRise" {
			t.Fatalf("unexpected answer: %s", r.Body)
		}
		r = e.Partner("POST", path, map[string]any{"addressLine1": "nothing here", "zipCode": "91107"})
		body = r.Want(t, http.StatusOK).JSON(t)
		if body["isValidAddress"] != false || body["matchLevel"] != "invalid" || len(body["addresses"].([]any)) != 0 {
			t.Fatalf("unexpected answer: %s", r.Body)
		}
		e.Partner("POST", path, map[string]any{"city": "Pasadena"}).WantDetail(t, 400, 200, 0)
		e.Partner("POST", path, map[string]any{"addressLine1": strings.Repeat("1", 101)}).WantDetail(t, 400, 400, 0)
		e.Partner("POST", path, map[string]any{"addressLine1": 12}).WantDetail(t, 400, 640, 0)
	})
}
