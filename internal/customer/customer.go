// Package customer owns customer profiles (the customer-profile pages of
// the contract): field rules, identity checks, sanctions screening on
// create and the operator's review of a sanctions match.
package customer

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/sanctions"
)

// Status is a customer's verification status (customer-profile.txt).
type Status string

// The verification statuses.
const (
	Pending       Status = "Pending"
	Verified      Status = "Verified"
	Failed        Status = "FailedVerification"
	OFACPending   Status = "OFACMatch-Pending"
	OFACConfirmed Status = "OFACMatch-Confirmed"
)

// Detail codes answered in responsedetail with the status.
const (
	DetailSuccess        = 0
	DetailSSNNotIssuable = 101
	DetailLastFour       = 102
	DetailDOBFuture      = 103
	DetailUnder18        = 104
	DetailOFACPending    = 201
	DetailOFACConfirmed  = 202
)

// Input is a create request as the partner sent it.
type Input struct {
	ID, FirstName, LastName, Email, Phone, DOB, SSN, LastFourSSN string
	Address1, Address2, City, State, Zip                         string
}

// Profile is a stored customer. SSN and DOB are sealed at rest and never
// answered to a partner.
type Profile struct {
	PartnerID, ID, LinkID                string
	FirstName, LastName, Email, Phone    string
	Address1, Address2, City, State, Zip string
	DOB                                  time.Time // zero when not given
	SSN, LastFour                        string    // 9 digits / 4 digits, "" when not given
	Status                               Status
	DetailCode                           int
	Detail                               string
	Active                               bool
	CreatedAt, UpdatedAt                 time.Time
}

// Canonical is the request's normalised content; two requests for the
// same id are the same request when their canonical forms are equal. It
// holds SSN and DOB, so it is only ever stored as a keyed hash.
func (p Profile) Canonical() string {
	dob := ""
	if !p.DOB.IsZero() {
		dob = p.DOB.Format("2006-01-02")
	}
	return strings.Join([]string{p.FirstName, p.LastName, strings.ToLower(p.Email), p.Phone, p.Address1,
		p.Address2, p.City, strings.ToUpper(p.State), p.Zip, dob, p.SSN, p.LastFour}, "\x1f")
}

// Review is a sanctions match held for an operator.
type Review struct {
	ID                    string
	PartnerID, CustomerID string
	Match                 sanctions.Match   // the best match
	Matches               []sanctions.Match // every match over the threshold, best first
	Status                string            // pending | confirmed | cleared
	CreatedAt             time.Time
	DecidedAt             time.Time
	DecidedBy, Note       string
}

// Decision is an operator's decision on a review.
type Decision struct {
	PartnerID  string // optional: needed when two partners use the same customer id
	CustomerID string
	Decision   string // confirm | clear
	Note       string
	Actor      string
}

// Store persists customers and sanctions reviews.
type Store interface {
	// Create stores p (and its review, if any) unless the partner
	// already has a customer with this id: then it answers that customer
	// when the request is the same (by canonical form), Conflict otherwise.
	Create(ctx context.Context, p Profile, review *Review) (Profile, error)
	// Customer answers NotFound unless the partner has this customer.
	Customer(ctx context.Context, partnerID, id string) (Profile, error)
	// PartnerLabel answers the partner's name and first program's code.
	PartnerLabel(ctx context.Context, partnerID string) (name, program string, err error)
	// SanctionsReviews answers reviews with the status ("" for all), oldest first.
	SanctionsReviews(ctx context.Context, status string, limit int) ([]Review, error)
	// DecideSanctionsReview runs one transaction on d's customer: it locks
	// the customer's pending reviews (of d.PartnerID, when given), calls
	// decide on them, and writes its outcome to the review and the customer
	// with an audit event by d.Actor; it answers the decided review.
	// decide may run more than once (transaction retries) and must be pure.
	DecideSanctionsReview(ctx context.Context, d Decision, now time.Time,
		decide func(pending []Review) (ReviewOutcome, error)) (Review, error)
}

// Screener screens a person against the sanctions list in force.
type Screener interface {
	Screen(ctx context.Context, first, last string, dob time.Time) ([]sanctions.Match, error)
}

// Service is the customer use cases.
type Service struct {
	Store    Store
	Screener Screener
	Now      func() time.Time
	// Sandbox turns on the magic identity values (magic.go).
	Sandbox bool
}

// Create validates, verifies and screens a new customer and stores it.
// An empty in.ID makes a UUID.
func (s *Service) Create(ctx context.Context, partnerID string, in Input) (Profile, *Review, error) {
	now := s.Now().UTC()
	p, err := Validate(in, now)
	if err != nil {
		return Profile{}, nil, err
	}
	p.PartnerID, p.LinkID, p.CreatedAt, p.UpdatedAt = partnerID, uuid.NewString(), now, now
	if p.ID == "" {
		p.ID = uuid.NewString()
	}
	p.Status, p.DetailCode, p.Detail, p.Active = Verified, DetailSuccess, "Success", true
	var review *Review
	if m, ok := Magic(p); ok && s.Sandbox {
		p.Status, p.DetailCode, p.Detail = m.Status, m.Code, m.Detail
		if m.Status == OFACPending {
			review = &Review{ID: uuid.NewString(), PartnerID: partnerID, CustomerID: p.ID, Match: magicMatch,
				Matches: []sanctions.Match{magicMatch}, Status: "pending", CreatedAt: now}
		}
	} else if code, why := Verify(p, now); code != 0 {
		p.Status, p.DetailCode, p.Detail = Failed, code, why
	} else {
		matches, err := s.Screener.Screen(ctx, p.FirstName, p.LastName, p.DOB)
		if err != nil {
			return Profile{}, nil, err
		}
		if len(matches) > 0 {
			p.Status, p.DetailCode, p.Detail = OFACPending, DetailOFACPending, "Potential OFAC match under review"
			review = &Review{ID: uuid.NewString(), PartnerID: partnerID, CustomerID: p.ID, Match: matches[0],
				Matches: matches, Status: "pending", CreatedAt: now}
		}
	}
	stored, err := s.Store.Create(ctx, p, review)
	if err != nil {
		return Profile{}, nil, err
	}
	if stored.CreatedAt != p.CreatedAt || stored.LinkID != p.LinkID {
		review = nil // an earlier identical request: its answer stands
	}
	return stored, review, nil
}

// Get answers the partner's customer.
func (s *Service) Get(ctx context.Context, partnerID, id string) (Profile, error) {
	if err := ValidID(id); err != nil {
		return Profile{}, ErrNotFound
	}
	return s.Store.Customer(ctx, partnerID, id)
}

// ErrNotFound is answered for a customer the partner does not have.
var ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "Customer not found."}

// Review applies an operator's decision: confirm blocks the customer
// (OFACMatch-Confirmed, inactive), clear verifies it.
func (s *Service) Review(ctx context.Context, d Decision) (Review, error) {
	d.Decision, d.Note = strings.ToLower(strings.TrimSpace(d.Decision)), strings.TrimSpace(d.Note)
	if len(d.Note) > 1000 {
		return Review{}, apperr.Field("note", "note must be at most 1000 characters")
	}
	if _, ok := reviewStatus[d.Decision]; !ok {
		return Review{}, apperr.Field("decision", `decision must be "confirm" or "clear"`)
	}
	now := s.Now().UTC()
	return s.Store.DecideSanctionsReview(ctx, d, now, func(pending []Review) (ReviewOutcome, error) {
		return DecideReview(d, pending, now)
	})
}

// Reviews answers sanctions reviews by status: pending, confirmed,
// cleared, or all.
func (s *Service) Reviews(ctx context.Context, status string) ([]Review, error) {
	switch status {
	case "", "pending":
		status = "pending"
	case "all":
		status = ""
	case "confirmed", "cleared":
	default:
		return nil, apperr.Field("status", "status must be pending, confirmed, cleared or all")
	}
	return s.Store.SanctionsReviews(ctx, status, 500)
}
