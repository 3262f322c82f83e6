package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/partner"
)

// accountPath is a partner read that needs a valid token.
func accountPath(s apitest.Seed) string {
	return "/programs/" + s.ProgramCode + "/accounts/" + s.AccountID
}

// Rotating a partner's secret, or disabling the partner, ends the tokens
// it holds at once on the node that made the change (issue 16: they used
// to run to their expiry); a disabled partner gets no token, and enabling
// it again does not bring its old tokens back.
func TestRotationAndDisableEndTokens(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		old := e.Token
		e.Partner("GET", accountPath(s), nil).Want(t, http.StatusOK)

		var creds struct{ ClientSecret string }
		e.Admin("POST", "/admin/v1/partners/"+s.PartnerID+"/secrets", nil).Want(t, http.StatusCreated).Decode(t, &creds)
		if d := e.Partner("GET", accountPath(s), nil).WantDetail(t, http.StatusUnauthorized, 401, 0); d != "access token has been revoked" {
			t.Fatalf("token after rotation: %q", d)
		}
		e.Token = e.TokenFor(s.ClientID, creds.ClientSecret)
		e.Partner("GET", accountPath(s), nil).Want(t, http.StatusOK)

		var st struct {
			Status     string
			TokenEpoch int
		}
		e.Admin("POST", "/admin/v1/partners/"+s.PartnerID+"/disable", nil).Want(t, http.StatusOK).Decode(t, &st)
		if st.Status != "disabled" || st.TokenEpoch != 3 {
			t.Fatalf("disable answered %+v", st)
		}
		e.Partner("GET", accountPath(s), nil).Want(t, http.StatusUnauthorized)
		r := tokenRequest(e, "application/x-www-form-urlencoded", "grant_type=client_credentials", s.ClientID, creds.ClientSecret).
			Want(t, http.StatusUnauthorized)
		if b := r.JSON(t); b["error"] != "invalid_client" {
			t.Fatalf("token request of a disabled partner: %s", r.Body)
		}
		e.Admin("POST", "/admin/v1/partners/"+s.PartnerID+"/disable", nil).Want(t, http.StatusOK).Decode(t, &st)
		if st.TokenEpoch != 3 {
			t.Fatalf("disabling twice changed the epoch: %+v", st)
		}
		e.Admin("POST", "/admin/v1/partners/"+s.PartnerID+"/enable", nil).Want(t, http.StatusOK).Decode(t, &st)
		if st.Status != "active" {
			t.Fatalf("enable answered %+v", st)
		}
		e.Partner("GET", accountPath(s), nil).Want(t, http.StatusUnauthorized)
		e.Token = old
		e.Partner("GET", accountPath(s), nil).Want(t, http.StatusUnauthorized)
		e.Token = e.TokenFor(s.ClientID, creds.ClientSecret)
		e.Partner("GET", accountPath(s), nil).Want(t, http.StatusOK)

		e.Admin("POST", "/admin/v1/partners/nope/disable", nil).Want(t, http.StatusNotFound)
		var audit struct{ Events []struct{ Action string } }
		e.Admin("GET", "/admin/v1/audit?subject=partner:"+s.PartnerID, nil).Want(t, http.StatusOK).Decode(t, &audit)
		var actions []string
		for _, ev := range audit.Events {
			actions = append(actions, ev.Action)
		}
		if len(actions) != 4 || actions[0] != "partner.active" || actions[1] != "partner.disabled" || actions[2] != "partner.secretRotated" {
			t.Fatalf("audit actions %v", actions)
		}
	})
}

// Two nodes on one database: a token that one node has just accepted
// stops working there within partner.StandingTTL of a rotation or a
// disable made through the other.
func TestRevocationReachesOtherNodes(t *testing.T) {
	t.Parallel()
	apitest.Nodes(t, 2, apitest.Options{}, func(t *testing.T, nodes []*apitest.Env) {
		a, b := nodes[0], nodes[1]
		s := a.Seed()
		b.Token = a.Token
		for _, change := range []string{"/secrets", "/disable"} {
			status := map[string]int{"/secrets": http.StatusCreated, "/disable": http.StatusOK}[change]
			b.Partner("GET", accountPath(s), nil).Want(t, http.StatusOK) // b caches the standing
			a.Admin("POST", "/admin/v1/partners/"+s.PartnerID+change, nil).Want(t, status)
			// The other node's clock runs on in steps: its cached standing
			// expires by its clock, so no real time need pass.
			start := b.Clock.Now()
			for b.Partner("GET", accountPath(s), nil).Status == http.StatusOK {
				if since := b.Clock.Now().Sub(start); since > partner.StandingTTL+time.Second {
					t.Fatalf("%s: the other node still accepts the token %s after the change", change, since)
				}
				b.Clock.Advance(50 * time.Millisecond)
			}
			t.Logf("%s reached the other node after %s", change, b.Clock.Now().Sub(start).Round(time.Millisecond))
			if change == "/secrets" { // a fresh token for the next change
				var creds struct{ ClientSecret string }
				a.Admin("POST", "/admin/v1/partners/"+s.PartnerID+"/secrets", nil).Want(t, http.StatusCreated).Decode(t, &creds)
				b.Token = b.TokenFor(s.ClientID, creds.ClientSecret)
			}
		}
	})
}
