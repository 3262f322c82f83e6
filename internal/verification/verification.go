// Package verification owns one-time-code contact verification: a
// partner asks for a code to be sent to an email address or US phone
// number, the user types it back, and the platform says whether it
// matched. Codes are 6 digits from crypto/rand; only a keyed hash and a
// sealed copy (for delivery) are stored. Rate limits, tries and state
// changes are decided inside database transactions, so they hold across
// any number of nodes.
package verification

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// State is what is stored; Status is what is answered (it adds expiry,
// which is a matter of the clock, not of a write).
type State string

// The stored states.
const (
	StatePending  State = "pending"  // created, message not yet delivered
	StateSent     State = "sent"     // message handed to the provider
	StateVerified State = "verified" // the right code came back
	StateLocked   State = "locked"   // too many wrong codes
	StateFailed   State = "failed"   // the message could not be delivered
)

// Status is the contract's contactVerificationStatus.
type Status int

// The statuses, in the integer encoding the API answers.
const (
	StatusPending  Status = 0
	StatusSent     Status = 1
	StatusVerified Status = 2
	StatusExpired  Status = 3
	StatusLocked   Status = 4
	StatusFailed   Status = 5
)

// Verification is one code sent to one contact.
type Verification struct {
	ID          string
	ProgramCode string
	AccountID   string
	EventType   string
	ContactType ContactType
	Channel     Channel
	// HandleIndex is vault.Index("contact", handle); HandleSealed is the
	// handle sealed with context "contact:<id>", HandleMasked is for views.
	HandleIndex, HandleSealed, HandleMasked string
	// LimitIndex is vault.Index("contact", LimitHandle(handle)): the rate
	// limit's key, one for every alias of a mailbox (the HandleIndex
	// itself when the handle has none).
	LimitIndex string
	// CodeHash is vault.Index("otp", id+":"+code); CodeSealed is the code
	// sealed with context "otp:<id>", opened only to deliver it.
	CodeHash, CodeSealed string
	KeyID                string
	FirstName, LastName  string
	ProductCode          string
	RetailCardID         string
	State                State
	Attempts             int // wrong codes so far
	CreatedAt, ExpiresAt time.Time
	VerifiedAt           time.Time
}

// StatusAt is the status at time now.
func (v Verification) StatusAt(now time.Time) Status {
	switch v.State {
	case StateVerified:
		return StatusVerified
	case StateLocked:
		return StatusLocked
	case StateFailed:
		return StatusFailed
	}
	if !now.Before(v.ExpiresAt) {
		return StatusExpired
	}
	if v.State == StateSent {
		return StatusSent
	}
	return StatusPending
}

// Store persists verifications.
type Store interface {
	// Create runs one transaction on v's LimitIndex: it takes the
	// per-mailbox lock, reads the Sends (the mailbox's last code from any
	// partner; the codes v's partner sent it after since) and calls allow; unless allow answers an error (then nothing
	// is written and the error is answered) it stores v with its outgoing
	// message and outbox row and records v as the handle's last code.
	// allow may run more than once (transaction retries) and must be pure.
	Create(ctx context.Context, v Verification, m Message, since time.Time, allow func(Sends) error) error
	// Verification answers one verification of a program (NotFound otherwise).
	Verification(ctx context.Context, programCode, id string) (Verification, error)
	// Check locks the verification, runs fn on it, saves its
	// State, Attempts and VerifiedAt whatever fn answers, commits, and
	// answers fn's error.
	Check(ctx context.Context, programCode, id string, fn func(v *Verification) error) error
}

// Vault seals and indexes secrets (implemented by *vault.Vault).
type Vault interface {
	Index(namespace, value string) string
	Seal(plaintext, context string) (sealed, keyID string)
	Open(sealed, keyID, context string) (string, error)
}

// Service is the contact-verification use cases.
type Service struct {
	Store  Store
	Vault  Vault
	Now    func() time.Time
	TTL    time.Duration // code lifetime (default 10m)
	Tries  int           // wrong codes before lock (default 5)
	Limits Limits
	// FixedCode, when set, verifies any verification besides its own
	// code: a sandbox sets SandboxCode so a partner's tests need no
	// mailbox. Never set in production.
	FixedCode string
	// ProgramNow, when set, is a program's time (a sandbox's test clock):
	// a code expires when its program's time passes its expiry.
	ProgramNow func(ctx context.Context, programCode string) time.Time
}

// at is the time a program's codes are compared with.
func (s *Service) at(ctx context.Context, programCode string) time.Time {
	if s.ProgramNow != nil {
		return s.ProgramNow(ctx, programCode)
	}
	return s.Now().UTC()
}

// SandboxCode is the code that always verifies in a sandbox.
const SandboxCode = "000000"

func (s *Service) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return 10 * time.Minute
}

func (s *Service) tries() int {
	if s.Tries > 0 {
		return s.Tries
	}
	return 5
}

func (s *Service) limits() Limits {
	l := s.Limits
	if l.PerHour <= 0 {
		l.PerHour = 5
	}
	if l.MinGap <= 0 {
		l.MinGap = 30 * time.Second
	}
	return l
}

// Request is a partner's request for a code.
type Request struct {
	ProgramCode, AccountID, EventType              string
	ContactType, CommunicationType, Handle         string
	FirstName, LastName, ProductCode, RetailCardID string
}

// Create validates r, makes a code and stores the verification with its
// message (delivered later by the outbox). It answers the verification.
func (s *Service) Create(ctx context.Context, r Request) (Verification, error) {
	ct, ch, handle, err := ParseContact(r.ContactType, r.CommunicationType, r.Handle)
	if err != nil {
		return Verification{}, err
	}
	for _, f := range []struct{ name, v string }{
		{"verificationEventType", r.EventType}, {"firstName", r.FirstName}, {"lastName", r.LastName},
		{"productCode", r.ProductCode}, {"retailCardIdentifier", r.RetailCardID},
	} {
		if len(f.v) > 50 {
			return Verification{}, apperr.Field(f.name, "%s must be at most 50 characters", f.name).WithCode(codeTooLong, 0)
		}
	}
	code, err := NewCode()
	if err != nil {
		return Verification{}, apperr.Wrap(err, "could not make a code")
	}
	now := s.Now().UTC()
	v := Verification{
		ID: uuid.NewString(), ProgramCode: r.ProgramCode, AccountID: r.AccountID, EventType: r.EventType,
		ContactType: ct, Channel: ch, HandleIndex: s.Vault.Index("contact", handle), HandleMasked: Mask(handle),
		FirstName: r.FirstName, LastName: r.LastName, ProductCode: r.ProductCode, RetailCardID: r.RetailCardID,
		State: StatePending, CreatedAt: now, ExpiresAt: now.Add(s.ttl()),
	}
	v.LimitIndex = s.Vault.Index("contact", LimitHandle(ct, handle))
	v.HandleSealed, v.KeyID = s.Vault.Seal(handle, "contact:"+v.ID)
	v.CodeSealed, _ = s.Vault.Seal(code, "otp:"+v.ID)
	v.CodeHash = s.hash(v.ID, code)
	subject, body := Compose(v, RedactedCode)
	m := Message{ID: uuid.Must(uuid.NewV7()).String(), VerificationID: v.ID, ProgramCode: v.ProgramCode,
		Channel: ch, ToIndex: v.HandleIndex, ToMasked: v.HandleMasked, Subject: subject, Body: body,
		Status: MessageQueued, CreatedAt: now}
	lim := s.limits()
	allow := func(sent Sends) error { return lim.Allow(sent, now) }
	if err := s.Store.Create(ctx, v, m, now.Add(-Window), allow); err != nil {
		return Verification{}, err
	}
	return v, nil
}

func (s *Service) hash(id, code string) string { return s.Vault.Index("otp", id+":"+code) }

// NewCode answers a uniformly random 6-digit code from crypto/rand.
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	s := n.String()
	for len(s) < 6 {
		s = "0" + s
	}
	return s, nil
}

// Get answers a verification of a program with its status now.
func (s *Service) Get(ctx context.Context, programCode, id string) (Verification, Status, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return Verification{}, 0, ErrNotFound
	}
	v, err := s.Store.Verification(ctx, programCode, id)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return v, 0, ErrNotFound
		}
		return v, 0, err
	}
	return v, v.StatusAt(s.at(ctx, programCode)), nil
}

// Check compares a code with the verification's, in constant time, under
// the verification's row lock: a wrong code counts a try and the last
// allowed wrong try locks the verification; a verified code cannot be
// used again; an expired one never matches.
func (s *Service) Check(ctx context.Context, programCode, id, code string) error {
	if code == "" {
		return missing("verificationCode")
	}
	if len(code) != 6 || !allDigits(code) {
		return invalid("verificationCode", "verificationCode must be 6 digits")
	}
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return ErrNotFound
	}
	at := s.at(ctx, programCode) // read before the row lock
	err := s.Store.Check(ctx, programCode, id, func(v *Verification) error {
		now := at
		switch v.StatusAt(now) {
		case StatusVerified:
			return ErrAlreadyVerified
		case StatusLocked:
			return ErrLocked
		case StatusExpired:
			return ErrExpired
		case StatusFailed:
			return ErrUndelivered
		}
		if subtle.ConstantTimeCompare([]byte(s.hash(v.ID, code)), []byte(v.CodeHash)) == 1 || s.fixed(code) {
			v.State, v.VerifiedAt = StateVerified, now
			return nil
		}
		v.Attempts++
		if v.Attempts >= s.tries() {
			v.State = StateLocked
			return withMessage(ErrLocked, "verificationCode is incorrect; the verification is now locked after too many wrong codes")
		}
		return withMessage(ErrWrongCode, "verificationCode is incorrect; "+itoa(s.tries()-v.Attempts)+" tries left")
	})
	if apperr.KindOf(err) == apperr.NotFound && !isOutcome(err) {
		return ErrNotFound
	}
	return err
}

// fixed reports whether code is the configured fixed code.
func (s *Service) fixed(code string) bool {
	return s.FixedCode != "" && subtle.ConstantTimeCompare([]byte(code), []byte(s.FixedCode)) == 1
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// Code answers the code most recently sent for a verification of a
// program (sandbox only: the API offers it nowhere else). A verified or
// locked verification's code is gone: Conflict.
func (s *Service) Code(ctx context.Context, programCode, id string) (string, error) {
	v, _, err := s.Get(ctx, programCode, id)
	if err != nil {
		return "", err
	}
	if v.CodeSealed == "" {
		e := apperr.E(apperr.Conflict, "contact verification %s is %s: its code is gone", id, v.State)
		e.Reason = "CODE_GONE"
		return "", e
	}
	return s.Vault.Open(v.CodeSealed, v.KeyID, "otp:"+v.ID)
}
