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
	"github.com/verdant-baas/verdant/internal/operator"
)

// Partner is a fintech or program manager with API credentials.
type Partner struct {
	ID            string
	Name          string
	ClientID      string
	SecretVersion int
	// Status is Active or Disabled: a disabled partner gets no token and
	// its tokens stop working.
	Status string
	// TokenEpoch is carried in every access token issued to the partner;
	// rotating the secret or disabling the partner increments it, which
	// ends every token issued before (Service.Verify).
	TokenEpoch int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// The partner statuses.
const (
	Active   = "active"
	Disabled = "disabled"
)

// Store persists partners. Secrets are only ever stored as hashes.
type Store interface {
	// Create and RotateSecret record an audit event by actor in the
	// same transaction.
	Create(ctx context.Context, p Partner, secretHash, actor string) error
	Partner(ctx context.Context, id string) (Partner, error)
	// ByClientID answers the partner and its stored secret hash.
	ByClientID(ctx context.Context, clientID string) (Partner, string, error)
	// RotateSecret replaces the secret hash and increments SecretVersion
	// and TokenEpoch.
	RotateSecret(ctx context.Context, id, secretHash string, now time.Time, actor string) (Partner, error)
	// List answers partners with id > after, in id order.
	List(ctx context.Context, after string, limit int) ([]Partner, error)
	// SetStatus sets Status (recording an audit event by actor in the
	// same transaction); disabling also increments TokenEpoch.
	SetStatus(ctx context.Context, id, status string, now time.Time, actor string) (Partner, error)
}

// Hasher computes the keyed hash a client secret is stored as (the
// vault's HMAC index). Client secrets are 256-bit random values, so a keyed
// hash is as strong as a slow password hash and far cheaper to check.
type Hasher interface {
	Index(namespace, value string) string
}

// Service is the partner use cases.
type Service struct {
	Store  Store
	Hasher Hasher
	Tokens *Tokens
	Now    func() time.Time

	standings standings
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
		SecretVersion: 1, Status: Active, TokenEpoch: 1, CreatedAt: now, UpdatedAt: now,
	}
	secret := "vs_" + randomToken(32)
	if err := s.Store.Create(ctx, p, s.hash(secret), operator.ActorOf(ctx)); err != nil {
		return Credentials{}, err
	}
	return Credentials{Partner: p, ClientSecret: secret}, nil
}

// RotateSecret issues a new client secret; the old one stops working at
// once, and every access token issued before within StandingTTL on every
// node.
func (s *Service) RotateSecret(ctx context.Context, partnerID string) (Credentials, error) {
	secret := "vs_" + randomToken(32)
	p, err := s.Store.RotateSecret(ctx, partnerID, s.hash(secret), s.Now().UTC(), operator.ActorOf(ctx))
	if err != nil {
		return Credentials{}, err
	}
	s.standings.forget(partnerID)
	return Credentials{Partner: p, ClientSecret: secret}, nil
}

// SetStatus enables or disables a partner. Disabling refuses new tokens
// at once and ends the partner's tokens within StandingTTL on every
// node; enabling again does not bring them back.
func (s *Service) SetStatus(ctx context.Context, partnerID, status string) (Partner, error) {
	if status != Active && status != Disabled {
		return Partner{}, apperr.Field("status", "status must be %s or %s", Active, Disabled)
	}
	p, err := s.Store.SetStatus(ctx, partnerID, status, s.Now().UTC(), operator.ActorOf(ctx))
	if err != nil {
		return Partner{}, err
	}
	s.standings.forget(partnerID)
	return p, nil
}

// Get answers a partner by id.
func (s *Service) Get(ctx context.Context, id string) (Partner, error) {
	return s.Store.Partner(ctx, id)
}

// List answers up to limit partners (1 to 100; default 100) in id order
// after the given id (cursor pagination for operators).
func (s *Service) List(ctx context.Context, after string, limit int) ([]Partner, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	return s.Store.List(ctx, after, limit)
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
	if p.Status != Active {
		return Token{}, errUnauthorized("client is disabled")
	}
	return s.Tokens.Issue(p, s.Now()), nil
}

// Verify checks an access token: its signature and expiry (Tokens.Verify),
// then that it was issued in the partner's current TokenEpoch to a
// partner still active. The partner's standing is read from the database
// at most once per StandingTTL per node, so a rotation or a disable on
// any node ends the token everywhere within that time.
func (s *Service) Verify(ctx context.Context, token string) (Claims, error) {
	c, err := s.Tokens.Verify(token, s.Now())
	if err != nil {
		return Claims{}, err
	}
	st, err := s.standings.get(ctx, c.PartnerID, c.Epoch, s.Now(), s.Store.Partner)
	if apperr.KindOf(err) == apperr.NotFound {
		return Claims{}, errUnauthorized("access token has been revoked")
	}
	if err != nil {
		return Claims{}, err
	}
	if st.status != Active || st.epoch != c.Epoch {
		return Claims{}, errUnauthorized("access token has been revoked")
	}
	return c, nil
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
