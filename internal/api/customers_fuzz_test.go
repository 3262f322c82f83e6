package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/customer"
)

// FuzzProfileInput feeds arbitrary bodies to the customer-profile
// decoder and rules: the answer is a profile or a validation error, never
// a panic or an internal error.
func FuzzProfileInput(f *testing.F) {
	f.Add(`{"firstname":"new","lastname":"user","zipcode":"54321","dateofbirth":"01/14/78","socialsecuritynumber":"555-12-3456"}`)
	f.Add(`{"Firstname":null,"ZIPCODE":5}`)
	f.Add(`{"firstname":"A","FIRSTNAME":"B","zipCode":null,"ZIPCODE":"54321"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/customers", strings.NewReader(body))
		in, err := profileInput(r)
		if err != nil {
			if k := apperr.KindOf(err); k != apperr.Invalid {
				t.Fatalf("decode %q: %v", body, err)
			}
			return
		}
		if _, err := customer.Validate(in, testNow); err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("validate %q: %v", body, err)
		}
	})
}

// FuzzLookupRequest does the same for the customer-lookup body.
func FuzzLookupRequest(f *testing.F) {
	f.Add(`{"accountNumber":"5165297873423453","retailer":{"storeNumber":"1","storeName":"xd","stateCode":"ca","latitude":2.2,"longitude":1.1}}`)
	f.Add(`{"retailer":{"latitude":1e400}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in lookupRequest
		r := httptest.NewRequest("POST", "/customers/accounts/search", strings.NewReader(body))
		if err := decodeJSON(r, &in); err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("decode %q: %v", body, err)
			}
			return
		}
		if in.Retailer != nil {
			inRange(in.Retailer.Latitude, 90)
			inRange(in.Retailer.Longitude, 180)
		}
		if in.AccountNumber != nil {
			customer.ValidPANFormat(*in.AccountNumber)
		}
	})
}

var testNow = mustTime("2026-03-15T12:00:00Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
