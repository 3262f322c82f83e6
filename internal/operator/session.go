package operator

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Session is a console sign-in. The cookie carries a random secret; the
// database keeps only its keyed hash (ID), so a copy of the database
// holds no live session.
type Session struct {
	ID         string
	OperatorID string
	// CSRF is the token every console form must send back.
	CSRF      string
	CreatedAt time.Time
	SeenAt    time.Time
}

// SessionStore persists console sessions, so any node serves them.
type SessionStore interface {
	// Create stores s and records ev.
	Create(ctx context.Context, s Session, ev Event) error
	// Session answers the session with this id and its operator
	// (NotFound when there is none).
	Session(ctx context.Context, id string) (Session, Operator, error)
	// Touch moves the session's SeenAt.
	Touch(ctx context.Context, id string, seen time.Time) error
	// Delete ends a session, recording ev when it existed.
	Delete(ctx context.Context, id string, ev Event) error
	// DeleteIdle ends sessions seen before idle or created before
	// born, and answers how many.
	DeleteIdle(ctx context.Context, idle, born time.Time) (int, error)
}

// SessionRules are a session's lifetimes: it ends after Idle without a
// request, and after MaxAge whatever happens.
type SessionRules struct {
	Idle   time.Duration
	MaxAge time.Duration
}

// DefaultSessionRules: thirty idle minutes, twelve hours in all.
var DefaultSessionRules = SessionRules{Idle: 30 * time.Minute, MaxAge: 12 * time.Hour}

func (r SessionRules) orDefault() SessionRules {
	if r.Idle <= 0 {
		r.Idle = DefaultSessionRules.Idle
	}
	if r.MaxAge <= 0 {
		r.MaxAge = DefaultSessionRules.MaxAge
	}
	return r
}

// Expired reports whether s has ended at now.
func (r SessionRules) Expired(s Session, now time.Time) bool {
	r = r.orDefault()
	return now.Sub(s.SeenAt) >= r.Idle || now.Sub(s.CreatedAt) >= r.MaxAge
}

// Touch reports whether a request at now should move s's SeenAt: not on
// every request (a write per page), but well within the idle timeout.
func (r SessionRules) Touch(s Session, now time.Time) bool {
	r = r.orDefault()
	return now.Sub(s.SeenAt) >= min(time.Minute, r.Idle/10)
}

// ErrSessionExpired is answered for a session that has ended (idle,
// too old, signed out) or never existed.
var ErrSessionExpired = apperr.E(apperr.Unauthorized, "Your session has expired. Sign in again.")

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("operator: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) sessionID(secret string) string { return s.Hasher.Index("console-session", secret) }

// StartSession signs an operator in (after Login) and answers the secret
// for the session cookie. Sessions ended long ago are swept at the same
// time, so the table stays small without a scheduler.
func (s *Service) StartSession(ctx context.Context, o Operator, client string) (string, Session, error) {
	now, rules := s.Now().UTC().Truncate(time.Microsecond), s.SessionRules.orDefault()
	if _, err := s.Sessions.DeleteIdle(ctx, now.Add(-rules.Idle), now.Add(-rules.MaxAge)); err != nil {
		return "", Session{}, err
	}
	secret := randomToken()
	ss := Session{ID: s.sessionID(secret), OperatorID: o.ID, CSRF: randomToken(), CreatedAt: now, SeenAt: now}
	ev := Event{At: now, Actor: "operator:" + o.Email, Action: "operator.signedIn", Subject: Subject(o.ID),
		Detail: map[string]any{"client": client}}
	if err := s.Sessions.Create(ctx, ss, ev); err != nil {
		return "", Session{}, err
	}
	return secret, ss, nil
}

// Resume answers the session a cookie secret names and its operator's
// principal, moving its idle clock. An ended session, or one whose
// operator is disabled, is ErrSessionExpired.
func (s *Service) Resume(ctx context.Context, secret string) (Principal, Session, error) {
	if secret == "" || len(secret) > 100 {
		return Principal{}, Session{}, ErrSessionExpired
	}
	now, rules := s.Now().UTC(), s.SessionRules.orDefault()
	ss, o, err := s.Sessions.Session(ctx, s.sessionID(secret))
	if apperr.KindOf(err) == apperr.NotFound {
		return Principal{}, Session{}, ErrSessionExpired
	}
	if err != nil {
		return Principal{}, Session{}, err
	}
	if rules.Expired(ss, now) || o.Disabled {
		return Principal{}, Session{}, ErrSessionExpired
	}
	if rules.Touch(ss, now) {
		if err := s.Sessions.Touch(ctx, ss.ID, now.Truncate(time.Microsecond)); err != nil {
			return Principal{}, Session{}, err
		}
	}
	return o.Principal(), ss, nil
}

// EndSession signs out the session a cookie secret names.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 100 {
		return nil
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev := Event{At: now, Actor: ActorOf(ctx), Action: "operator.signedOut"}
	p, _ := FromContext(ctx)
	ev.Subject = Subject(p.OperatorID)
	return s.Sessions.Delete(ctx, s.sessionID(secret), ev)
}
