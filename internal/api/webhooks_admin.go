package api

import (
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/webhook"
)

func (s *Server) webhookRoutes(mux *router) {
	const subs = "/admin/v1/programs/{programCode}/webhooks"
	const one = subs + "/{webhookId}"
	const dels = "/admin/v1/programs/{programCode}/webhookDeliveries"
	mux.Handle("POST "+subs, s.admin(s.adminCreateWebhook))
	mux.Handle("GET "+subs, s.admin(s.adminListWebhooks))
	mux.Handle("GET "+one, s.admin(s.adminGetWebhook))
	mux.Handle("PATCH "+one, s.admin(s.adminPatchWebhook))
	mux.Handle("DELETE "+one, s.admin(s.adminDeleteWebhook))
	mux.Handle("POST "+one+"/secrets", s.admin(s.adminRotateWebhookSecret))
	mux.Handle("POST "+one+"/test", s.admin(s.adminTestWebhook))
	mux.Handle("POST "+one+"/replay", s.admin(s.adminReplayWebhook))
	mux.Handle("GET "+dels, s.admin(s.adminListDeliveries))
	mux.Handle("GET "+dels+"/{deliveryId}", s.admin(s.adminGetDelivery))
	mux.Handle("POST "+dels+"/{deliveryId}/redeliver", s.admin(s.adminRedeliver))
}

// WebhookJSON is the operator view of a subscription. Secret is set only
// when it is created and when its secret is rotated.
type WebhookJSON struct {
	WebhookID      string     `json:"webhookId"`
	ProgramCode    string     `json:"programCode"`
	URL            string     `json:"url"`
	EventTypes     []string   `json:"eventTypes"`
	Enabled        bool       `json:"enabled"`
	Retries        bool       `json:"retries"`
	DisabledReason string     `json:"disabledReason,omitempty"`
	DisabledAt     *time.Time `json:"disabledAt,omitempty"`
	FailingSince   *time.Time `json:"failingSince,omitempty"`
	// PreviousSecretUntil is when the secret replaced by the last rotation
	// stops signing.
	PreviousSecretUntil *time.Time `json:"previousSecretUntil,omitempty"`
	Secret              string     `json:"secret,omitempty"`
	CreatedAt           time.Time  `json:"createdAt"`
	UpdatedAt           time.Time  `json:"updatedAt"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// WebhookView is the operator view of a subscription (API and CLI alike).
func WebhookView(w webhook.Subscription) WebhookJSON {
	return WebhookJSON{WebhookID: w.ID, ProgramCode: w.ProgramCode, URL: w.URL, EventTypes: w.EventTypes,
		Enabled: w.Enabled, Retries: w.Retries, DisabledReason: w.DisabledReason, DisabledAt: optTime(w.DisabledAt),
		FailingSince: optTime(w.FailingSince), PreviousSecretUntil: optTime(w.PreviousUntil),
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// WebhookInput is the body of POST .../webhooks.
type WebhookInput struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"eventTypes"`
	Enabled    *bool    `json:"enabled"`
	Retries    *bool    `json:"retries"`
}

func (s *Server) adminCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in WebhookInput
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	sub, secret, err := s.Webhooks.Create(r.Context(), p.Code, webhook.Input{URL: in.URL, EventTypes: in.EventTypes,
		Enabled: in.Enabled, Retries: in.Retries})
	if err != nil {
		return err
	}
	out := WebhookView(sub)
	out.Secret = secret
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) adminListWebhooks(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	subs, err := s.Webhooks.List(r.Context(), p.Code)
	if err != nil {
		return err
	}
	out := struct {
		Webhooks []WebhookJSON `json:"webhooks"`
	}{Webhooks: []WebhookJSON{}}
	for _, sub := range subs {
		out.Webhooks = append(out.Webhooks, WebhookView(sub))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookID validates {webhookId}.
func webhookID(r *http.Request) (string, error) {
	return parseUUID("webhookId", r.PathValue("webhookId"))
}

func (s *Server) adminGetWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	sub, err := s.Webhooks.Get(r.Context(), r.PathValue("programCode"), id)
	return answer(w, http.StatusOK, WebhookView, sub, err)
}

func (s *Server) adminPatchWebhook(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		URL        *string   `json:"url"`
		EventTypes *[]string `json:"eventTypes"`
		Enabled    *bool     `json:"enabled"`
		Retries    *bool     `json:"retries"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	sub, err := s.Webhooks.Update(r.Context(), r.PathValue("programCode"), id, webhook.Patch{URL: in.URL,
		EventTypes: in.EventTypes, Enabled: in.Enabled, Retries: in.Retries})
	return answer(w, http.StatusOK, WebhookView, sub, err)
}

func (s *Server) adminDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	if err := s.Webhooks.Delete(r.Context(), r.PathValue("programCode"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) adminRotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	sub, secret, err := s.Webhooks.Rotate(r.Context(), r.PathValue("programCode"), id)
	if err != nil {
		return err
	}
	out := WebhookView(sub)
	out.Secret = secret
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) adminTestWebhook(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		EventType string `json:"eventType"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	d, err := s.Webhooks.Test(r.Context(), r.PathValue("programCode"), id, in.EventType)
	return answer(w, http.StatusAccepted, DeliveryView, d, err)
}

func (s *Server) adminReplayWebhook(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		From   *time.Time `json:"from"`
		To     *time.Time `json:"to"`
		Status string     `json:"status"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	rp := webhook.Replay{ProgramCode: r.PathValue("programCode"), SubscriptionID: id}
	switch {
	case in.Status == webhook.Failed && in.From == nil && in.To == nil:
		rp.FailedOnly = true
	case in.Status != "":
		return apperr.Field("status", "status must be failed (replay every failed delivery), or give from and to instead")
	case in.From != nil && in.To != nil:
		rp.From, rp.To = in.From.UTC(), in.To.UTC()
	default:
		return apperr.Field("from", "give from and to (RFC 3339), or status failed")
	}
	n, err := s.Webhooks.Replay(r.Context(), rp)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"replayed": n})
	return nil
}
