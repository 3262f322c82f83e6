// Package vault seals secrets at rest (card numbers, SSNs, dates of birth)
// with AES-256-GCM and computes keyed HMAC indexes for exact lookup, all
// from one master data key. Each sealed value records the id of the key
// that sealed it, so keys can be rotated: new writes use the current key,
// reads find the old key by id.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a master data key in bytes.
const KeySize = 32

type key struct {
	id   string
	aead cipher.AEAD
}

// Vault seals and opens values and computes lookup indexes.
type Vault struct {
	current  key
	byID     map[string]key
	indexKey []byte
	tokenKey []byte
}

// New builds a vault from the current master key and any retired keys that
// may still be needed to open old values.
func New(master []byte, retired ...[]byte) (*Vault, error) {
	v := &Vault{byID: map[string]key{}}
	for i, m := range append([][]byte{master}, retired...) {
		if len(m) != KeySize {
			return nil, fmt.Errorf("vault: data key must be %d bytes, got %d", KeySize, len(m))
		}
		k, err := newKey(m)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			v.current = k
		}
		v.byID[k.id] = k
	}
	// Until SetSecrets installs the installation's own (stored) keys, the
	// index and token keys derive from the current master. A long-lived
	// installation must not keep these: an index must survive a rotation
	// of the master key (see SetSecrets and storage.LoadVaultSecrets).
	v.indexKey = derive(master, "verdant/index/v1")
	v.tokenKey = derive(master, "verdant/token/v1")
	return v, nil
}

// DefaultSecret is the secret a vault uses for name ("index" or "token")
// before SetSecrets: derived from the current master key. An installation
// stores it once (sealed) on first start, so the indexes made with it stay
// valid when the master key is later rotated.
func (v *Vault) DefaultSecret(name string) []byte {
	if name == "token" {
		return v.tokenKey
	}
	return v.indexKey
}

// SetSecrets installs the installation's index and token keys. They are
// kept in the database sealed by the master key (envelope encryption), so
// rotating the master key re-seals them and never changes a lookup index,
// a client-secret hash or the validity of an issued token.
func (v *Vault) SetSecrets(indexKey, tokenKey []byte) error {
	if len(indexKey) != KeySize || len(tokenKey) != KeySize {
		return fmt.Errorf("vault: secrets must be %d bytes", KeySize)
	}
	v.indexKey, v.tokenKey = indexKey, tokenKey
	return nil
}

func newKey(master []byte) (key, error) {
	block, err := aes.NewCipher(derive(master, "verdant/seal/v1"))
	if err != nil {
		return key{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, err
	}
	id := sha256.Sum256(derive(master, "verdant/key-id/v1"))
	return key{id: hex.EncodeToString(id[:4]), aead: aead}, nil
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// KeyID is the id of the key new values are sealed with.
func (v *Vault) KeyID() string { return v.current.id }

// Seal encrypts plaintext bound to context (for example "pan:<card id>"),
// so a sealed value cannot be moved to another row. It answers the
// base64 ciphertext and the id of the sealing key.
func (v *Vault) Seal(plaintext, context string) (sealed, keyID string) {
	nonce := make([]byte, v.current.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	out := v.current.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return base64.RawStdEncoding.EncodeToString(out), v.current.id
}

// ErrUnknownKey means a value was sealed with a key the vault does not hold.
var ErrUnknownKey = errors.New("vault: value sealed with an unknown key")

// Open decrypts a value sealed by Seal with the same context.
func (v *Vault) Open(sealed, keyID, context string) (string, error) {
	k, ok := v.byID[keyID]
	if !ok {
		return "", ErrUnknownKey
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return "", errors.New("vault: malformed sealed value")
	}
	n := k.aead.NonceSize()
	pt, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", errors.New("vault: sealed value failed authentication")
	}
	return string(pt), nil
}

// Index returns a keyed HMAC of value within a namespace ("pan", "ssn"),
// hex encoded, for exact-match lookup without storing the value.
func (v *Vault) Index(namespace, value string) string {
	m := hmac.New(sha256.New, v.indexKey)
	m.Write([]byte(namespace))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// TokenKey is the key partner access tokens are signed with. Every node
// sharing a database shares the data key, so tokens verify on any node.
func (v *Vault) TokenKey() []byte { return v.tokenKey }

// ParseKey decodes a master key given as 64 hex digits or base64 of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("data key must be %d bytes as 64 hex digits or base64", KeySize)
}

// GenerateKey makes a new random master key, hex encoded.
func GenerateKey() string {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}
