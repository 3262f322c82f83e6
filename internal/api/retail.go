package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
)

func (s *Server) retailRoutes(mux *router) {
	mux.Handle("POST /card/details", s.partner(s.cardDetails))
	mux.Handle("POST /card/load", s.partner(s.cardLoad))
	mux.Handle("POST /card/load/void", s.partner(s.cardLoadVoid))
	s.retailAdminRoutes(mux)
}

// cardDetailsBody is the JSON of POST /card/details.
type cardDetailsBody struct {
	AccountNumber      string       `json:"accountNumber"`
	AccountIdentifier  string       `json:"accountIdentifier"`
	PaymentProgramType string       `json:"paymentProgramType"`
	TransactionAmount  money.Amount `json:"transactionAmount"`
	Metadata           struct {
		StoreID         string `json:"storeId"`
		MerchantID      string `json:"merchantId"`
		UserID          string `json:"userId"`
		RequestDateTime string `json:"requestDateTime"`
		RegisterID      string `json:"registerId"`
	} `json:"metadata"`
}

// cardDetails is POST /card/details: retail reload validation. Every
// outcome is answered in the retail envelope; InvalidParameter (100) is
// HTTP 400 like every validation failure of the platform, the business
// codes are HTTP 200, GeneralFailure (1000) is HTTP 500.
func (s *Server) cardDetails(w http.ResponseWriter, r *http.Request) error {
	req := retail.Request{RequestID: r.Header.Get("X-GD-RequestId")}
	var b cardDetailsBody
	if err := decodeJSON(r, &b); err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid {
			return err // 413 / 415, answered 100 in the retail envelope
		}
		req.ParseError = apperr.As(err).Message
	}
	req.AccountNumber, req.AccountIdentifier = b.AccountNumber, b.AccountIdentifier
	req.PaymentProgramType, req.TransactionAmount = b.PaymentProgramType, b.TransactionAmount
	md := b.Metadata
	req.Metadata = retail.Metadata{StoreID: md.StoreID, MerchantID: md.MerchantID, UserID: md.UserID,
		RequestDateTime: md.RequestDateTime, RegisterID: md.RegisterID}
	partnerID := claimsFrom(r.Context()).PartnerID
	o, err := s.Retail.Validate(r.Context(), partnerID, req, s.Balances)
	if err != nil {
		return err
	}
	if o.Code == retail.CodeThrottled {
		s.throttled(w, partnerID, o.RetryAt)
	}
	s.writeRetail(w, r, retailStatus(o.Code), retailResponse(o))
	return nil
}

// throttled counts a throttled answer and says when to ask again.
func (s *Server) throttled(w http.ResponseWriter, partnerID string, retryAt time.Time) {
	s.retailThrottled.WithLabelValues(partnerID).Inc()
	secs := int(math.Ceil(retryAt.Sub(s.now()).Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
}

// retailStatus is the HTTP status of a retail response code.
func retailStatus(code int) int {
	switch code {
	case retail.CodeInvalidParam:
		return http.StatusBadRequest
	case retail.CodeThrottled:
		return http.StatusTooManyRequests
	case retail.CodeGeneralFailure:
		return http.StatusInternalServerError
	}
	return http.StatusOK
}

func retailResponse(o retail.Outcome) RetailResponse {
	amt := func(v *int64) *string {
		if v == nil {
			return nil
		}
		s := money.Format(*v)
		return &s
	}
	resp := RetailResponse{
		AvailableBalance: amt(o.AvailableBalance), ReloadFee: amt(o.ReloadFee), MerchantFee: amt(o.MerchantFee),
		MaxAllowedAmount: amt(o.MaxAllowed), MinAllowedAmount: amt(o.MinAllowed),
		Metadata: RetailMetadata{ResponseID: o.ResponseID, ResponseDateTime: ResponseDate(o.At),
			ResponseCode: o.Code, ResponseDescription: o.Description},
	}
	if o.CardType != "" {
		resp.CardType = &o.CardType
	}
	return resp
}
