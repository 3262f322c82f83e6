package api

import (
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/delivery"
)

func (s *Server) deliveryRoutes(mux *router) {
	const card = "/programs/{programCode}/accounts/{accountIdentifier}/paymentInstruments/{paymentInstrumentIdentifier}"
	mux.Handle("GET "+card+"/deliveryStatus", s.partner(s.deliveryStatus))
	mux.Handle("POST /admin/v1"+card+"/deliveryEvents", s.admin(s.adminRecordDeliveryEvent))
	mux.Handle("GET /admin/v1"+card+"/deliveryEvents", s.admin(s.adminListDeliveryEvents))
}

// DeliveryStatusJSON is the Track My Mail answer (optional-api-add-ons.txt).
type DeliveryStatusJSON struct {
	TrackingNumber       *string          `json:"trackingNumber"`
	DeliveryMethodCode   string           `json:"deliveryMethodCode"`
	DeliveryMethod       string           `json:"deliveryMethod"`
	DeliveryStatusCode   string           `json:"deliveryStatusCode"`
	DeliveryStatus       string           `json:"deliveryStatus"`
	ShippedDate          *string          `json:"shippedDate"`
	EstimatedArrivalDate *string          `json:"estimatedArrivalDate"`
	Last4Pan             string           `json:"last4Pan"`
	BIN                  string           `json:"bin"`
	CardHolderName       string           `json:"cardHolderName"`
	ProductMaterialType  string           `json:"productMaterialType"`
	EmbossType           string           `json:"embossType,omitempty"`
	ResponseDetails      []ResponseDetail `json:"responseDetails"`
}

// deliveryTime formats a delivery date-time as the page's sample does
// (2019-12-03T11:34:53.99Z: UTC, fraction without trailing zeros).
func deliveryTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// cardID validates {paymentInstrumentIdentifier} (BaaS 400, 10/10 when not a UUID).
func cardID(r *http.Request) (string, error) {
	id, err := parseUUID("paymentInstrumentIdentifier", r.PathValue("paymentInstrumentIdentifier"))
	if err != nil {
		return "", apperr.As(err).WithCode(10, 10)
	}
	return id, nil
}

func (s *Server) deliveryStatus(w http.ResponseWriter, r *http.Request) error {
	p, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	id, err := cardID(r)
	if err != nil {
		return err
	}
	ans, err := s.Delivery.Status(r.Context(), a.ID, id)
	if err != nil {
		return withCode(err, 10, 0)
	}
	holder := a.Holder
	if ans.Card.AccountID != a.ID { // a card with the same PAN on another account of the program
		other, err := s.Accounts.Get(r.Context(), p.Code, ans.Card.AccountID)
		if err != nil {
			return err
		}
		holder = other.Holder
	}
	out := DeliveryStatusJSON{
		DeliveryMethodCode: ans.Card.DeliveryMethod, DeliveryMethod: delivery.MethodText(ans.Card.DeliveryMethod),
		DeliveryStatusCode: string(ans.Status), DeliveryStatus: ans.Status.Text(),
		ShippedDate: deliveryTime(ans.ShippedAt), EstimatedArrivalDate: deliveryTime(ans.EstimatedArrival),
		Last4Pan: ans.Card.Last4, BIN: ans.Card.BIN, CardHolderName: holder.FirstName + " " + holder.LastName,
		ProductMaterialType: ans.Material, EmbossType: ans.Card.EmbossType,
		ResponseDetails: Detail(0, 0, "API operation was successful."), // the page's sample
	}
	if ans.TrackingNumber != "" {
		out.TrackingNumber = &ans.TrackingNumber
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// DeliveryEventJSON is one delivery event in the operator API.
type DeliveryEventJSON struct {
	DeliveryStatusCode string    `json:"deliveryStatusCode"`
	TrackingNumber     string    `json:"trackingNumber,omitempty"`
	OccurredAt         time.Time `json:"occurredAt"`
	ReceivedAt         time.Time `json:"receivedAt"`
}

func eventJSON(e delivery.Event) DeliveryEventJSON {
	return DeliveryEventJSON{DeliveryStatusCode: string(e.Status), TrackingNumber: e.TrackingNumber,
		OccurredAt: e.OccurredAt, ReceivedAt: e.ReceivedAt}
}

// adminRecordDeliveryEvent receives one event of the card processor's feed:
// 201 when new, 200 with the stored event when it is a replay.
func (s *Server) adminRecordDeliveryEvent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DeliveryStatusCode string `json:"deliveryStatusCode"`
		TrackingNumber     string `json:"trackingNumber"`
		OccurredAt         string `json:"occurredAt"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var at time.Time
	if in.OccurredAt != "" {
		var err error
		if at, err = time.Parse(time.RFC3339Nano, in.OccurredAt); err != nil {
			return apperr.Field("occurredAt", "occurredAt must be an RFC 3339 date-time")
		}
	}
	accountID, id, err := s.adminCard(r)
	if err != nil {
		return err
	}
	e, created, err := s.Delivery.Record(r.Context(), accountID, id, delivery.EventInput{
		Status: in.DeliveryStatusCode, TrackingNumber: in.TrackingNumber, OccurredAt: at})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, eventJSON(e))
	return nil
}

// DeliveryHistoryJSON is a card's fulfilment record and every event received.
type DeliveryHistoryJSON struct {
	PaymentInstrumentIdentifier string              `json:"paymentInstrumentIdentifier"`
	DeliveryMethodCode          string              `json:"deliveryMethodCode"`
	EmbossType                  string              `json:"embossType,omitempty"`
	ProductMaterialType         string              `json:"productMaterialType"`
	Events                      []DeliveryEventJSON `json:"events"`
}

func (s *Server) adminListDeliveryEvents(w http.ResponseWriter, r *http.Request) error {
	accountID, id, err := s.adminCard(r)
	if err != nil {
		return err
	}
	sh, err := s.Delivery.History(r.Context(), accountID, id)
	if err != nil {
		return err
	}
	out := DeliveryHistoryJSON{PaymentInstrumentIdentifier: sh.Card.ID, DeliveryMethodCode: sh.Card.DeliveryMethod,
		EmbossType: sh.Card.EmbossType, ProductMaterialType: sh.Fulfilment.Material, Events: []DeliveryEventJSON{}}
	if out.ProductMaterialType == "" {
		out.ProductMaterialType = "pvc"
	}
	for _, e := range sh.Events {
		out.Events = append(out.Events, eventJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
