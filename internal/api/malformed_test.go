package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/apitest"
)

// goTypeRE matches what a Go type name looks like in a message.
var goTypeRE = regexp.MustCompile(`struct ?\{|int64|float64|\bjson:|map\[|\[\]|\*?string\b.*\bGo\b|Go (value|struct)`)

// A value of the wrong JSON type is named by its field and the JSON type
// wanted, in every family: never a Go type ("struct { StoreID string ...").
func TestWrongTypeNamesJSONType(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		retail := w.body()
		retail["metadata"] = "CC970"
		wrongRetail := w.call(e, retail)
		wantRetail(t, wrongRetail, http.StatusBadRequest, 100, "metadata must be an object, not a string")

		lookup := e.Partner("POST", "/customers/accounts/search", map[string]any{"accountNumber": w.PAN, "retailer": "Main St"})
		wantLookupError(t, lookup, http.StatusBadRequest, "INVALID_REQUEST")
		if msg := lookup.JSON(t)["errorMessage"]; msg != "retailer must be an object, not a string" {
			t.Errorf("lookup message = %q", msg)
		}
		lat := e.Partner("POST", "/customers/accounts/search", map[string]any{"accountNumber": w.PAN,
			"retailer": map[string]any{"latitude": true}})
		if msg := lat.Want(t, http.StatusBadRequest).JSON(t)["errorMessage"]; msg != "retailer.latitude must be a number, not a boolean" {
			t.Errorf("lookup latitude message = %q", msg)
		}

		admin := e.Admin("POST", "/admin/v1/programs/"+w.ProgramCode+"/accounts", map[string]any{"holder": "Jack White"})
		p := admin.Want(t, http.StatusBadRequest).JSON(t)
		if p["detail"] != "holder must be an object, not a string" || p["field"] != "holder" {
			t.Errorf("operator problem = %v", p)
		}

		baas := e.Partner("POST", "/programs/"+w.ProgramCode+"/accounts/"+w.AccountID+"/adjustments",
			map[string]any{"adjustmentIdentifier": 7, "amount": "1.00", "adjustmentType": "instructionCredit", "currency": "USD"})
		if d := baas.WantDetail(t, http.StatusBadRequest, 400, 0); d != "adjustmentIdentifier must be a string, not a number" {
			t.Errorf("BaaS description = %q", d)
		}
		for _, r := range []*apitest.Response{wrongRetail, lookup, lat, admin, baas} {
			if goTypeRE.Match(r.Body) {
				t.Errorf("a Go type shows in %s", r.Body)
			}
		}
	})
}

// The same key twice in one object is refused with 400 naming it, in
// every family, wherever the object is (a partner's validator may keep the
// first where encoding/json keeps the last).
func TestDuplicateKeysRefused(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		const id = "0b9f3c52-8a57-4d0e-9f43-1c1d0c9e4a11"
		adj := `{"adjustmentIdentifier":"` + id + `","amount":"1.00","amount":"900.00","adjustmentType":"instructionCredit","currency":"USD"}`
		d := e.Partner("POST", "/programs/"+w.ProgramCode+"/accounts/"+w.AccountID+"/adjustments", adj).
			WantDetail(t, http.StatusBadRequest, 400, 0)
		if d != "amount is given more than once in one object" {
			t.Errorf("BaaS description = %q", d)
		}
		e.Partner("GET", "/programs/"+w.ProgramCode+"/accounts/"+w.AccountID+"/adjustments/"+id, nil).
			Want(t, http.StatusNotFound) // nothing posted

		care := `{"accountIdentifier":"` + w.AccountID + `","caseType":1,"caseType":2}`
		e.Partner("POST", "/programs/"+w.ProgramCode+"/customerCare/cases", care).WantDetail(t, http.StatusBadRequest, 400, 0)

		prof := e.Partner("POST", "/customers/dup02", `{"firstname":"Ann","firstname":"Bob","lastname":"Li","zipcode":"02110"}`).
			Want(t, http.StatusBadRequest).JSON(t)
		if d := prof["responsedetail"].(map[string]any)["responsedetaildescription"]; d != "firstname is given more than once in one object" {
			t.Errorf("profile description = %v", d)
		}
		e.Partner("GET", "/customers/dup02", nil).Want(t, http.StatusNotFound)

		lookup := e.Partner("POST", "/customers/accounts/search",
			`{"accountNumber":"`+w.PAN+`","retailer":{"storeNumber":"1","storeNumber":"2"}}`)
		wantLookupError(t, lookup, http.StatusBadRequest, "INVALID_REQUEST")
		if msg := lookup.JSON(t)["errorMessage"]; msg != "retailer.storeNumber is given more than once in one object" {
			t.Errorf("lookup message = %q", msg)
		}

		body := `{"accountIdentifier":"","accountNumber":"` + w.PAN + `","paymentProgramType":"Regular","transactionAmount":20,` +
			`"metadata":{"storeId":"CC970","merchantId":"` + merchant + `","storeId":"BLK1","userId":"cashier@store.example",` +
			`"requestDateTime":"2023-09-28T00:56:25Z"}}`
		wantRetail(t, w.call(e, body), http.StatusBadRequest, 100, "metadata.storeId is given more than once in one object")

		oauth := e.Do("POST", "/authentication",
			`{"grant_type":"client_credentials","client_id":"`+w.ClientID+`","client_secret":"`+w.ClientSecret+`","client_id":"x"}`)
		if o := oauth.Want(t, http.StatusBadRequest).JSON(t); o["error"] != "invalid_request" ||
			o["error_description"] != "client_id is given more than once in one object" {
			t.Errorf("oauth JSON answer = %v", o)
		}
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {w.ClientID, "x"}, "client_secret": {w.ClientSecret}}
		oauth = e.Do("POST", "/authentication", form.Encode(),
			apitest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
		if o := oauth.Want(t, http.StatusBadRequest).JSON(t); o["error"] != "invalid_request" ||
			o["error_description"] != "client_id is given more than once" {
			t.Errorf("oauth form answer = %v", o)
		}

		p := e.Admin("POST", "/admin/v1/partners", `{"name":"A","name":"B"}`).Want(t, http.StatusBadRequest).JSON(t)
		if p["field"] != "name" || p["detail"] != "name is given more than once in one object" {
			t.Errorf("operator problem = %v", p)
		}
		// Keys that differ are fine, at any depth and in arrays of objects.
		e.Admin("POST", "/admin/v1/partners", `{"name":"A","x":[{"a":1},{"a":2}],"y":{"a":1}}`).Want(t, http.StatusCreated)
	})
}

// preHandler is a request net/http refuses before any handler runs.
type preHandler struct {
	name   string
	raw    string
	status int
	// as is the request the answer is validated for (nil: its path is not
	// a valid URI, so it cannot be matched against the document).
	as *http.Request
}

// head builds a request's start: line and headers, ending the head.
func head(line string, headers ...string) string {
	return line + " HTTP/1.1\r\nHost: verdant.test\r\n" + strings.Join(headers, "") + "\r\n"
}

func asReq(method, path string) *http.Request {
	r, _ := http.NewRequest(method, "http://verdant.test"+path, nil)
	return r
}

var huge = "X-Filler: " + strings.Repeat("a", api.MaxHeaderBytes+8<<10) + "\r\n"

// What net/http answers itself (a control byte in a header, a malformed
// %-escape in the path, headers over the limit, a form body over the
// limit) comes in the family's envelope with the right status, the retail
// headers included.
func TestPreHandlerAnswersInEnvelope(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := e.Seed()
		baas := "/programs/" + w.ProgramCode + "/accounts/" + w.AccountID + "/balances"
		t.Run("BaaS", func(t *testing.T) {
			for _, c := range []preHandler{
				{name: "bad escape", raw: head("GET /programs/%zz/accounts/x/balances"), status: 400},
				{name: "control byte", raw: head("GET "+baas, "X-Note: a\x01b\r\n"), status: 400, as: asReq("GET", baas)},
				{name: "headers over the limit", raw: head("GET "+baas, huge), status: 431, as: asReq("GET", baas)},
			} {
				r := e.Raw(c.raw, c.as)
				if code, _, d := r.Want(t, c.status).Detail(t); code != c.status || d == "" || goTypeRE.MatchString(d) {
					t.Errorf("%s: %s", c.name, r.Body)
				}
			}
		})
		t.Run("profile", func(t *testing.T) {
			for _, c := range []preHandler{
				{name: "bad escape", raw: head("GET /customers/%g1"), status: 400},
				{name: "control byte", raw: head("GET /customers/c1", "X-Note: a\x7fb\r\n"), status: 400, as: asReq("GET", "/customers/c1")},
				{name: "headers over the limit", raw: head("GET /customers/c1", huge), status: 431, as: asReq("GET", "/customers/c1")},
			} {
				b := e.Raw(c.raw, c.as).Want(t, c.status).JSON(t)
				if b["responsecode"] != float64(c.status) || b["responsedetail"] == nil {
					t.Errorf("%s: %v", c.name, b)
				}
			}
		})
		t.Run("lookup", func(t *testing.T) {
			const path = "/customers/accounts/search"
			wantLookupError(t, e.Raw(head("POST "+path, "X-Note: \x00\r\n", "Content-Length: 0\r\n"), asReq("POST", path)),
				http.StatusBadRequest, "INVALID_REQUEST")
			wantLookupError(t, e.Raw(head("POST "+path+"?q=%zz%", huge), asReq("POST", path)),
				http.StatusRequestHeaderFieldsTooLarge, "INVALID_REQUEST")
		})
		t.Run("retail", func(t *testing.T) {
			for _, c := range []preHandler{
				{name: "bad escape", raw: head("POST /card/%zzdetails", "X-GD-RequestId: raw-1\r\n"), status: 400},
				{name: "control byte", raw: head("POST /card/details", "X-GD-RequestId: raw-1\r\n", "X-Note: a\x02b\r\n"),
					status: 400, as: asReq("POST", "/card/details")},
				{name: "headers over the limit", raw: head("POST /card/details", "X-GD-RequestId: raw-1\r\n", huge),
					status: 431, as: asReq("POST", "/card/details")},
			} {
				r := e.Raw(c.raw, c.as).Want(t, c.status)
				md := r.JSON(t)["metadata"].(map[string]any)
				if md["responseCode"] != 100.0 || md["requestId"] != "raw-1" || r.Header.Get("X-GD-ResponseCode") != "100" ||
					r.Header.Get("X-GD-ResponseId") == "" || r.Header.Get("X-GD-ResponseId") != md["responseId"] {
					t.Errorf("%s: %v %s", c.name, r.Header, r.Body)
				}
				if r.Header.Get("X-GD-RequestId") != "raw-1" {
					t.Errorf("%s: X-GD-RequestId not echoed: %v", c.name, r.Header)
				}
			}
			// A request id that is not printable is not echoed.
			r := e.Raw(head("POST /card/details", "X-GD-RequestId: a\x01b\r\n"), asReq("POST", "/card/details")).Want(t, 400)
			if md := r.JSON(t)["metadata"].(map[string]any); md["requestId"] != "" || r.Header.Get("X-GD-RequestId") != "" {
				t.Errorf("unprintable request id echoed: %v %s", r.Header, r.Body)
			}
		})
		t.Run("oauth", func(t *testing.T) {
			for _, c := range []preHandler{
				{name: "missing Host", raw: "POST /authentication HTTP/1.1\r\n\r\n", status: 400, as: asReq("POST", "/authentication")},
				{name: "control byte", raw: head("POST /authentication", "X-Note: \x1b[0m\r\n"), status: 400, as: asReq("POST", "/authentication")},
				{name: "headers over the limit", raw: head("POST /authentication", huge), status: 431, as: asReq("POST", "/authentication")},
			} {
				if b := e.Raw(c.raw, c.as).Want(t, c.status).JSON(t); b["error"] != "invalid_request" || b["error_description"] == "" {
					t.Errorf("%s: %v", c.name, b)
				}
			}
			form := "grant_type=client_credentials&client_id=" + strings.Repeat("x", 1<<20)
			r := e.Do("POST", "/authentication", form, apitest.Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
			if b := r.Want(t, http.StatusRequestEntityTooLarge).JSON(t); b["error"] != "invalid_request" {
				t.Errorf("form over the limit: %v", b)
			}
		})
		t.Run("operator", func(t *testing.T) {
			for _, c := range []preHandler{
				{name: "bad escape", raw: head("GET /admin/v1/partners/%zz"), status: 400},
				{name: "control byte", raw: head("POST /admin/v1/partners", "X-Note: \x7f\r\n"), status: 400, as: asReq("POST", "/admin/v1/partners")},
				{name: "headers over the limit", raw: head("POST /admin/v1/partners", huge), status: 431, as: asReq("POST", "/admin/v1/partners")},
			} {
				r := e.Raw(c.raw, c.as).Want(t, c.status)
				p := r.JSON(t)
				if r.Header.Get("Content-Type") != "application/problem+json" || p["status"] != float64(c.status) || p["detail"] == "" {
					t.Errorf("%s: %v", c.name, p)
				}
			}
		})
	})
}

// A malformed request after a good one on a kept-alive connection is
// answered in its own family: each request's start is read afresh. The
// retail headers keep the contract's spelling.
func TestPreHandlerAnswerOnKeptAliveConnection(t *testing.T) {
	e := apitest.New(t)
	u, _ := url.Parse(e.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var raw bytes.Buffer
	br := bufio.NewReader(io.TeeReader(c, &raw))
	fmt.Fprint(c, head("GET /ping"))
	e.ReadResponse(br, asReq("GET", "/ping")).Want(t, http.StatusOK)
	fmt.Fprint(c, head("POST /card/details", "X-GD-RequestId: second\r\n", "X-Note: \x01\r\n"))
	r := e.ReadResponse(br, asReq("POST", "/card/details")).Want(t, http.StatusBadRequest)
	if md := r.JSON(t)["metadata"].(map[string]any); md["requestId"] != "second" || md["responseCode"] != 100.0 {
		t.Fatalf("second request: %s", r.Body)
	}
	for _, h := range []string{"\r\nX-GD-RequestId: second\r\n", "\r\nX-GD-ResponseCode: 100\r\n", "\r\nX-GD-ResponseId: "} {
		if !strings.Contains(raw.String(), h) {
			t.Errorf("response lacks %q:\n%s", h, raw.String())
		}
	}
}
