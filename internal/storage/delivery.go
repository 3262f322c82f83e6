package storage

import (
	"context"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/delivery"
)

// DeliveryStore implements delivery.Store: card fulfilment and delivery
// events.
type DeliveryStore struct {
	db *DB
	// Settings are the delivery rules the mailTracking webhook's
	// estimated arrival is computed with (nil: delivery.DefaultSettings).
	Settings *delivery.Settings
}

// NewDeliveryStore returns the delivery store over db.
func NewDeliveryStore(db *DB) *DeliveryStore { return &DeliveryStore{db: db} }

var _ delivery.Store = (*DeliveryStore)(nil)

// CreateFulfilment implements delivery.Store.
func (s *DeliveryStore) CreateFulfilment(ctx context.Context, f delivery.Fulfilment) (err error) {
	defer apperr.Op(&err, "storage.DeliveryStore.CreateFulfilment(%s)", f.CardID)
	_, err = s.db.Exec(ctx, `INSERT INTO card_fulfilments (card_id, material, created_at) VALUES (?, ?, ?)
		ON CONFLICT (card_id) DO NOTHING`, f.CardID, f.Material, Micros(f.CreatedAt))
	return err
}

// RecordEvent implements delivery.Store.
func (s *DeliveryStore) RecordEvent(ctx context.Context, e delivery.Event) (_ delivery.Event, _ bool, err error) {
	defer apperr.Op(&err, "storage.DeliveryStore.RecordEvent(%s)", e.CardID)
	created := false
	err = s.db.Tx(ctx, func(tx *Tx) error {
		created = false
		if _, err := tx.Exec(ctx, `INSERT INTO card_fulfilments (card_id, material, created_at)
			SELECT id, 'pvc', issued_at FROM cards WHERE id = ? ON CONFLICT (card_id) DO NOTHING`, e.CardID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO card_delivery_events (card_id, status, occurred_at, tracking_number, received_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (card_id, status, occurred_at) DO NOTHING`,
			e.CardID, string(e.Status), Micros(e.OccurredAt), e.TrackingNumber, Micros(e.ReceivedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		if !created {
			return nil
		}
		return tx.emitMailTracking(ctx, e.CardID, e.ReceivedAt, s.settings())
	})
	if err != nil || created {
		return e, created, err
	}
	var first delivery.Event
	var occurred, received int64
	err = s.db.QueryRow(ctx, `SELECT card_id, status, occurred_at, tracking_number, received_at FROM card_delivery_events
		WHERE card_id = ? AND status = ? AND occurred_at = ?`, e.CardID, string(e.Status), Micros(e.OccurredAt)).
		Scan(&first.CardID, &first.Status, &occurred, &first.TrackingNumber, &received)
	if err != nil {
		return e, false, err
	}
	first.OccurredAt, first.ReceivedAt = Time(occurred), Time(received)
	if first.TrackingNumber != e.TrackingNumber {
		return first, false, &apperr.Error{Kind: apperr.Conflict, Reason: "DELIVERY_EVENT_CONFLICT", Field: "trackingNumber",
			Message: "this card already has this event at this time with another trackingNumber"}
	}
	return first, false, nil
}

// CardsSharingPAN implements delivery.Store: the PAN is never opened, the
// keyed indexes are compared.
func (s *DeliveryStore) CardsSharingPAN(ctx context.Context, programCode, cardID string) (_ []card.Card, err error) {
	defer apperr.Op(&err, "storage.DeliveryStore.CardsSharingPAN(%s, %s)", programCode, cardID)
	return s.db.cards(ctx, `SELECT `+cardCols+` FROM cards WHERE program_code = ?
		AND pan_index = (SELECT pan_index FROM cards WHERE id = ?) ORDER BY issued_at DESC, id DESC`, programCode, cardID)
}

// Shipments implements delivery.Store.
func (s *DeliveryStore) Shipments(ctx context.Context, cards []card.Card) (_ []delivery.Shipment, err error) {
	defer apperr.Op(&err, "storage.DeliveryStore.Shipments()")
	return shipments(ctx, s.db, cards)
}

// shipments reads the fulfilment records and events of cards (in a
// transaction, or not).
func shipments(ctx context.Context, q reader, cards []card.Card) ([]delivery.Shipment, error) {
	if len(cards) == 0 {
		return nil, nil
	}
	out := make([]delivery.Shipment, len(cards))
	pos := map[string]int{}
	args := make([]any, len(cards))
	for i, c := range cards {
		out[i].Card, pos[c.ID], args[i] = c, i, c.ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cards)), ", ") + ")"
	rows, err := q.Query(ctx, `SELECT card_id, material, created_at FROM card_fulfilments WHERE card_id IN `+in, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var f delivery.Fulfilment
		var created int64
		if err := rows.Scan(&f.CardID, &f.Material, &created); err != nil {
			rows.Close()
			return nil, err
		}
		f.CreatedAt = Time(created)
		out[pos[f.CardID]].Fulfilment = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT card_id, status, occurred_at, tracking_number, received_at FROM card_delivery_events
		WHERE card_id IN `+in+` ORDER BY occurred_at, received_at`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e delivery.Event
		var occurred, received int64
		if err := rows.Scan(&e.CardID, &e.Status, &occurred, &e.TrackingNumber, &received); err != nil {
			return nil, err
		}
		e.OccurredAt, e.ReceivedAt = Time(occurred), Time(received)
		i := pos[e.CardID]
		out[i].Events = append(out[i].Events, e)
	}
	return out, rows.Err()
}
