package api

import (
	"net/http"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/care"
)

func (s *Server) careRoutes(mux *router) {
	mux.Handle("POST /programs/{programCode}/customerCare/cases", s.partner(s.createCase))
	s.adminCaseRoutes(mux)
}

// CreateCaseJSON is the answer of POST /programs/{programCode}/customerCare/cases.
type CreateCaseJSON struct {
	CaseNumber      string           `json:"caseNumber"`
	ResponseDetails []ResponseDetail `json:"responseDetails"`
}

// createCase opens a support case. The program is resolved first (401 for
// a program the partner may not use), then the body is validated with the
// page's codes, then the account must exist in the program (404, 10/0).
// With X-GD-RequestId the call is idempotent per partner and program.
func (s *Server) createCase(w http.ResponseWriter, r *http.Request) error {
	p, err := s.program(r)
	if err != nil {
		return err
	}
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	req, err := care.ParseRequest(body)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.Get(r.Context(), p.Code, req.AccountIdentifier); err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return account.ErrNotFound.WithCode(10, 0)
		}
		return err
	}
	rid := r.Header.Get("X-GD-RequestId")
	if !printable(rid) {
		rid = "" // the middleware answered with a fresh id: no idempotency key
	}
	c, err := s.Care.Create(r.Context(), p.PartnerID, p.Code, rid, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, CreateCaseJSON{CaseNumber: c.Number, ResponseDetails: Success()})
	return nil
}
