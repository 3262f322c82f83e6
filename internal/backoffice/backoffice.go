// Package backoffice holds the back-office console's read models: views
// across domains that no single domain service answers (what is waiting
// in the queues, accounts found with their cards, the overview's daily
// figures) and the keyset cursor the console pages by. It has no rules and
// no store of its own: the console declares the reads it needs
// (console.Store) and internal/storage answers them in these types, so
// the console depends on the domain side, never on storage.
package backoffice

import (
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/money"
)

// QueueCounts is what the console's overview shows.
type QueueCounts struct {
	ReviewsPending int
	OldestReview   time.Time // zero when none is pending
	// OpenCasesByTier counts cases not resolved or closed, by tier.
	OpenCasesByTier map[int]int
	DeadLetters     int
	// DeadByTopic counts dead letters by outbox topic (CRM, messages).
	DeadByTopic map[string]int
	// Webhook deliveries failing: WebhooksRetrying are waiting for a
	// retry after a failed attempt, WebhooksFailed were given up (an
	// operator may replay them); WebhookSubsFailing counts subscriptions
	// whose last attempt failed or that the platform disabled.
	WebhooksRetrying, WebhooksFailed, WebhookSubsFailing int
}

// AccountHit is an account found by a console search, with its cards.
type AccountHit struct {
	Account account.Account
	Cards   []card.Card
}

// AccountSearch says how to find accounts; set one way.
type AccountSearch struct {
	ID         string // account identifier
	CustomerID string
	BIN, Last4 string
	PAN        string // full card number: looked up by its keyed index, never stored or shown
}

// Cursor is a row's place in a (time, id) keyset order: a ledger entry's
// in an account's (posted_at, id) order, a review's in (created_at, id).
type Cursor struct {
	At time.Time
	ID string
}

// Day is one UTC day's figures for the overview's charts.
type Day struct {
	Adjustments int
	Amount      money.Sum // completed adjustments' amounts, minor units
	Opened      int       // cases opened
	Closed      int       // cases resolved or closed
	Hits        int       // customers held for OFAC review
}
