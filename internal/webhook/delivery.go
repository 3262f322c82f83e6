package webhook

import (
	"context"
	"time"
)

// The statuses of a delivery (one event to one subscription).
const (
	Pending   = "pending"   // due now or later, or in flight
	Delivered = "delivered" // acknowledged by the receiver
	Failed    = "failed"    // given up (replayable)
)

// Delivery is one event on its way to one subscription.
type Delivery struct {
	ID             string
	EventID        string
	SubscriptionID string
	ProgramCode    string
	AccountID      string
	EventType      string
	Status         string
	Attempts       int
	NextAttemptAt  time.Time // while pending
	LastStatus     int       // the last attempt's HTTP status (0: none)
	LastError      string
	Test           bool // a test event sent by an operator
	// Seq is its event's position in the program's stream (for a test
	// event, the stream's head when it was sent; 0 before streams): the
	// delivery log lists newest first by it.
	Seq         int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt time.Time
}

// Attempt is one POST of a delivery, as the delivery log keeps it.
type Attempt struct {
	DeliveryID string
	N          int    // 1 for the first attempt
	MessageID  string // the webhook-id of the POST (several deliveries may share it)
	RequestID  string // its X-GD-RequestId
	At         time.Time
	HTTPStatus int // 0: no answer
	Latency    time.Duration
	ErrorClass string // "" when acknowledged; see the Class constants
	Error      string
	Response   string // the first KiB of the answer
}

// Position is a delivery's place in the listing order (newest first):
// the delivery's identifier (and its event's time, which the order no
// longer needs).
type Position struct {
	At time.Time
	ID string
}

// Filter selects deliveries of a program, newest first. Empty fields do
// not filter; From and To bound the event time, [From, To).
type Filter struct {
	ProgramCode    string
	SubscriptionID string
	EventType      string
	AccountID      string
	Status         string
	From, To       time.Time
	Before         *Position // cursor: strictly older than this
	Limit          int
}

// Replay selects the deliveries of a subscription to send again: those
// of events in [From, To), or every failed one (FailedOnly).
type Replay struct {
	ProgramCode    string
	SubscriptionID string
	From, To       time.Time
	FailedOnly     bool
}

// Audit names who changed a subscription and how, for the audit trail.
type Audit struct {
	Actor  string
	Action string
	At     time.Time
}

// The audit actions of subscription changes.
const (
	AuditCreated = "webhook.subscriptionCreated"
	AuditChanged = "webhook.subscriptionChanged"
	AuditDeleted = "webhook.subscriptionDeleted"
	AuditRotated = "webhook.secretRotated"
)

// Store is what the operator use cases need.
type Store interface {
	// CreateSubscription answers Conflict (field url) when the program
	// already has a subscription with this URL. It, UpdateSubscription and
	// DeleteSubscription record ev in the audit trail in the same
	// transaction as the change (never a secret).
	CreateSubscription(ctx context.Context, s Subscription, ev Audit) error
	// Subscription answers NotFound unless it belongs to the program.
	Subscription(ctx context.Context, programCode, id string) (Subscription, error)
	Subscriptions(ctx context.Context, programCode string) ([]Subscription, error)
	// UpdateSubscription locks the subscription, lets fn change it and
	// stores the result; when it ends disabled, its pending deliveries,
	// and the events after its cursor that it wants, fail ("subscription
	// disabled") in the same transaction; enabled again, its cursor starts
	// from the program's latest event.
	UpdateSubscription(ctx context.Context, programCode, id string, ev Audit, fn func(*Subscription) error) (Subscription, error)
	// DeleteSubscription deletes it with its deliveries and their attempts.
	DeleteSubscription(ctx context.Context, programCode, id string, ev Audit) error

	// Deliveries answers delivery rows and the deliveries of stream events
	// that have none (pending after the cursor, or delivered by a POST),
	// newest first by Seq and identifier.
	Deliveries(ctx context.Context, f Filter) ([]Delivery, error)
	// Delivery answers a delivery of the program (a row, or a DeliveryID
	// of a stream event) with its event as sent and its attempts, oldest
	// first.
	Delivery(ctx context.Context, programCode, id string) (Delivery, []byte, []Attempt, error)
	// Redeliver makes a delivery due now as a new message with a fresh
	// retry schedule (a delivery in flight, or one its cursor has not
	// sent yet, is left alone).
	Redeliver(ctx context.Context, programCode, id string, now time.Time) (Delivery, error)
	// Replay does Redeliver for every delivered or failed delivery r
	// selects and answers how many.
	Replay(ctx context.Context, r Replay, now time.Time) (int, error)
	// Enqueue writes an event and one delivery of it to the subscription,
	// marked as a test.
	Enqueue(ctx context.Context, subscriptionID string, e Event) (Delivery, error)
}
