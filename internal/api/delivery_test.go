package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/delivery"
)

func cardPath(s apitest.Seed, cardID string) string {
	return "/programs/" + s.ProgramCode + "/accounts/" + s.AccountID + "/paymentInstruments/" + cardID
}

func deliveryEvent(t *testing.T, e *apitest.Env, s apitest.Seed, cardID, status string, at time.Time, tracking string, want int) {
	t.Helper()
	body := map[string]any{"deliveryStatusCode": status, "occurredAt": at.Format(time.RFC3339Nano)}
	if tracking != "" {
		body["trackingNumber"] = tracking
	}
	e.Admin("POST", "/admin/v1"+cardPath(s, cardID)+"/deliveryEvents", body).Want(t, want)
}

func deliveryStatus(t *testing.T, e *apitest.Env, s apitest.Seed, cardID string) map[string]any {
	t.Helper()
	return e.Partner("GET", cardPath(s, cardID)+"/deliveryStatus", nil).Want(t, http.StatusOK).JSON(t)
}

func wantDetail(t *testing.T, body map[string]any, code, sub int, desc string) {
	t.Helper()
	d := body["responseDetails"].([]any)[0].(map[string]any)
	if d["code"] != float64(code) || d["subCode"] != float64(sub) || d["description"] != desc {
		t.Fatalf("responseDetails = %v, want %d/%d %q", d, code, sub, desc)
	}
}

func TestDeliveryStatusLifecycle(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		// No delivery data yet: 11/1200, HTTP 200 (a business answer).
		body := deliveryStatus(t, e, s, s.CardID)
		wantDetail(t, body, 11, 1200, "Delivery status not available yet")
		if len(body) != 1 {
			t.Fatalf("11/1200 must carry only responseDetails: %v", body)
		}

		now := e.Clock.Now().Truncate(time.Microsecond)
		// Events arrive out of order; the latest by time decides.
		deliveryEvent(t, e, s, s.CardID, "inTransit", now.Add(2*time.Hour), "TRK-2", http.StatusCreated)
		deliveryEvent(t, e, s, s.CardID, "ordered", now.Add(time.Minute), "", http.StatusCreated)
		deliveryEvent(t, e, s, s.CardID, "shipped", now.Add(time.Hour), "TRK-1", http.StatusCreated)
		// The same event again is a replay (200), with another tracking number a conflict.
		deliveryEvent(t, e, s, s.CardID, "shipped", now.Add(time.Hour), "TRK-1", http.StatusOK)
		deliveryEvent(t, e, s, s.CardID, "shipped", now.Add(time.Hour), "TRK-X", http.StatusConflict)
		// An event dated before the card was issued is kept but ignored.
		deliveryEvent(t, e, s, s.CardID, "delivered", now.Add(-time.Hour), "", http.StatusCreated)

		body = deliveryStatus(t, e, s, s.CardID)
		wantDetail(t, body, 0, 0, "API operation was successful.")
		ship := now.Add(time.Hour).UTC()
		want := map[string]any{
			"deliveryStatusCode": "inTransit", "deliveryStatus": "Card In Transit", "deliveryMethodCode": "reg",
			"deliveryMethod": "Regular", "trackingNumber": "TRK-2", "shippedDate": ship.Format(time.RFC3339Nano),
			"cardHolderName": "Jack White", "last4Pan": s.PAN[12:], "bin": "499998", "productMaterialType": "pvc",
			"estimatedArrivalDate": delivery.Calendar{SkipHolidays: true}.AddBusinessDays(ship, 8).Format(time.RFC3339),
		}
		for k, v := range want {
			if body[k] != v {
				t.Errorf("%s = %v, want %v", k, body[k], v)
			}
		}

		// The operator history keeps every event, ignored ones included.
		var hist struct{ Events []map[string]any }
		e.Admin("GET", "/admin/v1"+cardPath(s, s.CardID)+"/deliveryEvents", nil).Want(t, http.StatusOK).Decode(t, &hist)
		if len(hist.Events) != 4 {
			t.Fatalf("history has %d events, want 4", len(hist.Events))
		}

		// Activation: "activated", no estimated arrival.
		e.Admin("PATCH", "/admin/v1"+cardPath(s, s.CardID), map[string]any{"status": "activated"}).Want(t, http.StatusOK)
		body = deliveryStatus(t, e, s, s.CardID)
		if body["deliveryStatusCode"] != "activated" || body["deliveryStatus"] != "Card Received and Activated" ||
			body["estimatedArrivalDate"] != nil {
			t.Fatalf("activated card: %v", body)
		}

		// 60 days after the card went to fulfilment nothing is answered.
		e.Clock.Advance(59 * 24 * time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		wantDetail(t, deliveryStatus(t, e, s, s.CardID), 0, 0, "API operation was successful.")
		e.Clock.Advance(2 * 24 * time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		wantDetail(t, deliveryStatus(t, e, s, s.CardID), 11, 1200, "Delivery status not available yet")
	})
}

func TestDeliveryEstimateSkipsHolidays(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		// Issue the card on Friday 20 December 2024; it ships Monday the 23rd.
		issue := time.Date(2024, 12, 20, 10, 0, 0, 0, time.UTC)
		e.Clock.Advance(issue.Sub(e.Clock.Now()))
		s := e.Seed()
		var c struct{ PaymentInstrumentIdentifier string }
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/paymentInstruments",
			map[string]any{"deliveryMethod": "exp", "material": "metal"}).Want(t, http.StatusCreated).Decode(t, &c)
		ship := time.Date(2024, 12, 23, 15, 30, 0, 0, time.UTC)
		e.Clock.Advance(4 * 24 * time.Hour)
		deliveryEvent(t, e, s, s.CardID, "shipped", ship, "", http.StatusCreated)
		deliveryEvent(t, e, s, c.PaymentInstrumentIdentifier, "shipped", ship, "", http.StatusCreated)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		// Regular, 8 business days: 24, 26, 27, 30, 31 Dec, 2, 3, 6 Jan
		// (Christmas and New Year's Day skipped).
		body := deliveryStatus(t, e, s, s.CardID)
		if body["estimatedArrivalDate"] != "2025-01-06T00:00:00Z" || body["shippedDate"] != "2024-12-23T15:30:00Z" {
			t.Fatalf("regular across the holidays: %v", body)
		}
		// Expedited, 3 business days: 24, 26, 27 Dec.
		body = deliveryStatus(t, e, s, c.PaymentInstrumentIdentifier)
		if body["estimatedArrivalDate"] != "2024-12-27T00:00:00Z" || body["deliveryMethod"] != "Expedited" ||
			body["productMaterialType"] != "metal" {
			t.Fatalf("expedited across Christmas: %v", body)
		}
	})
}

func TestDeliveryMostRecentlyShippedCardWithThePAN(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		now := e.Clock.Now()
		deliveryEvent(t, e, s, s.CardID, "shipped", now.Add(time.Minute), "OLD", http.StatusCreated)
		e.Clock.Advance(30 * time.Minute)
		// A replacement with the same PAN, shipped later.
		var c struct{ PaymentInstrumentIdentifier string }
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/paymentInstruments",
			map[string]any{"pan": s.PAN, "embossType": "REP"}).Want(t, http.StatusCreated).Decode(t, &c)
		deliveryEvent(t, e, s, c.PaymentInstrumentIdentifier, "shipped", now.Add(2*time.Hour), "NEW", http.StatusCreated)
		// Asked through the old card, the answer is the replacement's.
		body := deliveryStatus(t, e, s, s.CardID)
		if body["trackingNumber"] != "NEW" || body["embossType"] != "REP" {
			t.Fatalf("want the replacement's delivery: %v", body)
		}
		// Unknown card: 404 10/0; not a UUID: 400 10/10; another partner: 401.
		r := e.Partner("GET", cardPath(s, "6287287e-b79f-4458-8830-cc5edd9d7378")+"/deliveryStatus", nil).Want(t, http.StatusNotFound)
		wantDetail(t, r.JSON(t), 10, 0, "payment instrument not found")
		e.Partner("GET", cardPath(s, "nope")+"/deliveryStatus", nil).Want(t, http.StatusBadRequest)
		e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		e.Partner("GET", cardPath(s, s.CardID)+"/deliveryStatus", nil).Want(t, http.StatusUnauthorized)
	})
}

func TestDeliveryEventValidation(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		path := "/admin/v1" + cardPath(s, s.CardID) + "/deliveryEvents"
		now := e.Clock.Now().Format(time.RFC3339)
		for _, body := range []map[string]any{
			{"deliveryStatusCode": "lost", "occurredAt": now},
			{"deliveryStatusCode": "activated", "occurredAt": now},
			{"deliveryStatusCode": "shipped"},
			{"deliveryStatusCode": "shipped", "occurredAt": "yesterday"},
			{"deliveryStatusCode": "shipped", "occurredAt": e.Clock.Now().Add(72 * time.Hour).Format(time.RFC3339)},
		} {
			e.Admin("POST", path, body).Want(t, http.StatusBadRequest)
		}
		var v struct{ PaymentInstrumentIdentifier string }
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/paymentInstruments",
			map[string]any{"type": "virtual"}).Want(t, http.StatusCreated).Decode(t, &v)
		e.Admin("POST", "/admin/v1"+cardPath(s, v.PaymentInstrumentIdentifier)+"/deliveryEvents",
			map[string]any{"deliveryStatusCode": "shipped", "occurredAt": now}).Want(t, http.StatusConflict)
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/paymentInstruments",
			map[string]any{"material": "wood"}).Want(t, http.StatusBadRequest)
	})
}

// The issue time keeps sub-seconds while the feed sends whole seconds: an
// event in the issue's second counts, one in the second before is ignored.
func TestDeliveryEventInTheIssueSecond(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		now := e.Clock.Now()
		e.Clock.Advance(time.Second - time.Duration(now.Nanosecond()) + 500*time.Millisecond) // issue at about .5 s
		var c struct {
			PaymentInstrumentIdentifier string
			IssuedAt                    time.Time
		}
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/paymentInstruments", map[string]any{}).
			Want(t, http.StatusCreated).Decode(t, &c)
		if c.IssuedAt.Nanosecond() == 0 {
			t.Fatalf("issuedAt %v has no sub-seconds", c.IssuedAt)
		}
		second := c.IssuedAt.Truncate(time.Second)
		deliveryEvent(t, e, s, c.PaymentInstrumentIdentifier, "ordered", second.Add(-time.Second), "", http.StatusCreated)
		wantDetail(t, deliveryStatus(t, e, s, c.PaymentInstrumentIdentifier), 11, 1200, "Delivery status not available yet")
		deliveryEvent(t, e, s, c.PaymentInstrumentIdentifier, "printing", second, "", http.StatusCreated)
		body := deliveryStatus(t, e, s, c.PaymentInstrumentIdentifier)
		wantDetail(t, body, 0, 0, "API operation was successful.")
		if body["deliveryStatusCode"] != "printing" {
			t.Fatalf("the event in the issue's second was dropped: %v", body)
		}
	})
}
