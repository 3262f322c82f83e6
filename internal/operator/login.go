package operator

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Attempts is the failed sign-ins counted under one throttle key: an
// account ("account:<email>") or a client address ("client:<ip>").
type Attempts struct {
	Key         string
	Failures    int
	WindowStart time.Time
	LockedUntil time.Time
}

// ThrottleStore persists sign-in attempts. Its rows are the only state the
// throttle has, so every node sharing the database enforces the same
// limits.
type ThrottleStore interface {
	// LoginAttempts answers the attempts under each key (a zero Attempts
	// with the key for a key never seen).
	LoginAttempts(ctx context.Context, keys []string) ([]Attempts, error)
	// FailLogin locks the attempts under each key, stores what decide
	// answers for them and records the event it answers, in one
	// transaction.
	FailLogin(ctx context.Context, keys []string, decide func([]Attempts) ([]Attempts, Event)) error
	// SucceedLogin forgets the attempts under key.
	SucceedLogin(ctx context.Context, key string) error
}

// Throttle is the sign-in limit: after MaxFailures failures within Window
// under an account, sign-in for that account is refused for Lockout; a
// client address gets ClientFactor times as many failures (it may sign in
// several people).
type Throttle struct {
	MaxFailures  int
	Window       time.Duration
	Lockout      time.Duration
	ClientFactor int
}

// DefaultThrottle is five failures in fifteen minutes, then fifteen
// minutes locked; twenty per client address.
var DefaultThrottle = Throttle{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, ClientFactor: 4}

func (t Throttle) orDefault() Throttle {
	if t.MaxFailures <= 0 {
		return DefaultThrottle
	}
	if t.ClientFactor <= 0 {
		t.ClientFactor = 1
	}
	return t
}

func (t Throttle) limit(key string) int {
	if strings.HasPrefix(key, "client:") {
		return t.MaxFailures * t.ClientFactor
	}
	return t.MaxFailures
}

// Fail is a's state after one more failure at now: a window that has
// passed starts over, and reaching the limit locks the key.
func (t Throttle) Fail(a Attempts, now time.Time) Attempts {
	t = t.orDefault()
	if a.WindowStart.IsZero() || now.Sub(a.WindowStart) >= t.Window {
		a.Failures, a.WindowStart = 0, now
	}
	a.Failures++
	if a.Failures >= t.limit(a.Key) {
		a.LockedUntil = now.Add(t.Lockout)
		a.Failures, a.WindowStart = 0, time.Time{}
	}
	return a
}

// FailAll is Fail for each of cur; it also answers when the first key
// this failure locks is unlocked (zero if it locks none).
func (t Throttle) FailAll(cur []Attempts, now time.Time) ([]Attempts, time.Time) {
	var until time.Time
	out := make([]Attempts, len(cur))
	for i, a := range cur {
		out[i] = t.Fail(a, now)
		if out[i].LockedUntil.After(now) && !a.LockedUntil.After(now) && until.IsZero() {
			until = out[i].LockedUntil
		}
	}
	return out, until
}

// refusal is the audit event of a refused sign-in; lockedUntil is set
// when this failure locked the account or client.
func refusal(now time.Time, email, client, reason string, lockedUntil time.Time) Event {
	d := map[string]any{"reason": reason}
	if !lockedUntil.IsZero() {
		d["lockedUntil"] = lockedUntil
	}
	return Event{At: now, Actor: clientKey(client), Action: "operator.loginRefused", Subject: LoginSubject(email), Detail: d}
}

// Locked answers how long a stays locked at now (0: not locked).
func (t Throttle) Locked(a Attempts, now time.Time) time.Duration {
	if d := a.LockedUntil.Sub(now); d > 0 {
		return d
	}
	return 0
}

func accountKey(email string) string { return "account:" + NormalizeEmail(email) }
func clientKey(addr string) string   { return "client:" + addr }

// LoginSubject is the audit-trail subject of sign-ins with an email
// address, whether or not an operator has it.
func LoginSubject(email string) string { return "login:" + NormalizeEmail(email) }

// ErrBadLogin is answered for a wrong email or password, alike, so the
// answer does not tell which operators exist.
var ErrBadLogin = apperr.E(apperr.Unauthorized, "The email or password is wrong.")

// errLocked answers a sign-in refused by the throttle.
func errLocked(d time.Duration) error {
	mins := int(math.Ceil(d.Minutes()))
	return &apperr.Error{Kind: apperr.RateLimited, Reason: "LOCKED",
		Message: fmt.Sprintf("Too many failed sign-ins. Try again in %d minute%s.", mins, map[bool]string{true: "", false: "s"}[mins == 1])}
}

// dummyHash is verified against when no operator has the email, so an
// unknown address costs the same time as a wrong password. It is made on
// first use, not at package init: an argon2 hash (19 MiB, tens of
// milliseconds) at init is paid by every verdant command, help and
// version included, and by every test binary that imports the package.
var dummyHash = sync.OnceValue(func() string { return DefaultKDF.Hash("verdant-no-such-operator") })

// Login checks an email and password from a client address. Refusals are
// audited; failures count towards the account's and the client's
// lockout, and a success clears the account's count.
func (s *Service) Login(ctx context.Context, email, password, client string) (Operator, error) {
	now, t := s.Now().UTC().Truncate(time.Microsecond), s.Throttle.orDefault()
	email = NormalizeEmail(email)
	if len(email) > 254 || len(password) > MaxPassword {
		return Operator{}, ErrBadLogin
	}
	keys := []string{accountKey(email), clientKey(client)}
	atts, err := s.Store.LoginAttempts(ctx, keys)
	if err != nil {
		return Operator{}, err
	}
	fail := func(reason string, locked time.Duration) error {
		if locked > 0 { // already locked: count nothing more, record the refusal
			return s.Store.FailLogin(ctx, nil, func([]Attempts) ([]Attempts, Event) {
				return nil, refusal(now, email, client, reason, time.Time{})
			})
		}
		return s.Store.FailLogin(ctx, keys, func(cur []Attempts) ([]Attempts, Event) {
			next, until := t.FailAll(cur, now)
			return next, refusal(now, email, client, reason, until)
		})
	}
	for _, a := range atts {
		if d := t.Locked(a, now); d > 0 {
			if err := fail("locked", d); err != nil {
				return Operator{}, err
			}
			return Operator{}, errLocked(d)
		}
	}
	o, hash, err := s.Store.ByEmail(ctx, email)
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return Operator{}, err
	}
	found := err == nil
	if !found {
		hash = dummyHash()
	}
	ok, err := VerifyPassword(hash, password)
	if err != nil {
		return Operator{}, err
	}
	switch {
	case !found || !ok:
		if err := fail(map[bool]string{true: "wrong password", false: "unknown email"}[found], 0); err != nil {
			return Operator{}, err
		}
		return Operator{}, ErrBadLogin
	case o.Disabled:
		if err := fail("disabled", 0); err != nil {
			return Operator{}, err
		}
		return Operator{}, apperr.E(apperr.Unauthorized, "This operator is disabled. Ask an administrator.")
	}
	if err := s.Store.SucceedLogin(ctx, keys[0]); err != nil {
		return Operator{}, err
	}
	return o, nil
}
