package api

import (
	"net/http"

	"github.com/verdant-baas/verdant/internal/address"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// AddressJSON is one suggested address. The contract's schema names the
// type field `type` and its sample `addressType`: both are sent, with the
// same value.
type AddressJSON struct {
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2"`
	City         string `json:"city"`
	State        string `json:"state"`
	ZipCode      string `json:"zipCode"`
	CountryCode  string `json:"countryCode"`
	Type         string `json:"type"`
	AddressType  string `json:"addressType"`
}

// AddressVerificationJSON is the answer of POST .../addressVerification.
type AddressVerificationJSON struct {
	Addresses       []AddressJSON    `json:"addresses"`
	IsValidAddress  bool             `json:"isValidAddress"`
	MatchLevel      string           `json:"matchLevel"`
	ResponseDetails []ResponseDetail `json:"responseDetails"`
}

func (s *Server) verifyAddress(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AddressLine1 string `json:"addressLine1"`
		AddressLine2 string `json:"addressLine2"`
		City         string `json:"city"`
		State        string `json:"state"`
		ZipCode      string `json:"zipCode"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return invalidBody(err)
	}
	if _, err := s.program(r); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"addressLine1", in.AddressLine1, 100}, {"addressLine2", in.AddressLine2, 100}, {"city", in.City, 50},
		{"state", in.State, 50}, {"zipCode", in.ZipCode, 10}} {
		if len(f.v) > f.max {
			return apperr.Field(f.name, "%s must be at most %d characters", f.name, f.max).WithCode(400, 0)
		}
	}
	if in.AddressLine1 == "" {
		return apperr.Field("addressLine1", "addressLine1 is required").WithCode(200, 0)
	}
	p := s.Address
	if p == nil {
		p = address.Engine{}
	}
	res, err := p.Verify(r.Context(), address.Input{Line1: in.AddressLine1, Line2: in.AddressLine2, City: in.City,
		State: in.State, ZipCode: in.ZipCode})
	if err != nil {
		return apperr.Wrap(err, "address provider failed")
	}
	out := AddressVerificationJSON{Addresses: []AddressJSON{}, IsValidAddress: res.Valid, MatchLevel: string(res.MatchLevel),
		ResponseDetails: Success()}
	for _, a := range res.Addresses {
		out.Addresses = append(out.Addresses, AddressJSON{AddressLine1: a.Line1, AddressLine2: a.Line2, City: a.City,
			State: a.State, ZipCode: a.ZipCode, CountryCode: a.CountryCode, Type: string(a.Type),
			AddressType: string(a.Type)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
