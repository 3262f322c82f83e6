package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// One partner sending its five codes an hour to a number no longer stops
// every other partner's customer with that number (issue 16): the hourly
// cap counts per partner and handle, the short gap stays global. Aliases
// that reach one mailbox (+tags, Gmail's dots and googlemail.com) count
// as one handle for both.
func TestRateLimitsPerPartnerAndMailbox(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		a := e.Seed()
		tokA := e.Token
		b := e.Seed(apitest.ProgramSpec{Code: "PROG2", AdjustmentTypes: apitest.AllAdjustmentTypes})
		tokB := e.Token
		send := func(tok, prog, ct, ch, handle string) *apitest.Response {
			e.Token = tok
			return e.Partner("POST", "/programs/"+prog+"/contactVerifications",
				map[string]any{"contactType": ct, "communicationType": ch, "contactHandle": handle})
		}
		phone := func(tok, prog string) *apitest.Response { return send(tok, prog, "phone", "sms", "+12133734253") }
		email := func(tok, prog, handle string) *apitest.Response { return send(tok, prog, "email", "email", handle) }
		gap := func() { e.Clock.Advance(31 * time.Second) }

		for i := 0; i < 5; i++ {
			phone(tokA, a.ProgramCode).WantDetail(t, http.StatusOK, 0, 0)
			gap()
		}
		phone(tokA, a.ProgramCode).WantDetail(t, http.StatusTooManyRequests, 70, 1)
		phone(tokB, b.ProgramCode).WantDetail(t, http.StatusOK, 0, 0)               // another partner's customer
		phone(tokA, a.ProgramCode).WantDetail(t, http.StatusTooManyRequests, 70, 2) // the gap is global
		phone(tokB, b.ProgramCode).WantDetail(t, http.StatusTooManyRequests, 70, 2)

		gap()
		for i, alias := range []string{"ann@example.com", "ann+1@example.com", "Ann+shop@Example.com", "ann+2@example.com", "ann+3@example.com"} {
			if r := email(tokA, a.ProgramCode, alias); r.Status != http.StatusOK {
				t.Fatalf("alias %d %s: %d %s", i, alias, r.Status, r.Body)
			}
			gap()
		}
		email(tokA, a.ProgramCode, "ann+4@example.com").WantDetail(t, http.StatusTooManyRequests, 70, 1)
		email(tokA, a.ProgramCode, "bob@example.com").WantDetail(t, http.StatusOK, 0, 0) // another mailbox
		email(tokB, b.ProgramCode, "ann+9@example.com").WantDetail(t, http.StatusOK, 0, 0)
		email(tokB, b.ProgramCode, "ann@example.com").WantDetail(t, http.StatusTooManyRequests, 70, 2)

		email(tokA, a.ProgramCode, "jane.doe@gmail.com").WantDetail(t, http.StatusOK, 0, 0)
		email(tokB, b.ProgramCode, "janedoe+x@googlemail.com").WantDetail(t, http.StatusTooManyRequests, 70, 2)
	})
}
