package operator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// KDF is the argon2id cost of password hashes. The zero value is
// DefaultKDF. Costs are written into each hash, so raising them later
// keeps old hashes verifiable.
type KDF struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultKDF is OWASP's first argon2id configuration (19 MiB, two passes,
// one lane): about 30 ms per hash on a server core, and memory-hard.
var DefaultKDF = KDF{Memory: 19 * 1024, Time: 2, Threads: 1}

// Password length limits: the floor keeps guessable passwords out, the
// ceiling keeps a login from being an expensive hashing request.
const (
	MinPassword = 12
	MaxPassword = 256
)

const saltLen, keyLen = 16, 32

// CheckPassword validates a new password's length.
func CheckPassword(pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinPassword || len(pw) > MaxPassword {
		return apperr.Field("password", "password must be %d to %d characters", MinPassword, MaxPassword)
	}
	return nil
}

// Hash answers the PHC-format argon2id hash of pw with a fresh salt.
func (k KDF) Hash(pw string) string {
	if k == (KDF{}) {
		k = DefaultKDF
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("operator: crypto/rand failed: " + err.Error())
	}
	sum := argon2.IDKey([]byte(pw), salt, k.Time, k.Memory, k.Threads, keyLen)
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, k.Memory, k.Time, k.Threads, b64(salt), b64(sum))
}

var errBadHash = errors.New("operator: malformed password hash")

// VerifyPassword reports whether pw matches a hash made by KDF.Hash, in
// time independent of where the two differ.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	var k KDF
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &k.Memory, &k.Time, &k.Threads); err != nil ||
		k.Memory == 0 || k.Memory > 1<<22 || k.Time == 0 || k.Time > 16 || k.Threads == 0 {
		return false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, k.Time, k.Memory, k.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// GeneratePassword answers a random password for a new operator or a
// reset (shown once): 26 base32 characters, 128 bits.
func GeneratePassword() string { return rand.Text() }
