package api

import (
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/partner"
)

// listRoutes are the operator's discovery calls: what partners and
// programs exist, a page at a time.
func (s *Server) listRoutes(mux *router) {
	mux.Handle("GET /admin/v1/partners", s.admin(s.adminListPartners))
	mux.Handle("GET /admin/v1/programs", s.admin(s.adminListPrograms))
}

// PartnerJSON is the operator view of a partner: never its secret.
type PartnerJSON struct {
	PartnerID     string    `json:"partnerId"`
	Name          string    `json:"name"`
	ClientID      string    `json:"clientId"`
	SecretVersion int       `json:"secretVersion"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// PartnerView is the operator view of a partner.
func PartnerView(p partner.Partner) PartnerJSON {
	return PartnerJSON{PartnerID: p.ID, Name: p.Name, ClientID: p.ClientID, SecretVersion: p.SecretVersion,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// adminListPartners pages through partners in id order:
// ?after=<last partnerId seen>&limit=<1..100, default 50>.
func (s *Server) adminListPartners(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	ps, err := s.Partners.List(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Partners []PartnerJSON `json:"partners"`
		Next     string        `json:"next,omitempty"`
	}{Partners: []PartnerJSON{}}
	for _, p := range ps {
		out.Partners = append(out.Partners, PartnerView(p))
	}
	if len(ps) == limit {
		out.Next = ps[len(ps)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminListPrograms pages through programs in code order, optionally one
// partner's: ?partnerId=&after=<last programCode seen>&limit=<1..100>.
func (s *Server) adminListPrograms(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ps, err := s.Programs.List(r.Context(), q.Get("partnerId"), q.Get("after"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Programs []ProgramJSON `json:"programs"`
		Next     string        `json:"next,omitempty"`
	}{Programs: []ProgramJSON{}}
	for _, p := range ps {
		out.Programs = append(out.Programs, ProgramView(p))
	}
	if len(ps) == limit {
		out.Next = ps[len(ps)-1].Code
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
