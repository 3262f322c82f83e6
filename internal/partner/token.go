package partner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Token is an issued access token.
type Token struct {
	AccessToken string
	ExpiresIn   time.Duration
	Scope       string
}

// Claims are what a verified token says about its bearer.
type Claims struct {
	PartnerID string
	ClientID  string
	Expires   time.Time
}

// Tokens issues and verifies stateless bearer tokens: an HMAC-SHA256
// signature over the partner id, client id and expiry, keyed from the data
// key. Any node sharing the data key verifies them without a database
// round trip. A token stays valid until it expires (secret rotation stops
// new tokens, like any OAuth client-credentials server issuing JWTs).
type Tokens struct {
	Key []byte
	TTL time.Duration
}

// Scope is the scope every partner token carries.
const Scope = "partner-api"

const tokenPrefix = "vt1."

// Issue makes a token for p.
func (t *Tokens) Issue(p Partner, now time.Time) Token {
	exp := now.Add(t.TTL).Unix()
	payload := p.ID + "|" + p.ClientID + "|" + strconv.FormatInt(exp, 10) + "|" + randomToken(9)
	body := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return Token{AccessToken: tokenPrefix + body + "." + t.sign(body), ExpiresIn: t.TTL, Scope: Scope}
}

func (t *Tokens) sign(body string) string {
	m := hmac.New(sha256.New, t.Key)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a token's signature and expiry. The error is always an
// Unauthorized *apperr.Error saying why, without echoing the token.
func (t *Tokens) Verify(token string, now time.Time) (Claims, error) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return Claims{}, errUnauthorized("access token is malformed")
	}
	body, sig, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(t.sign(body))) {
		return Claims{}, errUnauthorized("access token is malformed or its signature is invalid")
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Claims{}, errUnauthorized("access token is malformed")
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 {
		return Claims{}, errUnauthorized("access token is malformed")
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return Claims{}, errUnauthorized("access token is malformed")
	}
	c := Claims{PartnerID: parts[0], ClientID: parts[1], Expires: time.Unix(exp, 0).UTC()}
	if !now.Before(c.Expires) {
		return Claims{}, errUnauthorized("access token has expired")
	}
	return c, nil
}
