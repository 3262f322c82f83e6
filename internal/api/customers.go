package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/customer"
)

func (s *Server) customerRoutes(mux *router) {
	mux.Handle("POST /customers", s.partner(s.createCustomer))
	mux.Handle("POST /customers/{$}", s.partner(s.createCustomer)) // the page's "Sample /customers/ Request"
	mux.Handle("POST /customers/{customerid}", s.partner(s.createCustomer))
	mux.Handle("GET /customers/{customerid}", s.partner(s.getCustomer))
	mux.Handle("POST /customers/accounts/search", s.partner(s.lookupCustomer))
	mux.Handle("POST /admin/v1/customers/{customerid}/sanctionsReview", s.admin(s.adminDecideSanctionsReview))
	mux.Handle("GET /admin/v1/sanctions/reviews", s.admin(s.adminListSanctionsReviews))
	mux.Handle("GET /admin/v1/sanctions/lists", s.admin(s.adminGetSanctionsList))
	mux.Handle("POST /admin/v1/sanctions/lists", s.admin(s.adminLoadSanctionsList))
	mux.Handle("GET /admin/v1/partners/{partnerId}/customerLookups", s.admin(s.adminListCustomerLookups))
}

// ProfileDetail is the customer-profile family's responsedetail.
type ProfileDetail struct {
	Code        int    `json:"responsedetailcode"`
	Description string `json:"responsedetaildescription"`
}

// CreateCustomerJSON is the answer of POST /customers[/[{customerid}]].
type CreateCustomerJSON struct {
	CustomerID      string        `json:"customerid"`
	CustomerURI     string        `json:"customeruri"`
	Status          string        `json:"status"`
	ResponseCode    int           `json:"responsecode"`
	ResponseMessage string        `json:"responsemessage"`
	ResponseDate    string        `json:"responsedate"`
	ResponseDetail  ProfileDetail `json:"responsedetail"`
}

// CustomerJSON is the Customer object of GET /customers/{customerid}:
// never the SSN or date of birth.
type CustomerJSON struct {
	CustomerID               string `json:"customerid"`
	CustomerURI              string `json:"customeruri"`
	FirstName                string `json:"firstname"`
	LastName                 string `json:"lastname"`
	IsActive                 bool   `json:"isactive"`
	Email                    string `json:"email"`
	PhoneNumber              string `json:"phonenumber"`
	PartnerProgramIdentifier string `json:"partnerprogramidentifier"`
	PartnerName              string `json:"partnername"`
	LinkID                   string `json:"linkid"`
	Status                   string `json:"status"`
}

// GetCustomerJSON is the answer of GET /customers/{customerid}.
type GetCustomerJSON struct {
	Customer        CustomerJSON  `json:"Customer"`
	ResponseCode    int           `json:"responsecode"`
	ResponseMessage string        `json:"responsemessage"`
	ResponseDate    string        `json:"responsedate"`
	ResponseDetail  ProfileDetail `json:"responsedetail"`
}

// customerURI is the customer's URL on the host the partner called.
func customerURI(r *http.Request, id string) string {
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	return scheme + "://" + r.Host + "/customers/" + id
}

// profileInput decodes a create body. The contract's table capitalises
// field names its samples write in lower case, so names are matched
// case-insensitively; every value must be a string (or null). Two known
// names differing only in case ({"firstname":..,"FIRSTNAME":..}) are
// rejected: which one wins would otherwise depend on map order.
func profileInput(r *http.Request) (customer.Input, error) {
	var raw map[string]json.RawMessage
	if err := decodeJSON(r, &raw); err != nil {
		return customer.Input{}, err
	}
	var in customer.Input
	fields := map[string]*string{
		"firstname": &in.FirstName, "lastname": &in.LastName, "email": &in.Email, "phonenumber": &in.Phone,
		"dateofbirth": &in.DOB, "socialsecuritynumber": &in.SSN, "lastfourssn": &in.LastFourSSN,
		"address1": &in.Address1, "address2": &in.Address2, "city": &in.City, "state": &in.State, "zipcode": &in.Zip,
	}
	seen := make(map[string]bool, len(raw))
	var dup []string
	for k := range raw {
		name := strings.ToLower(k)
		if _, ok := fields[name]; ok && seen[name] {
			dup = append(dup, name)
		}
		seen[name] = true
	}
	if len(dup) > 0 {
		name := slices.Min(dup) // the same field named whatever the map order
		return in, apperr.Field(name, "%s is given more than once (field names are matched case-insensitively)", name)
	}
	for k, v := range raw {
		name := strings.ToLower(k)
		dst, ok := fields[name]
		if !ok || string(v) == "null" {
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return in, apperr.Field(name, "%s must be a string", name)
		}
	}
	return in, nil
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	in, err := profileInput(r)
	if err != nil {
		return err
	}
	in.ID = r.PathValue("customerid")
	if r.URL.Path != "/customers" && r.URL.Path != "/customers/" && in.ID == "" {
		return apperr.Field("customerid", "customerid must be 2 to 50 characters")
	}
	p, _, err := s.Customers.Create(r.Context(), claimsFrom(r.Context()).PartnerID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, CreateCustomerJSON{
		CustomerID: p.ID, CustomerURI: customerURI(r, p.ID), Status: string(p.Status),
		ResponseCode: 0, ResponseMessage: "Success", ResponseDate: ResponseDate(s.now()),
		ResponseDetail: ProfileDetail{Code: p.DetailCode, Description: p.Detail},
	})
	return nil
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	partnerID := claimsFrom(r.Context()).PartnerID
	p, err := s.Customers.Get(r.Context(), partnerID, r.PathValue("customerid"))
	if err != nil {
		return err
	}
	name, prog, err := s.Customers.Store.PartnerLabel(r.Context(), partnerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, GetCustomerJSON{
		Customer: CustomerJSON{CustomerID: p.ID, CustomerURI: customerURI(r, p.ID), FirstName: p.FirstName,
			LastName: p.LastName, IsActive: p.Active, Email: p.Email, PhoneNumber: p.Phone,
			PartnerProgramIdentifier: prog, PartnerName: name, LinkID: p.LinkID, Status: string(p.Status)},
		ResponseCode: 0, ResponseMessage: "Success", ResponseDate: ResponseDate(s.now()),
		ResponseDetail: ProfileDetail{Code: p.DetailCode, Description: p.Detail},
	})
	return nil
}
