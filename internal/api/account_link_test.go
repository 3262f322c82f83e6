package api_test

import (
	"net/http"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// An account holder's customerId links the account to a customer profile
// of the program's partner: lookup by card number then answers the
// profile's id, and the holder defaults to the profile's name and ZIP.
func TestAccountLinkedToProfile(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		accounts := "/admin/v1/programs/" + s.ProgramCode + "/accounts"
		e.Partner("POST", "/customers/cust-42", map[string]any{"firstname": "Ada", "lastname": "Byron",
			"zipcode": "10001"}).Want(t, http.StatusOK)

		var a struct {
			AccountIdentifier string
			Holder            struct{ FirstName, LastName, ZipCode, CustomerID string }
		}
		e.Admin("POST", accounts, map[string]any{"holder": map[string]any{"customerId": "cust-42"}}).
			Want(t, http.StatusCreated).Decode(t, &a)
		if h := a.Holder; h.FirstName != "Ada" || h.LastName != "Byron" || h.ZipCode != "10001" || h.CustomerID != "cust-42" {
			t.Fatalf("holder from the profile: %+v", h)
		}
		_, pan := issueCard(t, e, s.ProgramCode, a.AccountIdentifier, map[string]any{"type": "virtual"})
		r := e.Partner("POST", "/customers/accounts/search", map[string]any{"accountNumber": pan}).Want(t, http.StatusOK).JSON(t)
		if r["customerId"] != "cust-42" || r["accountId"] != a.AccountIdentifier || r["firstName"] != "Ada" {
			t.Fatalf("lookup of a linked account: %v", r)
		}
		// Given fields win over the profile's (a card may carry another spelling).
		e.Admin("POST", accounts, map[string]any{"holder": map[string]any{"customerId": "cust-42", "firstName": "Augusta"}}).
			Want(t, http.StatusCreated).Decode(t, &a)
		if a.Holder.FirstName != "Augusta" || a.Holder.LastName != "Byron" {
			t.Fatalf("given name: %+v", a.Holder)
		}

		// No such profile, or another partner's: 400 naming the field; nothing opened.
		e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		e.Partner("POST", "/customers/theirs", map[string]any{"firstname": "Bob", "lastname": "Other",
			"zipcode": "94105"}).Want(t, http.StatusOK) // e.Token is now OTHER's partner
		for _, id := range []string{"nobody", "theirs"} {
			r := e.Admin("POST", accounts, map[string]any{"holder": map[string]any{"customerId": id, "firstName": "X",
				"lastName": "Y", "zipCode": "10001"}}).Want(t, http.StatusBadRequest)
			if p := r.JSON(t); p["field"] != "holder.customerId" {
				t.Fatalf("%s: %s", id, r.Body)
			}
		}
		// A blocked customer (a confirmed sanctions match) gets no account.
		e.Partner("POST", "/customers/ofac-1", map[string]any{"firstname": "Erdenebalsuren", "lastname": "Damdin",
			"zipcode": "10001", "dateofbirth": "08/07/1967"}).Want(t, http.StatusOK)
		e.Admin("POST", "/admin/v1/customers/ofac-1/sanctionsReview", map[string]any{"decision": "confirm"}).Want(t, http.StatusOK)
		e.Admin("POST", "/admin/v1/programs/OTHER/accounts", map[string]any{"holder": map[string]any{"customerId": "ofac-1"}}).
			Want(t, http.StatusConflict)
		var list struct{ Accounts []any }
		e.Admin("GET", accounts, nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Accounts) != 3 { // the seed's and the two linked ones
			t.Fatalf("accounts: %d", len(list.Accounts))
		}
	})
}
