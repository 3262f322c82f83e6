package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every signing secret (the Standard Webhooks form).
const SecretPrefix = "whsec_"

// NewSecret is a fresh signing secret: whsec_ and the base64 of 32
// random bytes.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("webhook: crypto/rand failed: " + err.Error())
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// SecretKey is the HMAC key of a secret: its decoded bytes.
func SecretKey(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(k) == 0 {
		return nil, errors.New("webhook: malformed signing secret")
	}
	return k, nil
}

// GDSignature is the x-gd-signature header value: the base64 of
// HMAC-SHA256 over the exact body bytes, keyed with the secret's decoded
// bytes.
func GDSignature(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// StandardSignature is one Standard Webhooks signature ("v1,<base64>"):
// HMAC-SHA256 over "<webhook-id>.<unix seconds>.<body>".
func StandardSignature(key []byte, msgID string, at time.Time, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msgID))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(at.Unix(), 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sign sets the signature headers of one POST. keys are the current
// secret's key first, then the previous one's during a rotation's
// overlap: webhook-signature carries a signature by each (space
// separated, as Standard Webhooks allows), x-gd-signature the current
// one's only.
func Sign(h http.Header, msgID string, at time.Time, body []byte, keys ...[]byte) {
	sigs := make([]string, len(keys))
	for i, k := range keys {
		sigs[i] = StandardSignature(k, msgID, at, body)
	}
	h.Set("webhook-id", msgID)
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", strings.Join(sigs, " "))
	if len(keys) > 0 {
		h.Set("x-gd-signature", GDSignature(keys[0], body))
	}
}

// VerifyGD reports whether sig is the x-gd-signature of body under
// secret (a receiver's check, as docs/webhooks.md shows it).
func VerifyGD(secret string, body []byte, sig string) bool {
	key, err := SecretKey(secret)
	if err != nil {
		return false
	}
	want := GDSignature(key, body)
	return hmac.Equal([]byte(want), []byte(sig))
}
