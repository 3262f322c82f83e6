// Package audit is the audit trail: who changed what, when. Each change is
// recorded by the store in the same transaction as the change itself; this
// package describes the events and how they are read back.
package audit

import (
	"context"
	"encoding/json"
	"time"
)

// Event is one entry of the audit trail.
type Event struct {
	ID      string
	At      time.Time
	Actor   string // a partner id, "operator", or the CLI user
	Action  string // dotted, e.g. "card.status"
	Subject string // kind:id of what changed
	Detail  json.RawMessage
}

// Position is an event's place in the trail's (at, id) order.
type Position struct {
	At time.Time
	ID string
}

// Position answers where e is in the trail.
func (e Event) Position() Position { return Position{At: e.At, ID: e.ID} }

// Filter selects events. Empty fields do not filter. Events are answered
// newest first ((at, id) descending); Before, if set, answers only events
// strictly older than that position (keyset paging).
type Filter struct {
	Subject string
	Actor   string
	// From and To bound the time: From <= at < To; zero: unbounded.
	From, To time.Time
	// ActionPrefixes keeps events whose action starts with any of them.
	ActionPrefixes []string
	Before         *Position
	Limit          int
}

// Store reads the audit trail.
type Store interface {
	// Events answers the events f selects, newest first.
	Events(ctx context.Context, f Filter) ([]Event, error)
}

// Page is one page of events, newest first. Next is where the following
// page starts; nil when this page is the last.
type Page struct {
	Events []Event
	Next   *Position
}

// Service is the audit-trail use cases.
type Service struct {
	Store Store
}

// List answers the page of events f selects. A full page (f.Limit events)
// carries a Next position even when no older event exists, so a caller
// may be shown one empty page at the end rather than a count query.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	evs, err := s.Store.Events(ctx, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Events: evs}
	if len(evs) > 0 && len(evs) == f.Limit {
		next := evs[len(evs)-1].Position()
		p.Next = &next
	}
	return p, nil
}
