package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/sanctions"
)

// ReviewJSON is a sanctions review as operators see it.
type ReviewJSON struct {
	ReviewID   string            `json:"reviewId"`
	PartnerID  string            `json:"partnerId"`
	CustomerID string            `json:"customerId"`
	Status     string            `json:"status"`
	Match      sanctions.Match   `json:"match"`
	Matches    []sanctions.Match `json:"matches"`
	CreatedAt  time.Time         `json:"createdAt"`
	DecidedAt  *time.Time        `json:"decidedAt,omitempty"`
	DecidedBy  string            `json:"decidedBy,omitempty"`
	Note       string            `json:"note,omitempty"`
}

func reviewJSON(r customer.Review) ReviewJSON {
	out := ReviewJSON{ReviewID: r.ID, PartnerID: r.PartnerID, CustomerID: r.CustomerID, Status: r.Status,
		Match: r.Match, Matches: r.Matches, CreatedAt: r.CreatedAt, DecidedBy: r.DecidedBy, Note: r.Note}
	if !r.DecidedAt.IsZero() {
		out.DecidedAt = &r.DecidedAt
	}
	return out
}

func (s *Server) adminDecideSanctionsReview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Decision  string `json:"decision"`
		Note      string `json:"note"`
		PartnerID string `json:"partnerId"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rv, err := s.Customers.Review(r.Context(), customer.Decision{PartnerID: in.PartnerID,
		CustomerID: r.PathValue("customerid"), Decision: in.Decision, Note: in.Note, Actor: operator.ActorOf(r.Context())})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reviewJSON(rv))
	return nil
}

func (s *Server) adminListSanctionsReviews(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Customers.Reviews(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	out := struct {
		Reviews []ReviewJSON `json:"reviews"`
	}{Reviews: []ReviewJSON{}}
	for _, rv := range list {
		out.Reviews = append(out.Reviews, reviewJSON(rv))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) adminGetSanctionsList(w http.ResponseWriter, r *http.Request) error {
	info, err := s.Sanctions.Current(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// adminLoadSanctionsList puts fresh OFAC files in force. Each file is
// sent as CSV text (sdn, alt, add) or as base64 of its gzip (sdnGzip...).
func (s *Server) adminLoadSanctionsList(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Published                 string `json:"published"`
		SDN, Alt, Add             string
		SDNGzip, AltGzip, AddGzip string
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var f sanctions.Files
	for _, x := range []struct {
		name, plain, gz string
		dst             *[]byte
	}{{"sdn", in.SDN, in.SDNGzip, &f.SDN}, {"alt", in.Alt, in.AltGzip, &f.Alt}, {"add", in.Add, in.AddGzip, &f.Add}} {
		if x.gz == "" {
			*x.dst = []byte(x.plain)
			continue
		}
		b, err := sanctions.GunzipBase64(x.gz, sanctions.MaxFileBytes)
		if errors.Is(err, sanctions.ErrTooLarge) {
			return apperr.Field(x.name+"Gzip", "%sGzip must decompress to at most %d bytes", x.name, sanctions.MaxFileBytes)
		}
		if err != nil {
			return apperr.Field(x.name+"Gzip", "%sGzip must be base64 of a gzip file", x.name)
		}
		*x.dst = b
	}
	if len(f.SDN) == 0 {
		return apperr.Field("sdn", "sdn (or sdnGzip) is required")
	}
	if in.Published == "" {
		return apperr.Field("published", "published (the list's publish date) is required")
	}
	info, err := s.Sanctions.Load(r.Context(), f, in.Published, operator.ActorOf(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, info)
	return nil
}
