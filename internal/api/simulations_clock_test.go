package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// The test clock: the code a simulation reveals verifies while fresh;
// advanced past the code's lifetime, the verification is expired for its
// program only; a backwards move is refused and changes nothing; DELETE
// resets it.
func TestSimulatedClock(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Sandbox: true}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		sim := "/programs/" + s.ProgramCode + "/simulations"
		fresh := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email",
			"communicationType": "email", "contactHandle": "clock1@example.com"})
		var got struct{ VerificationCode string }
		e.Partner("GET", sim+"/contactVerifications/"+fresh+"/code", nil).Want(t, http.StatusOK).Decode(t, &got)
		check(e, s.ProgramCode, fresh, got.VerificationCode).WantDetail(t, http.StatusOK, 0, 0)
		e.Partner("GET", sim+"/contactVerifications/"+fresh+"/code", nil).Want(t, http.StatusConflict)

		stale := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email",
			"communicationType": "email", "contactHandle": "clock2@example.com"})
		waitStatus(t, e, s.ProgramCode, stale, 1) // sent (delivery is asynchronous)
		for _, bad := range []string{"-1h", "0s", "soon", "", "4000d"} {
			_, _, d := e.Partner("POST", sim+"/clock", map[string]any{"advance": bad}).Want(t, http.StatusBadRequest).Detail(t)
			if !strings.Contains(d, "advance") {
				t.Errorf("%q: %s", bad, d)
			}
		}
		var c struct{ Offset, Now string }
		e.Partner("GET", sim+"/clock", nil).Want(t, http.StatusOK).Decode(t, &c)
		if c.Offset != "0s" {
			t.Fatalf("a refused advance moved the clock: %+v", c)
		}
		e.Partner("POST", sim+"/clock", map[string]any{"advance": "11m"}).Want(t, http.StatusOK).Decode(t, &c)
		e.Partner("POST", sim+"/clock", map[string]any{"advance": "2d"}).Want(t, http.StatusOK).Decode(t, &c)
		if c.Offset != "48h11m0s" {
			t.Fatalf("clock: %+v", c)
		}
		wantStatus(t, e, s.ProgramCode, stale, 3) // expired on the program's clock
		e.Partner("DELETE", sim+"/clock", nil).Want(t, http.StatusOK).Decode(t, &c)
		if c.Offset != "0s" {
			t.Fatalf("reset: %+v", c)
		}
		wantStatus(t, e, s.ProgramCode, stale, 1) // sent, fresh again on the real clock
	})
}
