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
	Epoch     int // the partner's TokenEpoch when the token was issued
	Expires   time.Time
}

// Tokens issues and verifies signed bearer tokens: an HMAC-SHA256
// signature over the partner id, client id, the partner's token epoch and
// the expiry, keyed from the data key. Any node sharing the data key
// checks the signature without a database round trip; Service.Verify
// adds the check that the epoch is still the partner's (revocation).
type Tokens struct {
	Key []byte
	TTL time.Duration
}

// Scope is the scope every partner token carries.
const Scope = "partner-api"

// tokenPrefix names the format: vt2 carries the token epoch (vt1 tokens,
// without one, are no longer accepted).
const tokenPrefix = "vt2."

// Issue makes a token for p.
func (t *Tokens) Issue(p Partner, now time.Time) Token {
	exp := now.Add(t.TTL).Unix()
	payload := p.ID + "|" + p.ClientID + "|" + strconv.Itoa(p.TokenEpoch) + "|" + strconv.FormatInt(exp, 10) + "|" + randomToken(9)
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
	if len(parts) != 5 {
		return Claims{}, errUnauthorized("access token is malformed")
	}
	epoch, err1 := strconv.Atoi(parts[2])
	exp, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil {
		return Claims{}, errUnauthorized("access token is malformed")
	}
	c := Claims{PartnerID: parts[0], ClientID: parts[1], Epoch: epoch, Expires: time.Unix(exp, 0).UTC()}
	if !now.Before(c.Expires) {
		return Claims{}, errUnauthorized("access token has expired")
	}
	return c, nil
}
