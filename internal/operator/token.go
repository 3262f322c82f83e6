package operator

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// Token is an operator's API token for the operator API. The secret is
// shown once, when issued; only its keyed hash is stored.
type Token struct {
	ID         string
	OperatorID string
	Name       string
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while the token is in force
}

// TokenStore persists API tokens.
type TokenStore interface {
	// CreateToken stores t under the keyed hash of its secret.
	CreateToken(ctx context.Context, t Token, hash string, ev Event) error
	// Tokens answers an operator's tokens, newest first.
	Tokens(ctx context.Context, operatorID string) ([]Token, error)
	// RevokeToken revokes one of the operator's tokens (NotFound when it
	// has no such token; revoking twice changes nothing).
	RevokeToken(ctx context.Context, operatorID, tokenID string, ev Event) (Token, error)
	// TokenOperator answers the unrevoked token stored under hash and
	// its operator (NotFound otherwise).
	TokenOperator(ctx context.Context, hash string) (Operator, Token, error)
}

// TokenPrefix starts every operator API token, so a leaked one is easy
// to recognise (and to tell from a partner's access token).
const TokenPrefix = "vop_"

func (s *Service) tokenHash(secret string) string { return s.Hasher.Index("operator-token", secret) }

// IssueToken makes an API token for an operator and answers its secret
// (shown once).
func (s *Service) IssueToken(ctx context.Context, operatorID, name string) (Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 }) {
		return Token{}, "", apperr.Field("name", "name is required: 1 to 100 characters saying where the token is used")
	}
	o, err := s.Get(ctx, operatorID)
	if err != nil {
		return Token{}, "", err
	}
	if o.Disabled {
		return Token{}, "", apperr.E(apperr.Conflict, "operator %s is disabled", o.Email)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Token{}, "", err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	now := s.Now().UTC().Truncate(time.Microsecond)
	t := Token{ID: uuid.Must(uuid.NewV7()).String(), OperatorID: o.ID, Name: name, CreatedAt: now}
	ev := Event{At: now, Actor: ActorOf(ctx), Action: "operator.tokenIssued", Subject: Subject(o.ID),
		Detail: map[string]any{"tokenId": t.ID, "name": name}}
	if err := s.Store.CreateToken(ctx, t, s.tokenHash(secret), ev); err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// Tokens answers an operator's tokens.
func (s *Service) Tokens(ctx context.Context, operatorID string) ([]Token, error) {
	if _, err := s.Get(ctx, operatorID); err != nil {
		return nil, err
	}
	return s.Store.Tokens(ctx, operatorID)
}

// RevokeToken revokes an operator's token; it stops working at once.
func (s *Service) RevokeToken(ctx context.Context, operatorID, tokenID string) (Token, error) {
	if _, err := uuid.Parse(tokenID); err != nil {
		return Token{}, errTokenNotFound
	}
	if _, err := s.Get(ctx, operatorID); err != nil {
		return Token{}, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev := Event{At: now, Actor: ActorOf(ctx), Action: "operator.tokenRevoked", Subject: Subject(operatorID),
		Detail: map[string]any{"tokenId": tokenID}}
	return s.Store.RevokeToken(ctx, operatorID, tokenID, ev)
}

var errTokenNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "token not found"}

// ErrBadToken answers an operator API call whose bearer token is not a
// valid admin or operator token.
var ErrBadToken = apperr.E(apperr.Unauthorized, "a valid admin or operator bearer token is required")

// Authenticate answers the principal holding an API token: its operator,
// who must not be disabled.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return Principal{}, ErrBadToken
	}
	o, _, err := s.Store.TokenOperator(ctx, s.tokenHash(secret))
	if apperr.KindOf(err) == apperr.NotFound {
		return Principal{}, ErrBadToken
	}
	if err != nil {
		return Principal{}, err
	}
	if o.Disabled {
		return Principal{}, apperr.E(apperr.Unauthorized, "operator %s is disabled", o.Email)
	}
	return o.Principal(), nil
}
