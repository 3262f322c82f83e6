// Package card owns payment instruments (cards): their PAN, sealed at rest
// and found by keyed HMAC, expiry, type and status.
package card

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// Status is a card's state.
type Status string

// The card statuses (operator-api.md).
const (
	NotActivated Status = "notActivated"
	Activated    Status = "activated"
	Blocked      Status = "blocked"
	Closed       Status = "closed"
)

// Card is a payment instrument. The full PAN is not part of it: it is
// sealed in the store and only opened by the code paths that need it.
type Card struct {
	ID             string
	AccountID      string
	ProgramCode    string
	Last4          string
	BIN            string
	ExpiryYear     string // YYYY
	ExpiryMonth    string // MM
	Type           string // physical | virtual
	Status         Status
	EmbossType     string // REP | LSR | REI | ""
	DeliveryMethod string // reg | exp
	IssuedAt       time.Time
	UpdatedAt      time.Time
}

// Expired reports whether the card is past the end of its expiry month.
func (c Card) Expired(now time.Time) bool {
	y, _ := strconv.Atoi(c.ExpiryYear)
	m, _ := strconv.Atoi(c.ExpiryMonth)
	end := time.Date(y, time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC)
	return !now.Before(end)
}

// Store persists cards. Create seals the PAN itself, so the plaintext
// never leaves the call.
type Store interface {
	// Create and SetStatus record an audit event by actor in the
	// same transaction (with the last four digits, never the PAN).
	Create(ctx context.Context, c Card, pan, actor string) error
	// Card answers NotFound unless the card belongs to the account.
	Card(ctx context.Context, accountID, id string) (Card, error)
	// InProgram answers NotFound unless the card belongs to the program.
	InProgram(ctx context.Context, programCode, id string) (Card, error)
	SetStatus(ctx context.Context, accountID, id string, st Status, now time.Time, actor string) (Card, error)
	// ByAccount answers an account's cards, newest first.
	ByAccount(ctx context.Context, accountID string) ([]Card, error)
	// ByPAN answers every card with this PAN, newest first.
	ByPAN(ctx context.Context, pan string) ([]Card, error)
}

// Service is the card use cases.
type Service struct {
	Store Store
	Now   func() time.Time
}

// IssueRequest is what an operator may specify for a new card.
type IssueRequest struct {
	PAN            string
	ExpiryYear     string
	ExpiryMonth    string
	Type           string
	EmbossType     string
	DeliveryMethod string
}

// Issue creates a card on an account; it answers the card and its PAN,
// which the caller may show once.
func (s *Service) Issue(ctx context.Context, programCode, accountID, programBIN string, req IssueRequest) (Card, string, error) {
	now := s.Now().UTC()
	c := Card{
		ID: uuid.NewString(), AccountID: accountID, ProgramCode: programCode,
		Type: orDefault(req.Type, "physical"), EmbossType: strings.ToUpper(req.EmbossType),
		DeliveryMethod: orDefault(req.DeliveryMethod, "reg"), IssuedAt: now, UpdatedAt: now,
	}
	pan := req.PAN
	if pan == "" {
		pan = NewPAN(programBIN)
	} else if !ValidPAN(pan) {
		return Card{}, "", apperr.Field("pan", "pan must be 16 digits and pass the Luhn check")
	} else if pan[:6] != programBIN {
		// The bin is the issuer prefix of the program's cards: an imported
		// card keeps its number, and so the program's bin.
		return Card{}, "", apperr.Field("pan", "pan must start with the program's bin %s", programBIN)
	}
	c.Last4, c.BIN = pan[12:], pan[:6]
	if err := c.setExpiry(req, now); err != nil {
		return Card{}, "", err
	}
	switch c.Type {
	case "physical":
		c.Status = NotActivated
	case "virtual":
		c.Status = Activated
	default:
		return Card{}, "", apperr.Field("type", "type must be physical or virtual")
	}
	switch c.EmbossType {
	case "", "REP", "LSR", "REI":
	default:
		return Card{}, "", apperr.Field("embossType", "embossType must be REP, LSR or REI")
	}
	if c.DeliveryMethod != "reg" && c.DeliveryMethod != "exp" {
		return Card{}, "", apperr.Field("deliveryMethod", "deliveryMethod must be reg or exp")
	}
	if err := s.Store.Create(ctx, c, pan, operator.ActorOf(ctx)); err != nil {
		return Card{}, "", err
	}
	return c, pan, nil
}

func (c *Card) setExpiry(req IssueRequest, now time.Time) error {
	if req.ExpiryYear == "" && req.ExpiryMonth == "" {
		c.ExpiryYear = strconv.Itoa(now.Year() + 3)
		c.ExpiryMonth = fmt.Sprintf("%02d", int(now.Month()))
		return nil
	}
	y, yerr := strconv.Atoi(req.ExpiryYear)
	m, merr := strconv.Atoi(req.ExpiryMonth)
	if yerr != nil || len(req.ExpiryYear) != 4 || y < 1970 || y > 2099 {
		return apperr.Field("expiryYear", "expiryYear must be YYYY")
	}
	if merr != nil || len(req.ExpiryMonth) != 2 || m < 1 || m > 12 {
		return apperr.Field("expiryMonth", "expiryMonth must be MM (01 to 12)")
	}
	c.ExpiryYear, c.ExpiryMonth = req.ExpiryYear, req.ExpiryMonth
	return nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// ParseStatus validates a card status.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case NotActivated, Activated, Blocked, Closed:
		return st, nil
	}
	return "", apperr.Field("status", "status must be one of notActivated, activated, blocked, closed")
}

// Get answers a card on an account.
func (s *Service) Get(ctx context.Context, accountID, id string) (Card, error) {
	return s.Store.Card(ctx, accountID, id)
}

// InProgram answers a card of a program.
func (s *Service) InProgram(ctx context.Context, programCode, id string) (Card, error) {
	return s.Store.InProgram(ctx, programCode, id)
}

// SetStatus changes a card's status.
func (s *Service) SetStatus(ctx context.Context, accountID, id string, st Status) (Card, error) {
	if _, err := ParseStatus(string(st)); err != nil {
		return Card{}, err
	}
	return s.Store.SetStatus(ctx, accountID, id, st, s.Now().UTC(), operator.ActorOf(ctx))
}

// ForAccount answers an account's cards, newest first.
func (s *Service) ForAccount(ctx context.Context, accountID string) ([]Card, error) {
	return s.Store.ByAccount(ctx, accountID)
}
