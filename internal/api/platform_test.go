package api_test

import (
	"net/http"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func TestPartnerGetsOwnAccountOnly(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		r := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil).Want(t, http.StatusOK)
		body := r.JSON(t)
		if body["accountStatus"] != "normal" || len(body["paymentInstruments"].([]any)) != 1 {
			t.Fatalf("unexpected account: %s", r.Body)
		}
		// A second partner must not see the first partner's program.
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		r = e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil).Want(t, http.StatusUnauthorized)
		unknown := e.Partner("GET", "/programs/NOSUCH/accounts/"+s.AccountID, nil).Want(t, http.StatusUnauthorized)
		if string(r.Body) != string(unknown.Body) {
			t.Fatalf("another partner's program is distinguishable from an unknown one:\n%s\n%s", r.Body, unknown.Body)
		}
		e.Partner("GET", "/programs/"+other.ProgramCode+"/accounts/"+s.AccountID, nil).Want(t, http.StatusNotFound)
	})
}
