package api

import (
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/retail"
)

// The operator's side of the enumeration guard: which retailers are
// throttled now, and lifting a throttle before its window ends.
const adminRetailThrottles = "/admin/v1/retail/throttles"

func (s *Server) retailThrottleRoutes(mux *router) {
	mux.Handle("GET "+adminRetailThrottles, s.admin(s.adminListRetailThrottles))
	mux.Handle("DELETE "+adminRetailThrottles+"/{partnerId}", s.admin(s.adminLiftRetailThrottle))
}

// RetailThrottleJSON is a throttled retailer in the operator API: since
// when, until when, and the misses (validations answered 110) that
// tripped it. LiftedAt is set only on the answer to a lift.
type RetailThrottleJSON struct {
	PartnerID   string     `json:"partnerId"`
	PartnerName string     `json:"partnerName"`
	Since       time.Time  `json:"since"`
	Until       time.Time  `json:"until"`
	Misses      int        `json:"misses"`
	LiftedAt    *time.Time `json:"liftedAt,omitempty"`
}

// RetailThrottlesJSON is a page of throttled retailers; Next is the after=
// of the following page (absent on the last).
type RetailThrottlesJSON struct {
	Throttles []RetailThrottleJSON `json:"throttles"`
	Next      string               `json:"next,omitempty"`
}

// RetailThrottleView is the operator view of a throttle (the CLI prints
// the same).
func RetailThrottleView(t retail.Throttle) RetailThrottleJSON {
	j := RetailThrottleJSON{PartnerID: t.PartnerID, PartnerName: t.PartnerName, Since: t.StartedAt, Until: t.EndsAt,
		Misses: t.Misses}
	if !t.LiftedAt.IsZero() {
		j.LiftedAt = &t.LiftedAt
	}
	return j
}

// RetailThrottlesView is a page of throttles as the operator API answers
// it, given the page's limit.
func RetailThrottlesView(ts []retail.Throttle, limit int) RetailThrottlesJSON {
	out := RetailThrottlesJSON{Throttles: []RetailThrottleJSON{}}
	for _, t := range ts {
		out.Throttles = append(out.Throttles, RetailThrottleView(t))
	}
	if len(ts) == limit {
		out.Next = ts[len(ts)-1].PartnerID
	}
	return out
}

// adminListRetailThrottles pages through the retailers throttled now, in
// partner id order: ?after=<last partnerId seen>&limit=<1..100, default 50>.
func (s *Server) adminListRetailThrottles(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	ts, err := s.Retail.Throttles(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, RetailThrottlesView(ts, limit))
	return nil
}

// adminLiftRetailThrottle ends a retailer's throttle now (404 when none
// is in force) and answers it as it stood, with liftedAt.
func (s *Server) adminLiftRetailThrottle(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Retail.LiftThrottle(r.Context(), r.PathValue("partnerId"))
	return answer(w, http.StatusOK, RetailThrottleView, t, err)
}
