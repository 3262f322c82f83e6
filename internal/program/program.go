// Package program owns programs: a partner's card product, identified by
// its programCode, with the adjustment types, account features and terms it
// is configured for. A partner reaches only its own programs.
package program

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/operator"
)

// Program is a partner's card program.
type Program struct {
	Code            string
	PartnerID       string
	Name            string
	BIN             string
	Currency        string
	AdjustmentTypes []string
	Features        []string
	TermsEnforced   []string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Version counts the changes to the settings (1 when created): a
	// decision made with a copy of the program holds only while it is
	// still the program's version (ForPartnerCached).
	Version int64
}

// AdjustmentTypes are the adjustment types a program may be configured for
// (optional-api-add-ons.txt, "Adjustments").
var AdjustmentTypes = []string{
	"disbursement", "disbursementReversal", "anyDebitOut", "anyDebitOutReversal",
	"achOut", "achOutReversal", "promo", "promoReversal", "instructionCredit", "instructionDebit",
}

// Features are the account features a program may offer
// (optional-api-add-ons.txt, "Account Features"): the feature catalogue.
var Features = feature.IDs()

// Store persists programs.
type Store interface {
	// Create and Update record an audit event by actor in the
	// same transaction.
	Create(ctx context.Context, p Program, actor string) error
	// Program answers NotFound for an unknown code.
	Program(ctx context.Context, code string) (Program, error)
	Update(ctx context.Context, p Program, actor string) error
	// List answers programs with code > after, in code order, only those
	// of partnerID when it is not "".
	List(ctx context.Context, partnerID, after string, limit int) ([]Program, error)
}

// Service is the program use cases.
type Service struct {
	Store Store
	Now   func() time.Time
	// copies are the programs ForPartnerCached answered from memory.
	copies copies
}

var (
	codeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{2,50}$`)
	binRE  = regexp.MustCompile(`^[0-9]{6}$`)
)

// Create validates and stores a new program.
func (s *Service) Create(ctx context.Context, p Program) (Program, error) {
	if !codeRE.MatchString(p.Code) {
		return Program{}, apperr.Field("programCode", "programCode must be 2 to 50 letters, digits, '-' or '_'")
	}
	if p.PartnerID == "" {
		return Program{}, apperr.Field("partnerId", "partnerId is required")
	}
	if p.Currency == "" {
		p.Currency = "USD"
	}
	if err := p.normalise(); err != nil {
		return Program{}, err
	}
	now := s.Now().UTC()
	p.CreatedAt, p.UpdatedAt = now, now
	if err := s.Store.Create(ctx, p, operator.ActorOf(ctx)); err != nil {
		return Program{}, err
	}
	return p, nil
}

// Get answers a program by code (for operators: no ownership check).
func (s *Service) Get(ctx context.Context, code string) (Program, error) {
	return s.Store.Program(ctx, code)
}

// List answers up to limit programs (1 to 100; default 100) in code
// order after the given code, only partnerID's when it is not ""
// (cursor pagination for operators).
func (s *Service) List(ctx context.Context, partnerID, after string, limit int) ([]Program, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	return s.Store.List(ctx, partnerID, after, limit)
}

// ForPartner answers the program only if partnerID owns it. Any other
// program is answered exactly as an unknown one, so a partner cannot learn
// which codes exist.
// What it reads refreshes this node's copy (ForPartnerCached).
func (s *Service) ForPartner(ctx context.Context, partnerID, code string) (Program, error) {
	p, err := s.Store.Program(ctx, code)
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return Program{}, err
	}
	if err == nil {
		s.copies.put(p)
	}
	if err != nil || p.PartnerID != partnerID {
		return Program{}, ErrUnknownProgram
	}
	return p, nil
}

// ErrUnknownProgram is answered for a program the caller may not use.
// The platform answers it with 401, as the publisher does.
var ErrUnknownProgram = &apperr.Error{Kind: apperr.Unauthorized, Reason: "UNKNOWN_PROGRAM",
	Message: "programCode is unknown or not available to this client"}

// Patch holds the settable fields; nil means unchanged.
type Patch struct {
	Name            *string
	BIN             *string
	AdjustmentTypes *[]string
	Features        *[]string
	TermsEnforced   *[]string
}

// Update applies a patch.
func (s *Service) Update(ctx context.Context, code string, patch Patch) (Program, error) {
	p, err := s.Store.Program(ctx, code)
	if err != nil {
		return Program{}, err
	}
	set(&p.Name, patch.Name)
	set(&p.BIN, patch.BIN)
	set(&p.AdjustmentTypes, patch.AdjustmentTypes)
	set(&p.Features, patch.Features)
	set(&p.TermsEnforced, patch.TermsEnforced)
	if err := p.normalise(); err != nil {
		return Program{}, err
	}
	p.UpdatedAt = s.Now().UTC()
	if err := s.Store.Update(ctx, p, operator.ActorOf(ctx)); err != nil {
		return Program{}, err
	}
	s.Forget(code) // this node's copy; the others find out by the version
	return p, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// normalise validates the settable fields and spells list entries as the
// catalogues do.
func (p *Program) normalise() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || len(p.Name) > 100 {
		return apperr.Field("name", "name is required (1 to 100 characters)")
	}
	if !binRE.MatchString(p.BIN) {
		return apperr.Field("bin", "bin must be 6 digits")
	}
	if p.Currency != "USD" {
		return apperr.Field("currency", "only USD is supported")
	}
	var err error
	if p.AdjustmentTypes, err = canonical("adjustmentTypes", p.AdjustmentTypes, AdjustmentTypes); err != nil {
		return err
	}
	if p.Features, err = canonical("features", p.Features, Features); err != nil {
		return err
	}
	if p.TermsEnforced == nil {
		p.TermsEnforced = []string{}
	}
	for _, t := range p.TermsEnforced {
		if t == "" || len(t) > 50 {
			return apperr.Field("termsEnforced", "termsEnforced entries must be 1 to 50 characters")
		}
	}
	return nil
}

// canonical maps each entry case-insensitively onto the catalogue's
// spelling, rejecting unknown entries and dropping duplicates.
func canonical(field string, in, catalogue []string) ([]string, error) {
	out := []string{}
	for _, v := range in {
		i := slices.IndexFunc(catalogue, func(c string) bool { return strings.EqualFold(c, v) })
		if i < 0 {
			return nil, apperr.Field(field, "%s: unknown entry %q", field, v)
		}
		if !slices.Contains(out, catalogue[i]) {
			out = append(out, catalogue[i])
		}
	}
	return out, nil
}

// Allows reports whether the program is configured for an adjustment type.
func (p Program) Allows(adjustmentType string) bool {
	return slices.Contains(p.AdjustmentTypes, adjustmentType)
}

// Offers reports whether the program offers a feature (canonical spelling).
func (p Program) Offers(feature string) bool { return slices.Contains(p.Features, feature) }
