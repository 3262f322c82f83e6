package api

import (
	"encoding/json"
	"math/big"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/customer"
)

// LookupJSON is the answer of POST /customers/accounts/search.
type LookupJSON struct {
	CustomerID  string `json:"customerId"`
	AccountID   string `json:"accountId"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	ZipCode     string `json:"zipCode"`
	ExpiryYear  string `json:"expiryYear"`
	ExpiryMonth string `json:"expiryMonth"`
}

type lookupRequest struct {
	AccountNumber *string `json:"accountNumber"`
	Retailer      *struct {
		StoreNumber *string      `json:"storeNumber"`
		StoreName   *string      `json:"storeName"`
		StateCode   *string      `json:"stateCode"`
		Latitude    *json.Number `json:"latitude"`
		Longitude   *json.Number `json:"longitude"`
	} `json:"retailer"`
}

// inRange reports whether a decimal is absent or within [-lim, lim].
func inRange(n *json.Number, lim int64) bool {
	if n == nil {
		return true
	}
	r, ok := new(big.Rat).SetString(n.String())
	return ok && r.Cmp(big.NewRat(-lim, 1)) >= 0 && r.Cmp(big.NewRat(lim, 1)) <= 0
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func numText(n *json.Number) string {
	if n == nil {
		return ""
	}
	return n.String()
}

func (s *Server) lookupCustomer(w http.ResponseWriter, r *http.Request) error {
	var in lookupRequest
	if err := lookupContentType(r); err != nil {
		return err
	}
	if err := decodeJSON(r, &in); err != nil {
		return asBadRequest(err)
	}
	if in.AccountNumber == nil || *in.AccountNumber == "" {
		return apperr.Field("accountNumber", "accountNumber is required")
	}
	var rt customer.Retailer
	latOK, lonOK := true, true
	if in.Retailer != nil {
		x := in.Retailer
		rt = customer.Retailer{StoreNumber: deref(x.StoreNumber), StoreName: deref(x.StoreName),
			StateCode: strings.ToUpper(deref(x.StateCode)), Latitude: numText(x.Latitude), Longitude: numText(x.Longitude)}
		latOK, lonOK = inRange(x.Latitude, 90), inRange(x.Longitude, 180)
	}
	if err := customer.ValidateRetailer(rt, latOK, lonOK); err != nil {
		return err
	}
	ch, err := s.Lookup.Find(r.Context(), claimsFrom(r.Context()).PartnerID, strings.TrimSpace(*in.AccountNumber), rt)
	if err != nil {
		return err
	}
	custID := ch.Account.Holder.CustomerID
	if custID == "" {
		custID = ch.Account.ID // no customer id on file: the account is the customer
	}
	writeJSON(w, http.StatusOK, LookupJSON{CustomerID: custID, AccountID: ch.Account.ID,
		FirstName: ch.Account.Holder.FirstName, LastName: ch.Account.Holder.LastName, ZipCode: ch.Account.Holder.ZipCode,
		ExpiryYear: ch.Card.ExpiryYear, ExpiryMonth: ch.Card.ExpiryMonth})
	return nil
}

// lookupContentType requires the Content-Type the page requires
// (application/json, parameters allowed): missing or anything else is
// INVALID_REQUEST, HTTP 400, not the platform's usual leniency or 415,
// because the page lists 200, 400, 401 and 404 as its complete set of
// answers.
func lookupContentType(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apperr.Field("Content-Type", "Content-Type must be application/json")
	}
	return nil
}

// asBadRequest answers a body the lookup cannot read (over the size
// limit, say) as 400, the page's answer for a request it cannot fulfil.
func asBadRequest(err error) error {
	if e := apperr.As(err); e.Kind == apperr.TooLarge || e.Kind == apperr.UnsupportedMedia {
		c := *e
		c.Kind = apperr.Invalid
		return &c
	}
	return err
}

// LookupLogJSON is one audited customer lookup (never the PAN).
type LookupLogJSON struct {
	ID          string    `json:"id"`
	At          time.Time `json:"at"`
	Outcome     string    `json:"outcome"`
	CardID      string    `json:"paymentInstrumentIdentifier"`
	Last4PAN    string    `json:"last4Pan"`
	StoreNumber string    `json:"storeNumber"`
	StoreName   string    `json:"storeName"`
	StateCode   string    `json:"stateCode"`
	Latitude    string    `json:"latitude"`
	Longitude   string    `json:"longitude"`
}

// adminListCustomerLookups answers a partner's audited lookups, newest first
// (?limit=, default and maximum 500).
func (s *Server) adminListCustomerLookups(w http.ResponseWriter, r *http.Request) error {
	limit := 500
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return apperr.Field("limit", "limit must be 1 to 500")
		}
		limit = n
	}
	logs, err := s.Lookup.Store.Lookups(r.Context(), r.PathValue("partnerId"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Lookups []LookupLogJSON `json:"lookups"`
	}{Lookups: []LookupLogJSON{}}
	for _, l := range logs {
		rt := l.Retailer
		out.Lookups = append(out.Lookups, LookupLogJSON{ID: l.ID, At: l.At, Outcome: l.Outcome, CardID: l.CardID,
			Last4PAN: l.Last4, StoreNumber: rt.StoreNumber, StoreName: rt.StoreName, StateCode: rt.StateCode,
			Latitude: rt.Latitude, Longitude: rt.Longitude})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
