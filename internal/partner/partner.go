// Package partner owns partners (the fintechs that call the partner API),
// their OAuth client credentials, and the access tokens they exchange them
// for.
package partner

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// Partner is a fintech or program manager with API credentials.
type Partner struct {
	ID            string
	Name          string
	ClientID      string
	SecretVersion int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Store persists partners. Secrets are only ever stored as hashes.
type Store interface {
	// Create and RotateSecret record an audit event by actor in the
	// same transaction.
	Create(ctx context.Context, p Partner, secretHash, actor string) error
	Partner(ctx context.Context, id string) (Partner, error)
	// ByClientID answers the partner and its stored secret hash.
	ByClientID(ctx context.Context, clientID string) (Partner, string, error)
	// RotateSecret replaces the secret hash and bumps SecretVersion.
	RotateSecret(ctx context.Context, id, secretHash string, now time.Time, actor string) (Partner, error)
}

// Hasher computes the keyed hash a client secret is stored as (the
// vault's HMAC index). Client secrets are 256-bit random values, so a keyed
// hash is as strong as a slow password hash and far cheaper to check.
type Hasher interface {
	Index(namespace, value string) string
}

// Actor is the audit-trail actor of this service's changes: they are made
// only through the operator API and CLI.
const Actor = "operator"

// Service is the partner use cases.
type Service struct {
	Store  Store
	Hasher Hasher
	Tokens *Tokens
	Now    func() time.Time
}

// Credentials are a partner's client id and a secret shown once.
type Credentials struct {
	Partner      Partner
	ClientSecret string
}

// Create registers a partner and generates its first client secret.
func (s *Service) Create(ctx context.Context, name string) (Credentials, error) {
	name = strings.TrimSpace(name)
	// 50: the customer-profile page answers the partner's name as
	// partnername, at most 50 characters.
	if name == "" || len(name) > 50 {
		return Credentials{}, apperr.Field("name", "name is required (1 to 50 characters)")
	}
	now := s.Now().UTC()
	p := Partner{
		ID: uuid.NewString(), Name: name, ClientID: "vc_" + randomToken(12),
		SecretVersion: 1, CreatedAt: now, UpdatedAt: now,
	}
	secret := "vs_" + randomToken(32)
	if err := s.Store.Create(ctx, p, s.hash(secret), Actor); err != nil {
		return Credentials{}, err
	}
	return Credentials{Partner: p, ClientSecret: secret}, nil
}

// RotateSecret issues a new client secret; the old one stops working at once.
func (s *Service) RotateSecret(ctx context.Context, partnerID string) (Credentials, error) {
	secret := "vs_" + randomToken(32)
	p, err := s.Store.RotateSecret(ctx, partnerID, s.hash(secret), s.Now().UTC(), Actor)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{Partner: p, ClientSecret: secret}, nil
}

// Get answers a partner by id.
func (s *Service) Get(ctx context.Context, id string) (Partner, error) {
	return s.Store.Partner(ctx, id)
}

// Authenticate checks client credentials and issues an access token. Every
// failure is the same Unauthorized error, so a caller cannot tell an
// unknown client from a wrong secret.
func (s *Service) Authenticate(ctx context.Context, clientID, secret string) (Token, error) {
	if clientID == "" || secret == "" {
		return Token{}, errUnauthorized("client credentials are required")
	}
	p, hash, err := s.Store.ByClientID(ctx, clientID)
	got := s.hash(secret)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			subtle.ConstantTimeCompare([]byte(got), []byte(got)) // same work either way
			return Token{}, errUnauthorized("invalid client credentials")
		}
		return Token{}, err
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(hash)) != 1 {
		return Token{}, errUnauthorized("invalid client credentials")
	}
	return s.Tokens.Issue(p, s.Now()), nil
}

func (s *Service) hash(secret string) string { return s.Hasher.Index("client-secret", secret) }

func errUnauthorized(msg string) *apperr.Error {
	return &apperr.Error{Kind: apperr.Unauthorized, Message: msg}
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("partner: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
