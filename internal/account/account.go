// Package account owns customer accounts within a program: their holder
// and their status, which every money movement and feature checks.
package account

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// Status is an account's state.
type Status string

// The account statuses (operator-api.md).
const (
	Normal     Status = "normal"
	Pending    Status = "pending"
	Locked     Status = "locked"
	Restricted Status = "restricted"
	Closed     Status = "closed"
)

// ParseStatus validates a status.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case Normal, Pending, Locked, Restricted, Closed:
		return st, nil
	}
	return "", apperr.Field("status", "status must be one of normal, pending, locked, restricted, closed")
}

// Holder is the account holder. CustomerID, when set, is the id of the
// holder's customer profile (a profile of the partner that owns the
// account's program): customer lookup answers it as the card's customer.
type Holder struct {
	FirstName  string
	LastName   string
	ZipCode    string
	CustomerID string
}

// Profile is what an account needs of a customer profile.
type Profile struct {
	Holder Holder // the profile's name and ZIP code, CustomerID its id
	Active bool   // false once the customer is blocked (a confirmed sanctions match)
}

// Account is a customer account in a program.
type Account struct {
	ID          string
	ProgramCode string
	Status      Status
	Holder      Holder
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Store persists accounts.
type Store interface {
	// Create and SetStatus record an audit event by actor in
	// the same transaction.
	Create(ctx context.Context, a Account, actor string) error
	// Account answers NotFound unless the account exists in programCode.
	Account(ctx context.Context, programCode, id string) (Account, error)
	SetStatus(ctx context.Context, programCode, id string, st Status, now time.Time, actor, reason string) (Account, error)
	// List answers accounts of a program with id > after, in id order.
	List(ctx context.Context, programCode, after string, limit int) ([]Account, error)
	// Profile answers the customer profile with this id of the partner
	// that owns programCode, NotFound if that partner has none.
	Profile(ctx context.Context, programCode, customerID string) (Profile, error)
}

// Service is the account use cases.
type Service struct {
	Store Store
	Now   func() time.Time
}

// ErrNotFound is answered for an account that does not exist in the program.
var ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "Account not found."}

// ErrInvalidID is answered for an account identifier that is not a UUID.
var ErrInvalidID = &apperr.Error{Kind: apperr.Invalid, Field: "accountIdentifier", Message: "accountIdentifier is invalid."}

// ParseID validates an account identifier (a UUID) and answers it in
// canonical lower-case form.
func ParseID(s string) (string, error) {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return "", ErrInvalidID
	}
	return u.String(), nil
}

// Open creates an account in a program. A holder with a CustomerID is
// linked to that customer profile of the program's partner, which must
// exist and not be blocked; the holder's name and ZIP code default to the
// profile's.
func (s *Service) Open(ctx context.Context, programCode string, h Holder, st Status) (Account, error) {
	if st == "" {
		st = Normal
	}
	if _, err := ParseStatus(string(st)); err != nil {
		return Account{}, err
	}
	h.FirstName, h.LastName = strings.TrimSpace(h.FirstName), strings.TrimSpace(h.LastName)
	h.ZipCode, h.CustomerID = strings.TrimSpace(h.ZipCode), strings.TrimSpace(h.CustomerID)
	if h.CustomerID != "" {
		var err error
		if h, err = s.linkProfile(ctx, programCode, h); err != nil {
			return Account{}, err
		}
	}
	switch {
	case h.FirstName == "" || len(h.FirstName) > 50:
		return Account{}, apperr.Field("holder.firstName", "holder.firstName is required (1 to 50 characters)")
	case h.LastName == "" || len(h.LastName) > 50:
		return Account{}, apperr.Field("holder.lastName", "holder.lastName is required (1 to 50 characters)")
	case !zipOK(h.ZipCode):
		return Account{}, apperr.Field("holder.zipCode", "holder.zipCode must be 5 digits or ZIP+4")
	case len(h.CustomerID) > 50:
		return Account{}, apperr.Field("holder.customerId", "holder.customerId must be at most 50 characters")
	}
	now := s.Now().UTC()
	a := Account{ID: uuid.NewString(), ProgramCode: programCode, Status: st, Holder: h, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.Create(ctx, a, operator.ActorOf(ctx)); err != nil {
		return Account{}, err
	}
	return a, nil
}

// linkProfile checks the customer profile a holder names and fills the
// holder's empty fields from it.
func (s *Service) linkProfile(ctx context.Context, programCode string, h Holder) (Holder, error) {
	if len(h.CustomerID) > 50 {
		return h, apperr.Field("holder.customerId", "holder.customerId must be at most 50 characters")
	}
	p, err := s.Store.Profile(ctx, programCode, h.CustomerID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		return h, apperr.Field("holder.customerId",
			"holder.customerId %s is not a customer profile of the program's partner (create it with POST /customers/{customerid} first)", h.CustomerID)
	case err != nil:
		return h, err
	case !p.Active:
		return h, apperr.E(apperr.Conflict, "customer %s is blocked (confirmed sanctions match): no account may be opened for it", h.CustomerID)
	}
	h.FirstName = cmp.Or(h.FirstName, p.Holder.FirstName)
	h.LastName = cmp.Or(h.LastName, p.Holder.LastName)
	h.ZipCode = cmp.Or(h.ZipCode, p.Holder.ZipCode)
	return h, nil
}

func zipOK(z string) bool {
	if len(z) != 5 && len(z) != 10 {
		return false
	}
	for i, c := range z {
		if i == 5 && c == '-' {
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Get answers an account in a program; id must already be validated.
func (s *Service) Get(ctx context.Context, programCode, id string) (Account, error) {
	return s.Store.Account(ctx, programCode, id)
}

// MaxReason bounds the reason given for a status change.
const MaxReason = 500

// SetStatus changes an account's status; reason (optional, kept in the
// audit trail) says why.
func (s *Service) SetStatus(ctx context.Context, programCode, id string, st Status, reason string) (Account, error) {
	if _, err := ParseStatus(string(st)); err != nil {
		return Account{}, err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > MaxReason || strings.ContainsFunc(reason, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }) {
		return Account{}, apperr.Field("reason", "reason must be at most %d characters, no control characters", MaxReason)
	}
	return s.Store.SetStatus(ctx, programCode, id, st, s.Now().UTC(), operator.ActorOf(ctx), reason)
}

// List answers up to limit accounts of a program in id order, after the
// given id (cursor pagination for operators).
func (s *Service) List(ctx context.Context, programCode, after string, limit int) ([]Account, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	return s.Store.List(ctx, programCode, after, limit)
}
