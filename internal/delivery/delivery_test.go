package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/card"
)

var t0 = time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC) // a Monday

func physical(id string, issued time.Time, st card.Status, method string) card.Card {
	return card.Card{ID: id, Type: "physical", Status: st, DeliveryMethod: method, IssuedAt: issued, Last4: "7040", BIN: "499998"}
}

func ev(id string, st Status, at time.Time, tracking string) Event {
	return Event{CardID: id, Status: st, OccurredAt: at, TrackingNumber: tracking}
}

func TestTrack(t *testing.T) {
	t.Parallel()
	h := time.Hour
	d := 24 * h
	s := DefaultSettings()
	tests := []struct {
		name      string
		shipments []Shipment
		now       time.Time
		wantErr   error
		wantCard  string
		want      Status
		wantShip  *time.Time
		wantETA   string // date, "" for none
		tracking  string
	}{
		{name: "no data yet", now: t0.Add(d), wantErr: ErrNotAvailable,
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg")}}},
		{name: "virtual cards are never tracked", now: t0.Add(d), wantErr: ErrNotAvailable,
			shipments: []Shipment{{Card: card.Card{ID: "v", Type: "virtual", IssuedAt: t0},
				Events: []Event{ev("v", Shipped, t0.Add(h), "")}}}},
		{name: "printing", now: t0.Add(d), wantCard: "a", want: Printing,
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg"),
				Events: []Event{ev("a", Ordered, t0, ""), ev("a", Printing, t0.Add(h), "")}}}},
		{name: "out of order: the latest by time wins, not the latest received", now: t0.Add(5 * d), wantCard: "a",
			want: InTransit, wantShip: ptr(t0.Add(d)), wantETA: "2024-03-15", tracking: "TRK2",
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg"), Events: []Event{
				ev("a", InTransit, t0.Add(2*d), "TRK2"), ev("a", Ordered, t0, ""), ev("a", Shipped, t0.Add(d), "TRK1"),
				ev("a", Printing, t0.Add(h), "")}}}},
		{name: "same time: the later stage wins", now: t0.Add(d), wantCard: "a", want: Shipped,
			wantShip: ptr(t0.Add(h)), wantETA: "2024-03-07",
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "exp"), Events: []Event{
				ev("a", Shipped, t0.Add(h), ""), ev("a", Printing, t0.Add(h), "")}}}},
		{name: "delivered has no estimate", now: t0.Add(9 * d), wantCard: "a", want: Delivered, wantShip: ptr(t0.Add(d)),
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg"), Events: []Event{
				ev("a", Shipped, t0.Add(d), ""), ev("a", Delivered, t0.Add(8*d), "")}}}},
		{name: "events before the issue date are ignored", now: t0.Add(d), wantErr: ErrNotAvailable,
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg"),
				Events: []Event{ev("a", Shipped, t0.Add(-h), "OLD")}}}},
		{name: "events before the issue date do not count", now: t0.Add(d), wantCard: "a", want: Printing,
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg"),
				Events: []Event{ev("a", Delivered, t0.Add(-h), "OLD"), ev("a", Printing, t0.Add(h), "")}}}},
		{name: "an event in the issue's second counts (issue time has sub-seconds, the feed whole seconds)",
			now: t0.Add(d), wantCard: "a", want: Ordered,
			shipments: []Shipment{{Card: physical("a", t0.Add(700*time.Millisecond), card.NotActivated, "reg"),
				Events: []Event{ev("a", Ordered, t0, "")}}}},
		{name: "an event in the second before the issue's is ignored", now: t0.Add(d), wantErr: ErrNotAvailable,
			shipments: []Shipment{{Card: physical("a", t0.Add(700*time.Millisecond), card.NotActivated, "reg"),
				Events: []Event{ev("a", Ordered, t0.Add(-time.Second), "")}}}},
		{name: "activated", now: t0.Add(10 * d), wantCard: "a", want: Activated, wantShip: ptr(t0.Add(d)),
			shipments: []Shipment{{Card: physical("a", t0, card.Activated, "reg"),
				Events: []Event{ev("a", Shipped, t0.Add(d), "")}}}},
		{name: "activated without any event", now: t0.Add(d), wantCard: "a", want: Activated,
			shipments: []Shipment{{Card: physical("a", t0, card.Activated, "reg")}}},
		{name: "day 60 is answered", now: t0.Add(60 * d), wantCard: "a", want: Delivered, wantShip: ptr(t0.Add(d)),
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg"),
				Events: []Event{ev("a", Shipped, t0.Add(d), ""), ev("a", Delivered, t0.Add(5*d), "")}}}},
		{name: "after 60 days nothing is answered", now: t0.Add(60*d + time.Second), wantErr: ErrNotAvailable,
			shipments: []Shipment{{Card: physical("a", t0, card.Activated, "reg"),
				Events: []Event{ev("a", Shipped, t0.Add(d), "")}}}},
		{name: "the most recently shipped card with the PAN", now: t0.Add(20 * d), wantCard: "new", want: Shipped,
			wantShip: ptr(t0.Add(16 * d)), wantETA: "2024-04-01",
			shipments: []Shipment{
				{Card: physical("new", t0.Add(15*d), card.NotActivated, "reg"), Events: []Event{ev("new", Shipped, t0.Add(16*d), "")}},
				{Card: physical("old", t0, card.Activated, "reg"), Events: []Event{ev("old", Shipped, t0.Add(d), "")}},
			}},
		{name: "a replacement ordered after the old card shipped", now: t0.Add(20 * d), wantCard: "new", want: Ordered,
			shipments: []Shipment{
				{Card: physical("new", t0.Add(15*d), card.NotActivated, "reg"), Events: []Event{ev("new", Ordered, t0.Add(15*d), "")}},
				{Card: physical("old", t0, card.Activated, "reg"), Events: []Event{ev("old", Shipped, t0.Add(d), "")}},
			}},
		{name: "a newer card with no data leaves the shipped one answered", now: t0.Add(20 * d), wantCard: "old", want: Activated,
			wantShip: ptr(t0.Add(d)),
			shipments: []Shipment{
				{Card: physical("new", t0.Add(15*d), card.NotActivated, "reg")},
				{Card: physical("old", t0, card.Activated, "reg"), Events: []Event{ev("old", Shipped, t0.Add(d), "")}},
			}},
		{name: "returned then shipped again: the latest shipment", now: t0.Add(30 * d), wantCard: "a", want: Shipped,
			wantShip: ptr(t0.Add(20 * d)), wantETA: "2024-04-03",
			shipments: []Shipment{{Card: physical("a", t0, card.NotActivated, "reg"), Events: []Event{
				ev("a", Shipped, t0.Add(d), ""), ev("a", Returned, t0.Add(10*d), ""), ev("a", Shipped, t0.Add(20*d), "")}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Track(tc.shipments, tc.now, s)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Card.ID != tc.wantCard || a.Status != tc.want {
				t.Fatalf("card %s status %s, want card %s status %s", a.Card.ID, a.Status, tc.wantCard, tc.want)
			}
			if !eqTime(a.ShippedAt, tc.wantShip) {
				t.Fatalf("shipped %v, want %v", a.ShippedAt, tc.wantShip)
			}
			gotETA := ""
			if a.EstimatedArrival != nil {
				gotETA = a.EstimatedArrival.Format(time.DateOnly)
			}
			if gotETA != tc.wantETA {
				t.Fatalf("estimated arrival %q, want %q", gotETA, tc.wantETA)
			}
			if a.TrackingNumber != tc.tracking {
				t.Fatalf("tracking %q, want %q", a.TrackingNumber, tc.tracking)
			}
		})
	}
}

func ptr(t time.Time) *time.Time { return &t }

func eqTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func TestParseStatusAndMaterial(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"ordered", "printing", "shipped", "inTransit", "delivered", "returned"} {
		if _, err := ParseStatus(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "activated", "Shipped", "lost"} {
		if _, err := ParseStatus(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if m, err := ParseMaterial(""); err != nil || m != "pvc" {
		t.Errorf("default material = %q, %v", m, err)
	}
	if _, err := ParseMaterial("wood"); err == nil {
		t.Error("wood accepted")
	}
}
