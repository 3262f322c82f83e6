package api

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
)

// retailMetadataBody is the metadata block every retail call carries.
type retailMetadataBody struct {
	StoreID         string `json:"storeId"`
	MerchantID      string `json:"merchantId"`
	UserID          string `json:"userId"`
	RequestDateTime string `json:"requestDateTime"`
	RegisterID      string `json:"registerId"`
}

func (m retailMetadataBody) metadata() retail.Metadata {
	return retail.Metadata{StoreID: m.StoreID, MerchantID: m.MerchantID, UserID: m.UserID,
		RequestDateTime: m.RequestDateTime, RegisterID: m.RegisterID}
}

// cardLoadBody is the JSON of POST /card/load and POST /card/load/void:
// a load names the approved validation's responseId, a void the load's.
type cardLoadBody struct {
	ValidationResponseID string             `json:"validationResponseId"`
	LoadResponseID       string             `json:"loadResponseId"`
	TransactionAmount    money.Amount       `json:"transactionAmount"`
	Metadata             retailMetadataBody `json:"metadata"`
}

// RetailLoadResponse is the body of POST /card/load and /card/load/void
// (verdant's extension): the retail envelope with the posting's
// identifier, the amount, the fees and the available balance after it.
// Fields are null when the answer has none.
type RetailLoadResponse struct {
	TransactionIdentifier *string        `json:"transactionIdentifier"`
	TransactionAmount     *string        `json:"transactionAmount"`
	AvailableBalance      *string        `json:"availableBalance"`
	ReloadFee             *string        `json:"reloadFee"`
	MerchantFee           *string        `json:"merchantFee"`
	MaxAllowedAmount      *string        `json:"maxAllowedAmount"`
	MinAllowedAmount      *string        `json:"minAllowedAmount"`
	Metadata              RetailMetadata `json:"metadata"`
}

// cardLoad is POST /card/load: commit a validated cash load.
func (s *Server) cardLoad(w http.ResponseWriter, r *http.Request) error {
	return s.loadCall(w, r, retail.KindLoad)
}

// cardLoadVoid is POST /card/load/void: reverse a load the same day.
func (s *Server) cardLoadVoid(w http.ResponseWriter, r *http.Request) error {
	return s.loadCall(w, r, retail.KindVoid)
}

// loadCall answers a load or a void in the retail envelope, with the HTTP
// status of /card/details for each code.
func (s *Server) loadCall(w http.ResponseWriter, r *http.Request, kind string) error {
	req := retail.LoadRequest{Kind: kind, RequestID: r.Header.Get("X-GD-RequestId")}
	var b cardLoadBody
	if err := decodeJSON(r, &b); err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			return err // 413 / 415, answered 100 in the retail envelope
		}
		req.ParseError = apperr.As(err).Message
	}
	req.Ref, req.TransactionAmount, req.Metadata = b.ValidationResponseID, b.TransactionAmount, b.Metadata.metadata()
	if kind == retail.KindVoid {
		req.Ref = b.LoadResponseID
	}
	call := s.Retail.Load
	if kind == retail.KindVoid {
		call = s.Retail.Void
	}
	l, err := call(r.Context(), claimsFrom(r.Context()).PartnerID, req)
	if e := apperr.As(err); err != nil && e.Kind == apperr.Invalid {
		// A request id used for a different request: the call's own shape.
		l = retail.Load{Outcome: retail.Outcome{At: s.now(), Code: retail.CodeInvalidParam, Description: e.Message}}
	} else if err != nil {
		return err
	}
	resp := loadResponse(l)
	s.writeRetailBody(w, r, retailStatus(l.Code), &resp.Metadata, &resp)
	return nil
}

func loadResponse(l retail.Load) RetailLoadResponse {
	resp := RetailLoadResponse{
		AvailableBalance: amountText(l.AvailableBalance), ReloadFee: amountText(l.ReloadFee),
		MerchantFee: amountText(l.MerchantFee), MaxAllowedAmount: amountText(l.MaxAllowed),
		MinAllowedAmount: amountText(l.MinAllowed),
		Metadata: RetailMetadata{ResponseID: l.ResponseID, ResponseDateTime: ResponseDate(l.At),
			ResponseCode: l.Code, ResponseDescription: l.Description},
	}
	if l.Status == retail.StatusPosted || l.Status == retail.StatusVoided {
		id := l.PostingID
		resp.TransactionIdentifier, resp.TransactionAmount = &id, amountText(&l.Amount)
	}
	return resp
}

// newRetailMetrics registers the enumeration guard's counter.
func newRetailMetrics(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "verdant_retail_throttled_total",
		Help: "Retail validations refused because the retailer (partner) is throttled by the enumeration guard.",
	}, []string{"partner"})
	reg.MustRegister(c)
	return c
}
