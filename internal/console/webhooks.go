package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// A program's webhook subscriptions: each with its delivery log (newest
// first, by cursor), a delivery with its payload and every attempt, and
// the operator's actions, all through webhook.Service like the operator
// API: create, change, rotate the secret, test, delete (webhooks.manage),
// redeliver one and replay failed ones or a time range (webhooks.replay).

// webhookData is a subscription's page.
type webhookData struct {
	ProgramCode string
	Sub         webhook.Subscription
	Secret      string // after creation or rotation: shown once
	EventTypes  []string
	Has         map[string]bool
	Status      string // the log's status filter
	Deliveries  []webhook.Delivery
	Before      string
	Next        string
	From, To    string // the replay form's range (YYYY-MM-DD)
}

// webhookStatuses are the delivery log's status filters.
var webhookStatuses = []string{webhook.Pending, webhook.Delivered, webhook.Failed}

func (c *Console) webhookView(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.webhookPage(w, r, v, http.StatusOK, "")
}

// webhookPage renders a subscription with a page of its delivery log
// (?status=, ?before=).
func (c *Console) webhookPage(w http.ResponseWriter, r *http.Request, v *view, status int, secret string) error {
	code, id := r.PathValue("programCode"), r.PathValue("webhookId")
	sub, err := c.Webhooks.Get(r.Context(), code, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &webhookData{ProgramCode: code, Sub: sub, Secret: secret, EventTypes: webhook.EventTypes,
		Has: map[string]bool{}, Status: q.Get("status"), Before: q.Get("before")}
	for _, t := range sub.EventTypes {
		d.Has[t] = true
	}
	if d.Status != "" && !slices.Contains(webhookStatuses, d.Status) {
		return apperr.E(apperr.Invalid, "Filter by pending, delivered or failed.")
	}
	f := webhook.Filter{ProgramCode: code, SubscriptionID: id, Status: d.Status, Limit: pageSize}
	before, err := parseCursor(d.Before)
	if err != nil {
		return err
	}
	if before != nil {
		f.Before = &webhook.Position{At: before.At, ID: before.ID}
	}
	if d.Deliveries, err = c.Webhooks.Deliveries(r.Context(), f); err != nil {
		return err
	}
	if len(d.Deliveries) == pageSize {
		last := d.Deliveries[len(d.Deliveries)-1]
		d.Next = cursor(last.CreatedAt, last.ID)
	}
	v.Title, v.Data = "Webhook "+sub.URL, d
	return c.render(w, r, status, "webhook", v)
}

// createWebhook subscribes an endpoint to the program's events; its
// signing secret is shown once, on the answer to this request.
func (c *Console) createWebhook(w http.ResponseWriter, r *http.Request, v *view) error {
	code := r.PathValue("programCode")
	r.ParseForm()
	retries := r.PostFormValue("retries") == "on"
	sub, secret, err := c.Webhooks.Create(r.Context(), code, webhook.Input{URL: strings.TrimSpace(r.PostFormValue("url")),
		EventTypes: nonNil(r.PostForm["eventTypes"]), Retries: &retries})
	if err != nil {
		v.Error = message(err)
		return c.programPage(w, r, v, statusOf(err))
	}
	r.SetPathValue("webhookId", sub.ID)
	v.Flash = "Subscription created. Give its signing secret to the partner now: it is not shown again."
	return c.webhookPage(w, r, v, http.StatusCreated, secret)
}

// changeWebhook is a subscription's actions: save (URL, event types,
// retries), enable, disable, rotate (a new secret, shown once; the old
// one keeps signing for a day), test and delete.
func (c *Console) changeWebhook(w http.ResponseWriter, r *http.Request, v *view) error {
	code, id := r.PathValue("programCode"), r.PathValue("webhookId")
	page := "/console/programs/" + code + "/webhooks/" + id
	ctx := r.Context()
	var err error
	var done string
	switch r.PostFormValue("action") {
	case "save":
		u, types := strings.TrimSpace(r.PostFormValue("url")), nonNil(r.PostForm["eventTypes"])
		retries := r.PostFormValue("retries") == "on"
		_, err = c.Webhooks.Update(ctx, code, id, webhook.Patch{URL: &u, EventTypes: &types, Retries: &retries})
		done = "Subscription saved."
	case "enable", "disable":
		on := r.PostFormValue("action") == "enable"
		_, err = c.Webhooks.Update(ctx, code, id, webhook.Patch{Enabled: &on})
		done = map[bool]string{true: "Subscription enabled.", false: "Subscription disabled: its pending deliveries failed and can be replayed."}[on]
	case "rotate":
		_, secret, err := c.Webhooks.Rotate(ctx, code, id)
		if err != nil {
			return err
		}
		v.Flash = "New signing secret made; the old one also signs for the next 24 hours. Give it to the partner now: it is not shown again."
		return c.webhookPage(w, r, v, http.StatusOK, secret)
	case "test":
		_, err = c.Webhooks.Test(ctx, code, id, r.PostFormValue("eventType"))
		done = "Test event queued: it appears in the delivery log."
	case "delete":
		if err = c.Webhooks.Delete(ctx, code, id); err == nil {
			return c.redirect(w, r, "/console/programs/"+code+"#webhooks", "Subscription deleted with its delivery log.")
		}
	default:
		err = apperr.E(apperr.Invalid, "Unknown action.")
	}
	if err != nil {
		v.Error = message(err)
		return c.webhookPage(w, r, v, statusOf(err), "")
	}
	return c.redirect(w, r, page, done)
}

// replayWebhook sends again a subscription's failed deliveries, or every
// delivered or failed one of events in a range of days (to inclusive).
func (c *Console) replayWebhook(w http.ResponseWriter, r *http.Request, v *view) error {
	code, id := r.PathValue("programCode"), r.PathValue("webhookId")
	rp := webhook.Replay{ProgramCode: code, SubscriptionID: id, FailedOnly: r.PostFormValue("which") != "range"}
	if !rp.FailedOnly {
		from, err1 := time.Parse("2006-01-02", r.PostFormValue("from"))
		to, err2 := time.Parse("2006-01-02", r.PostFormValue("to"))
		if err1 != nil || err2 != nil {
			v.Error = "Give both days as YYYY-MM-DD."
			return c.webhookPage(w, r, v, http.StatusBadRequest, "")
		}
		rp.From, rp.To = from, to.AddDate(0, 0, 1)
	}
	n, err := c.Webhooks.Replay(r.Context(), rp)
	if err != nil {
		v.Error = message(err)
		return c.webhookPage(w, r, v, statusOf(err), "")
	}
	sent := fmt.Sprintf("%d deliveries sent again.", n)
	if n == 1 {
		sent = "1 delivery sent again."
	}
	return c.redirect(w, r, "/console/programs/"+code+"/webhooks/"+id, sent)
}

// deliveryData is a delivery's page.
type deliveryData struct {
	ProgramCode string
	Delivery    webhook.Delivery
	Payload     string // the event as sent, indented
	Attempts    []webhook.Attempt
}

func (c *Console) deliveryView(w http.ResponseWriter, r *http.Request, v *view) error {
	code := r.PathValue("programCode")
	d, payload, attempts, err := c.Webhooks.Delivery(r.Context(), code, r.PathValue("deliveryId"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if json.Indent(&buf, payload, "", "  ") != nil {
		buf.Reset()
		buf.Write(payload)
	}
	v.Title, v.Data = "Webhook delivery", deliveryData{ProgramCode: code, Delivery: d, Payload: buf.String(), Attempts: attempts}
	return c.render(w, r, http.StatusOK, "delivery", v)
}

// redeliver sends one delivery again now, with a fresh retry schedule.
func (c *Console) redeliver(w http.ResponseWriter, r *http.Request, v *view) error {
	code, id := r.PathValue("programCode"), r.PathValue("deliveryId")
	if _, err := c.Webhooks.Redeliver(r.Context(), code, id); err != nil {
		return err
	}
	return c.redirect(w, r, "/console/programs/"+code+"/webhookDeliveries/"+id, "Delivery queued to be sent again.")
}
