package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
)

// sampleCustomer is the page's sample request (with an issuable SSN).
func sampleCustomer() map[string]any {
	return map[string]any{
		"firstname": "new", "lastname": "user", "email": "new.user@example.com", "phonenumber": "6162534111",
		"dateofbirth": "01/14/78", "socialsecuritynumber": "555123456", "address1": "123 Main St",
		"address2": "Apt 51", "city": "SomeCity", "state": "CA", "zipcode": "54321",
	}
}

var responseDateRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)

// randomFieldsRe matches UUIDs and this century's RFC 3339 timestamps, whose digits are
// random or the clock's, not the customer's.
var randomFieldsRe = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|20\d{2}-\d{2}-\d{2}T[0-9:.]+Z?`)

func TestCustomerCreateGetReplayConflict(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		body := e.Partner("POST", "/customers/cust01", sampleCustomer()).Want(t, http.StatusOK).JSON(t)
		if body["customerid"] != "cust01" || body["status"] != "Verified" || body["responsecode"] != 0.0 ||
			body["responsemessage"] != "Success" || !strings.HasSuffix(body["customeruri"].(string), "/customers/cust01") ||
			!responseDateRe.MatchString(body["responsedate"].(string)) {
			t.Fatalf("create: %v", body)
		}
		// Replay answers the stored profile; different data is a conflict.
		again := e.Partner("POST", "/customers/cust01", sampleCustomer()).Want(t, http.StatusOK).JSON(t)
		if again["customerid"] != "cust01" || again["status"] != "Verified" {
			t.Fatalf("replay: %v", again)
		}
		changed := sampleCustomer()
		changed["zipcode"] = "12345"
		c := e.Partner("POST", "/customers/cust01", changed).Want(t, http.StatusConflict).JSON(t)
		if c["responsecode"] != 409.0 {
			t.Fatalf("conflict envelope: %v", c)
		}

		r := e.Partner("GET", "/customers/cust01", nil).Want(t, http.StatusOK)
		// Random ids and timestamps may hold any four digits: they are
		// taken out before looking for the year of birth.
		visible := randomFieldsRe.ReplaceAllString(string(r.Body), "")
		for _, secret := range []string{"555123456", "1978", "dateofbirth", "socialsecuritynumber"} {
			if strings.Contains(visible, secret) {
				t.Fatalf("GET leaks %q: %s", secret, r.Body)
			}
		}
		got := r.JSON(t)
		cust := got["Customer"].(map[string]any)
		if cust["firstname"] != "new" || cust["lastname"] != "user" || cust["isactive"] != true ||
			cust["status"] != "Verified" || cust["partnername"] != "Partner PROG1" ||
			cust["partnerprogramidentifier"] != s.ProgramCode || cust["email"] != "new.user@example.com" ||
			cust["phonenumber"] != "6162534111" || cust["linkid"] == "" {
			t.Fatalf("GET: %s", r.Body)
		}

		// SSN and DOB are sealed at rest and open to the store only.
		var sealed string
		if err := e.App.DB.QueryRow(context.Background(), `SELECT ssn_sealed || dob_sealed FROM customers WHERE id = ?`, "cust01").Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if sealed == "" || strings.Contains(sealed, "555123456") || strings.Contains(sealed, "1978") {
			t.Fatalf("PII not sealed: %q", sealed)
		}
		ssn, dob, err := apitest.CustomerStore(e.App).PII(context.Background(), s.PartnerID, "cust01")
		if err != nil || ssn != "555123456" || dob != "1978-01-14" {
			t.Fatalf("PII = %q %q %v", ssn, dob, err)
		}

		// No id: the platform makes a UUID.
		gen := e.Partner("POST", "/customers", sampleCustomer()).Want(t, http.StatusOK).JSON(t)
		if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(gen["customerid"].(string)) {
			t.Fatalf("generated id: %v", gen)
		}
		e.Partner("GET", "/customers/"+gen["customerid"].(string), nil).Want(t, http.StatusOK)

		// Another partner's customer is not found; unknown ids too.
		e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		nf := e.Partner("GET", "/customers/cust01", nil).Want(t, http.StatusNotFound).JSON(t)
		if nf["responsecode"] != 404.0 {
			t.Fatalf("not found envelope: %v", nf)
		}
		e.Partner("GET", "/customers/nosuch", nil).Want(t, http.StatusNotFound)
		// ... and may use the same id for its own customer.
		e.Partner("POST", "/customers/cust01", changed).Want(t, http.StatusOK)

		// No token: 401 in the profile envelope.
		u := e.Do("GET", "/customers/cust01", nil).Want(t, http.StatusUnauthorized).JSON(t)
		if u["responsecode"] != 401.0 || !responseDateRe.MatchString(u["responsedate"].(string)) {
			t.Fatalf("401 envelope: %v", u)
		}
	})
}

func TestCustomerFieldRules(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		e.Seed()
		bad := []struct{ field, value string }{
			{"firstname", ""}, {"firstname", "A"}, {"firstname", strings.Repeat("a", 26)}, {"firstname", "J0hn"},
			{"lastname", ""}, {"lastname", "O'Neil"}, {"lastname", strings.Repeat("b", 26)},
			{"email", "a@b.c"}, {"email", "no-at-sign.com"}, {"email", "x y@example.com"}, {"email", strings.Repeat("e", 45) + "@ex.com"},
			{"phonenumber", "616253411"}, {"phonenumber", "61625341111"}, {"phonenumber", "616-253-41"},
			{"dateofbirth", "1978-01-14"}, {"dateofbirth", "13/14/1978"}, {"dateofbirth", "02/30/1990"}, {"dateofbirth", "01.14.1978"},
			{"socialsecuritynumber", "55512345"}, {"socialsecuritynumber", "555-12-345"}, {"socialsecuritynumber", "555 12 3456"},
			{"address1", strings.Repeat("x", 26)}, {"address1", "12 Main St #5"},
			{"address2", "Apt_51"}, {"city", "City9"}, {"state", "CAL"}, {"state", "C-"},
			{"zipcode", ""}, {"zipcode", "5432"}, {"zipcode", "54321-1234"}, {"zipcode", "ABCDE"},
			{"lastfourssn", "123"}, {"lastfourssn", "12a4"},
		}
		for _, b := range bad {
			req := sampleCustomer()
			req[b.field] = b.value
			r := e.Partner("POST", "/customers/rules1", req).Want(t, http.StatusBadRequest).JSON(t)
			d := r["responsedetail"].(map[string]any)["responsedetaildescription"].(string)
			if r["responsecode"] != 400.0 || !strings.Contains(d, b.field) {
				t.Errorf("%s=%q: %v", b.field, b.value, r)
			}
		}
		for _, id := range []string{"a", strings.Repeat("x", 51), "bad_id"} {
			e.Partner("POST", "/customers/"+id, sampleCustomer()).Want(t, http.StatusBadRequest)
		}
		e.Partner("POST", "/customers/rules1", `{"firstname": 5}`).Want(t, http.StatusBadRequest)
		e.Partner("POST", "/customers/rules1", `{"firstname": "ab",`).Want(t, http.StatusBadRequest)
		e.Partner("GET", "/customers/rules1", nil).Want(t, http.StatusNotFound) // nothing stored

		// Accepted variants: SSN with hyphens, every DOB format, any case of names.
		ok := []map[string]any{
			{"Firstname": "Mary-Ann", "LASTNAME": "Van Dyke", "Zipcode": "02110"},
			{"firstname": "Jo", "lastname": "Li", "zipcode": "02110", "socialsecuritynumber": "555-12-3456", "lastfourssn": "3456"},
			{"firstname": "Jo", "lastname": "Li", "zipcode": "02110", "dateofbirth": "01-14-1978"},
			{"firstname": "Jo", "lastname": "Li", "zipcode": "02110", "dateofbirth": "01/14/1978"},
			{"firstname": "Jo", "lastname": "Li", "zipcode": "02110", "dateofbirth": "01-14-78"},
			{"firstname": "Jo", "lastname": "Li", "zipcode": "02110", "email": "a_b.c&d@x-y.com", "address1": "1/2 Main St.", "state": "oh"},
		}
		for i, req := range ok {
			r := e.Partner("POST", "/customers", req).Want(t, http.StatusOK).JSON(t)
			if r["status"] != "Verified" {
				t.Errorf("variant %d: %v", i, r)
			}
		}
	})
}

func TestCustomerFailedVerification(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		e.Seed()
		now := e.Clock.Now()
		future := now.AddDate(0, 0, 2).Format("01/02/2006")
		minor := now.AddDate(-17, 0, 0).Format("01/02/2006")
		for _, c := range []struct {
			name, field, value string
			code               float64
		}{
			{"area000", "socialsecuritynumber", "000123456", 101},
			{"area666", "socialsecuritynumber", "666-12-3456", 101},
			{"area900", "socialsecuritynumber", "900123456", 101},
			{"group00", "socialsecuritynumber", "555003456", 101},
			{"serial0000", "socialsecuritynumber", "555120000", 101},
			{"lastfour", "lastfourssn", "9999", 102},
			{"future", "dateofbirth", future, 103},
			{"minor", "dateofbirth", minor, 104},
		} {
			req := sampleCustomer()
			req[c.field] = c.value
			r := e.Partner("POST", "/customers/fv"+c.name, req).Want(t, http.StatusOK).JSON(t)
			d := r["responsedetail"].(map[string]any)
			if r["status"] != "FailedVerification" || d["responsedetailcode"] != c.code || d["responsedetaildescription"] == "" {
				t.Errorf("%s: %v", c.name, r)
			}
			g := e.Partner("GET", "/customers/fv"+c.name, nil).Want(t, http.StatusOK).JSON(t)
			if g["Customer"].(map[string]any)["status"] != "FailedVerification" {
				t.Errorf("%s GET: %v", c.name, g)
			}
		}
		// Exactly 18 today is old enough.
		req := sampleCustomer()
		req["dateofbirth"] = now.AddDate(-18, 0, 0).Format("01/02/2006")
		if r := e.Partner("POST", "/customers/adult", req).Want(t, http.StatusOK).JSON(t); r["status"] != "Verified" {
			t.Fatalf("18 today: %v", r)
		}
	})
}

// Field names are matched case-insensitively, so two keys differing only
// in case are ambiguous: 400 in the profile envelope naming the field,
// nothing stored.
func TestCustomerDuplicateFieldNames(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		e.Seed()
		for _, tc := range []struct{ body, field string }{
			{`{"firstname":"Ann","FIRSTNAME":"Bob","lastname":"Li","zipcode":"02110"}`, "firstname"},
			{`{"firstname":"Ann","lastname":"Li","zipcode":"02110","ZipCode":null}`, "zipcode"},
			{`{"Email":"a@example.com","firstname":"Ann","lastname":"Li","zipcode":"02110","EMAIL":"b@example.com","Lastname":"Wu"}`, "email"},
		} {
			for _, path := range []string{"/customers/dup01", "/customers"} {
				r := e.Partner("POST", path, tc.body).Want(t, http.StatusBadRequest).JSON(t)
				d := r["responsedetail"].(map[string]any)
				if r["responsecode"] != 400.0 || r["responsemessage"] != "Bad Request" || d["responsedetailcode"] != 400.0 ||
					!strings.HasPrefix(d["responsedetaildescription"].(string), tc.field+" is given more than once") {
					t.Fatalf("%s %s: %v", path, tc.body, r)
				}
			}
		}
		e.Partner("GET", "/customers/dup01", nil).Want(t, http.StatusNotFound) // nothing stored
		// Unknown fields stay ignored, whatever their case.
		e.Partner("POST", "/customers/dup01", `{"firstname":"Ann","lastname":"Li","zipcode":"02110","extra":1,"EXTRA":2}`).
			Want(t, http.StatusOK)
	})
}

// POST /customers/ (the page's "Sample /customers/ Request", customerid
// optional) is POST /customers: a platform-made UUID.
func TestCustomerCreateTrailingSlash(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		e.Seed()
		body := e.Partner("POST", "/customers/", sampleCustomer()).Want(t, http.StatusOK).JSON(t)
		id, _ := body["customerid"].(string)
		if _, err := uuid.Parse(id); err != nil || body["status"] != "Verified" || body["responsecode"] != 0.0 ||
			!strings.HasSuffix(body["customeruri"].(string), "/customers/"+id) {
			t.Fatalf("POST /customers/: %v", body)
		}
		got := e.Partner("GET", "/customers/"+id, nil).Want(t, http.StatusOK).JSON(t)
		if got["Customer"].(map[string]any)["firstname"] != "new" {
			t.Fatalf("GET the created customer: %v", got)
		}
		// Errors keep the profile envelope.
		r := e.Partner("POST", "/customers/", map[string]any{"firstname": "Jo"}).Want(t, http.StatusBadRequest).JSON(t)
		if r["responsecode"] != 400.0 {
			t.Fatalf("POST /customers/ error: %v", r)
		}
	})
}
