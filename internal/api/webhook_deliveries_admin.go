package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// DeliveryJSON is the operator view of a webhook delivery.
type DeliveryJSON struct {
	DeliveryID        string     `json:"deliveryId"`
	WebhookID         string     `json:"webhookId"`
	EventIdentifier   string     `json:"eventIdentifier"`
	EventType         string     `json:"eventType"`
	AccountIdentifier string     `json:"accountIdentifier"`
	Status            string     `json:"status"`
	Test              bool       `json:"test"`
	AttemptCount      int        `json:"attemptCount"`
	NextAttemptAt     *time.Time `json:"nextAttemptAt,omitempty"`
	LastHTTPStatus    int        `json:"lastHttpStatus,omitempty"`
	LastError         string     `json:"lastError,omitempty"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	DeliveredAt       *time.Time `json:"deliveredAt,omitempty"`
}

// DeliveryView is the operator view of a delivery (API and CLI alike).
func DeliveryView(d webhook.Delivery) DeliveryJSON {
	return DeliveryJSON{DeliveryID: d.ID, WebhookID: d.SubscriptionID, EventIdentifier: d.EventID, EventType: d.EventType,
		AccountIdentifier: d.AccountID, Status: d.Status, Test: d.Test, AttemptCount: d.Attempts,
		NextAttemptAt: optTime(d.NextAttemptAt), LastHTTPStatus: d.LastStatus, LastError: d.LastError,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, DeliveredAt: optTime(d.DeliveredAt)}
}

// AttemptJSON is one attempt of a delivery.
type AttemptJSON struct {
	Attempt    int       `json:"attempt"`
	MessageID  string    `json:"messageId"`
	RequestID  string    `json:"requestId"`
	At         time.Time `json:"at"`
	HTTPStatus int       `json:"httpStatus"`
	LatencyMS  float64   `json:"latencyMs"`
	ErrorClass string    `json:"errorClass,omitempty"`
	Error      string    `json:"error,omitempty"`
	Response   string    `json:"response"`
}

// DeliveryDetailJSON is a delivery with its event as sent and its attempts.
type DeliveryDetailJSON struct {
	DeliveryJSON
	Event    json.RawMessage `json:"event"`
	Attempts []AttemptJSON   `json:"attempts"`
}

// DeliveryDetailView is the operator view of one delivery.
func DeliveryDetailView(d webhook.Delivery, event []byte, attempts []webhook.Attempt) DeliveryDetailJSON {
	out := DeliveryDetailJSON{DeliveryJSON: DeliveryView(d), Event: event, Attempts: []AttemptJSON{}}
	for _, a := range attempts {
		out.Attempts = append(out.Attempts, AttemptJSON{Attempt: a.N, MessageID: a.MessageID, RequestID: a.RequestID,
			At: a.At, HTTPStatus: a.HTTPStatus, LatencyMS: float64(a.Latency.Microseconds()) / 1000,
			ErrorClass: a.ErrorClass, Error: a.Error, Response: a.Response})
	}
	return out
}

// deliveryCursor is a page position with the filters that made it, so
// the next page keeps them.
type deliveryCursor struct {
	Webhook   string    `json:"w,omitempty"`
	EventType string    `json:"e,omitempty"`
	Account   string    `json:"a,omitempty"`
	Status    string    `json:"s,omitempty"`
	From      time.Time `json:"f,omitzero"`
	To        time.Time `json:"t,omitzero"`
	At        time.Time `json:"at"`
	ID        string    `json:"id"`
}

func (c deliveryCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errBadCursor = apperr.Field("cursor", "cursor is invalid")

// deliveryFilter parses the list's query: webhookId, eventType,
// accountIdentifier, status, from and to (RFC 3339), limit, and cursor
// (from the previous page's next: it carries that page's filters; a
// filter given with it must agree).
func deliveryFilter(r *http.Request, programCode string) (webhook.Filter, error) {
	q := r.URL.Query()
	f := webhook.Filter{ProgramCode: programCode, SubscriptionID: q.Get("webhookId"), EventType: q.Get("eventType"),
		AccountID: q.Get("accountIdentifier"), Status: q.Get("status")}
	var err error
	if f.Limit, err = queryLimit(r, 50); err != nil {
		return f, err
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			if *t.dst, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return f, apperr.Field(t.name, "%s must be an RFC 3339 date-time", t.name)
			}
		}
	}
	if f.EventType != "" && !slices.Contains(webhook.EventTypes, f.EventType) {
		return f, apperr.Field("eventType", "eventType %q is not an event type", f.EventType)
	}
	if f.Status != "" && !slices.Contains([]string{webhook.Pending, webhook.Delivered, webhook.Failed}, f.Status) {
		return f, apperr.Field("status", "status must be pending, delivered or failed")
	}
	c := q.Get("cursor")
	if c == "" {
		return f, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	var cur deliveryCursor
	if err != nil || json.Unmarshal(b, &cur) != nil || cur.ID == "" {
		return f, errBadCursor
	}
	agree := func(given, kept string) bool { return given == "" || given == kept }
	if !agree(f.SubscriptionID, cur.Webhook) || !agree(f.EventType, cur.EventType) || !agree(f.AccountID, cur.Account) ||
		!agree(f.Status, cur.Status) || !f.From.IsZero() && !f.From.Equal(cur.From) || !f.To.IsZero() && !f.To.Equal(cur.To) {
		return f, apperr.Field("cursor", "cursor was made for other filters: drop the filters or the cursor")
	}
	f.SubscriptionID, f.EventType, f.AccountID, f.Status, f.From, f.To = cur.Webhook, cur.EventType, cur.Account, cur.Status, cur.From, cur.To
	f.Before = &webhook.Position{At: cur.At, ID: cur.ID}
	return f, nil
}

// DeliveriesJSON is a page of deliveries, newest first; Next is the
// cursor of the following page (present when this one is full).
type DeliveriesJSON struct {
	Deliveries []DeliveryJSON `json:"deliveries"`
	Next       string         `json:"next,omitempty"`
}

// DeliveriesView renders a page of deliveries listed with f.
func DeliveriesView(ds []webhook.Delivery, f webhook.Filter) DeliveriesJSON {
	out := DeliveriesJSON{Deliveries: []DeliveryJSON{}}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, DeliveryView(d))
	}
	if len(ds) == f.Limit && len(ds) > 0 {
		last := ds[len(ds)-1]
		out.Next = deliveryCursor{Webhook: f.SubscriptionID, EventType: f.EventType, Account: f.AccountID, Status: f.Status,
			From: f.From, To: f.To, At: last.CreatedAt, ID: last.ID}.encode()
	}
	return out
}

func (s *Server) adminListDeliveries(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	f, err := deliveryFilter(r, p.Code)
	if err != nil {
		return err
	}
	ds, err := s.Webhooks.Deliveries(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, DeliveriesView(ds, f))
	return nil
}

// deliveryID validates {deliveryId}.
func deliveryID(r *http.Request) (string, error) {
	return parseUUID("deliveryId", r.PathValue("deliveryId"))
}

func (s *Server) adminGetDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := deliveryID(r)
	if err != nil {
		return err
	}
	d, event, attempts, err := s.Webhooks.Delivery(r.Context(), r.PathValue("programCode"), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, DeliveryDetailView(d, event, attempts))
	return nil
}

func (s *Server) adminRedeliver(w http.ResponseWriter, r *http.Request) error {
	id, err := deliveryID(r)
	if err != nil {
		return err
	}
	d, err := s.Webhooks.Redeliver(r.Context(), r.PathValue("programCode"), id)
	return answer(w, http.StatusAccepted, DeliveryView, d, err)
}
