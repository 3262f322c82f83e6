// Package care is customer care: support cases a partner's customer opens
// through POST /programs/{programCode}/customerCare/cases, delivered to the
// agents' CRM (Salesforce) through the outbox, and worked by agents
// through the operator API with an append-only history.
//
// A case's email address and phone number are the partner's customer's
// personal data: they are sealed at rest, never logged, and shown only in
// the operator API and the CRM payload.
package care

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// Status is a case's place in the agents' workflow.
type Status string

// The statuses.
const (
	Open              Status = "open"
	InProgress        Status = "inProgress"
	WaitingOnCustomer Status = "waitingOnCustomer"
	Resolved          Status = "resolved"
	Closed            Status = "closed"
)

// transitions is the workflow: any working status may move to any other;
// a resolved case may be reopened or closed; a closed case may only be
// reopened.
var transitions = map[Status][]Status{
	Open:              {InProgress, WaitingOnCustomer, Resolved, Closed},
	InProgress:        {Open, WaitingOnCustomer, Resolved, Closed},
	WaitingOnCustomer: {Open, InProgress, Resolved, Closed},
	Resolved:          {Open, InProgress, Closed},
	Closed:            {Open},
}

// ParseStatus validates a status name.
func ParseStatus(s string) (Status, error) {
	if _, ok := transitions[Status(s)]; ok {
		return Status(s), nil
	}
	return "", apperr.Field("status", "status must be one of open, inProgress, waitingOnCustomer, resolved, closed")
}

// CanMove reports whether the workflow allows from -> to.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// The support tiers: tier 1 takes every new case; escalation moves it to
// tier 2.
const (
	Tier1 = 1
	Tier2 = 2
)

// CRM delivery states of a case.
const (
	CRMQueued    = "queued"    // in the platform's own queue, not yet in the CRM
	CRMDelivered = "delivered" // created in the CRM; CRMCaseID holds its id
)

// Case is a customer support case.
type Case struct {
	ID          string
	Number      string // CASE + 8 digits, shown to the partner
	PartnerID   string
	ProgramCode string
	AccountID   string
	RequestID   string // X-GD-RequestId of the creating call ("" if none)
	Fingerprint string // keyed hash of the validated request, for replays

	Subject   string
	FirstName string
	LastName  string
	Question  string
	Email     string
	Phone     Phone
	Device    Device

	Status   Status
	Tier     int
	Assignee string

	CRMStatus      string
	CRMCaseID      string
	CRMDeliveredAt time.Time
	CRMAttempts    int    // delivery attempts so far (from the outbox)
	CRMLastError   string // last delivery failure (from the outbox)

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Change is one entry of a case's append-only history. Empty From/To
// fields mean the value did not change.
type Change struct {
	ID           string
	CaseID       string
	At           time.Time
	Actor        string
	Action       string // created, updated, crmDelivered
	FromStatus   Status
	ToStatus     Status
	FromTier     int
	ToTier       int
	FromAssignee *string
	ToAssignee   *string
	Note         string
}

// Filter selects cases for the operator list, oldest first.
type Filter struct {
	Status        Status
	ProgramCode   string
	Tier          int
	Assignee      *string
	CRMStatus     string
	CreatedBefore time.Time // zero: no bound
	CreatedAfter  time.Time
	After         string // cursor: the last case id seen
	Limit         int
}

// Store persists cases.
type Store interface {
	// Create stores c (giving it a fresh case number) with its first
	// history entry in one transaction, and enqueues its CRM delivery in
	// the same transaction when deliver is set. A case already stored for
	// the same partner, program and request id is answered instead, with
	// replay set.
	Create(ctx context.Context, c Case, first Change, deliver bool) (stored Case, replay bool, err error)
	// ByNumber answers NotFound for an unknown number.
	ByNumber(ctx context.Context, number string) (Case, error)
	ByID(ctx context.Context, id string) (Case, error)
	List(ctx context.Context, f Filter) ([]Case, error)
	// Update locks the case, lets fn change it and describe the
	// change, and writes both (nothing when the Change has no ID). fn may
	// run more than once.
	Update(ctx context.Context, number string, fn func(c *Case) (Change, error)) (Case, error)
	History(ctx context.Context, caseID string) ([]Change, error)
	// MarkDelivered records the CRM's id and a history entry.
	MarkDelivered(ctx context.Context, caseID, crmID string, now time.Time) error
	// EnqueueQueued enqueues CRM delivery for up to limit queued cases
	// that have none yet (cases made while no CRM was configured).
	EnqueueQueued(ctx context.Context, now time.Time, limit int) (int, error)
	// Redeliver locks the case, lets fn check it and describe the change,
	// and in the same transaction makes its CRM delivery due now (its
	// outbox message again, or a new one when it has none), writing the
	// history entry and an audit event in the actor's name.
	Redeliver(ctx context.Context, number string, fn func(c Case) (Change, error), now time.Time) (Case, error)
}

// Service is the customer-care use cases.
type Service struct {
	Store Store
	Now   func() time.Time
	// Fingerprint is a keyed hash (vault.Index), so a stored fingerprint
	// reveals nothing about the request it was made from.
	Fingerprint func(namespace, value string) string
	// Deliver is set when a CRM is configured: new cases are enqueued for
	// delivery in their creating transaction. Unset, they stay queued in
	// the platform until a node with a CRM picks them up.
	Deliver bool
	// Notify wakes the outbox worker after a case is enqueued (a latency
	// hint only; optional).
	Notify func()
}

// ErrRequestReused answers an X-GD-RequestId already used for a
// different case.
var ErrRequestReused = &apperr.Error{Kind: apperr.Conflict, Reason: "REQUEST_ID_REUSED",
	Message: "X-GD-RequestId was already used for a different request."}

// ErrNotFound answers an unknown case number.
var ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "case not found"}

// Create opens a case for an account the caller has already resolved in
// the program. With a request id, a retry of the same request answers the
// first case; the same id with a different request is ErrRequestReused.
func (s *Service) Create(ctx context.Context, partnerID, programCode, requestID string, req Request) (Case, error) {
	canon, _ := json.Marshal(struct {
		P string
		R Request
	}{programCode, req})
	now := s.Now().UTC().Truncate(time.Microsecond) // as stored
	c := Case{
		ID: uuid.Must(uuid.NewV7()).String(), PartnerID: partnerID, ProgramCode: programCode,
		AccountID: req.AccountIdentifier, RequestID: requestID, Fingerprint: s.Fingerprint("care-request", string(canon)),
		Subject: req.Subject, FirstName: req.FirstName, LastName: req.LastName, Question: req.CustomerQuestion,
		Email: req.EmailAddress, Phone: req.Phone, Device: req.Device,
		Status: Open, Tier: Tier1, CRMStatus: CRMQueued, CreatedAt: now, UpdatedAt: now,
	}
	first := Change{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, At: now, Actor: "partner:" + partnerID,
		Action: "created", ToStatus: Open, ToTier: Tier1}
	stored, replay, err := s.Store.Create(ctx, c, first, s.Deliver)
	if err != nil {
		return Case{}, err
	}
	if replay && stored.Fingerprint != c.Fingerprint {
		return Case{}, ErrRequestReused
	}
	if !replay && s.Deliver && s.Notify != nil {
		s.Notify()
	}
	return stored, nil
}

// NewCaseNumber draws a case number: CASE and 8 random digits. The store
// keeps numbers unique (and, since cases are never deleted, never reused)
// and draws again on a collision.
func NewCaseNumber() string {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("CASE%08d", n.Int64())
}

// ValidNumber reports whether s has the form of a case number.
func ValidNumber(s string) bool {
	if len(s) != 12 || s[:4] != "CASE" {
		return false
	}
	for _, c := range s[4:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Get answers a case by number.
func (s *Service) Get(ctx context.Context, number string) (Case, []Change, error) {
	if !ValidNumber(number) {
		return Case{}, nil, ErrNotFound
	}
	c, err := s.Store.ByNumber(ctx, number)
	if err != nil {
		return Case{}, nil, err
	}
	h, err := s.Store.History(ctx, c.ID)
	return c, h, err
}

// List answers cases matching f, oldest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Case, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	return s.Store.List(ctx, f)
}
