// Package operator owns the platform's own staff: operators with a login
// (email and an argon2id password hash), their roles and the permission
// table, per-operator API tokens for the operator API, console sessions
// and login throttling. Rules are pure functions; the Store decides
// nothing.
package operator

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// Operator is a person who runs the platform.
type Operator struct {
	ID        string
	Email     string // lower case, unique
	Name      string
	Roles     []Role
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Principal answers the operator as the principal acting.
func (o Operator) Principal() Principal {
	return Principal{OperatorID: o.ID, Email: o.Email, Roles: o.Roles}
}

// Event is an audit-trail entry the store writes in the same transaction
// as the change it records.
type Event struct {
	At      time.Time
	Actor   string
	Action  string
	Subject string
	Detail  any
}

// Change is what a decide function did to an operator: the audit action
// and detail, or an empty Action when nothing changed (nothing is written).
type Change struct {
	Action string
	Detail map[string]any
}

// Store persists operators, their tokens and the login throttle. Every
// write records its Event in the same transaction.
type Store interface {
	// Create stores o with its password hash; an email already
	// taken is a Conflict.
	Create(ctx context.Context, o Operator, passwordHash string, ev Event) error
	// Operator answers NotFound for an unknown id.
	Operator(ctx context.Context, id string) (Operator, error)
	// ByEmail answers the operator and its password hash.
	ByEmail(ctx context.Context, email string) (Operator, string, error)
	// List answers operators with id > after, in id order.
	List(ctx context.Context, after string, limit int) ([]Operator, error)
	// Change locks the operator, lets decide change it, and stores
	// the change with its event (At and Actor from ev). A disabled
	// operator's console sessions end in the same transaction.
	Change(ctx context.Context, id string, ev Event, decide func(*Operator) (Change, error)) (Operator, error)
	// SetPassword replaces the password hash, ends the operator's console
	// sessions and lifts its login lockout (the throttle key given).
	SetPassword(ctx context.Context, id, hash, throttleKey string, ev Event) error

	// Record writes an event that goes with no change (a refusal).
	Record(ctx context.Context, ev Event) error

	TokenStore
	ThrottleStore
}

// Subject is the audit-trail subject of an operator.
func Subject(id string) string { return "operator:" + id }

// Service is the operator use cases.
type Service struct {
	Store    Store
	Sessions SessionStore
	// Hasher makes the keyed hashes API tokens and session ids are
	// stored as (the vault's HMAC index).
	Hasher Hasher
	KDF    KDF
	// Login throttling and session lifetimes (zero: the defaults).
	Throttle     Throttle
	SessionRules SessionRules
	Now          func() time.Time
}

// Hasher computes keyed hashes (the vault's HMAC index).
type Hasher interface {
	Index(namespace, value string) string
}

// NewOperator is what creating an operator takes. An empty Password
// generates one, answered once.
type NewOperator struct {
	Email    string
	Name     string
	Roles    []string
	Password string
}

// Created is a new operator and its password (generated or as given).
type Created struct {
	Operator Operator
	Password string
}

// NormalizeEmail answers the stored form of an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(e string) error {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		return apperr.Field("email", "email must be a plain email address such as ann@example.com")
	}
	return nil
}

func checkName(n string) error {
	if n == "" || utf8.RuneCountInString(n) > 100 || strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return apperr.Field("name", "name is required: 1 to 100 characters, no control characters")
	}
	return nil
}

// Create registers an operator.
func (s *Service) Create(ctx context.Context, in NewOperator) (Created, error) {
	email, name := NormalizeEmail(in.Email), strings.TrimSpace(in.Name)
	if err := checkEmail(email); err != nil {
		return Created{}, err
	}
	if err := checkName(name); err != nil {
		return Created{}, err
	}
	roles, err := ParseRoles(in.Roles)
	if err != nil {
		return Created{}, err
	}
	pw := in.Password
	if pw == "" {
		pw = GeneratePassword()
	}
	if err := CheckPassword(pw); err != nil {
		return Created{}, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	o := Operator{ID: uuid.Must(uuid.NewV7()).String(), Email: email, Name: name, Roles: roles, CreatedAt: now, UpdatedAt: now}
	ev := Event{At: now, Actor: ActorOf(ctx), Action: "operator.created", Subject: Subject(o.ID),
		Detail: map[string]any{"email": email, "name": name, "roles": roles}}
	if err := s.Store.Create(ctx, o, s.KDF.Hash(pw), ev); err != nil {
		return Created{}, err
	}
	return Created{Operator: o, Password: pw}, nil
}

// Get answers an operator by id.
func (s *Service) Get(ctx context.Context, id string) (Operator, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Operator{}, ErrNotFound
	}
	return s.Store.Operator(ctx, id)
}

// ByEmail answers an operator by email address.
func (s *Service) ByEmail(ctx context.Context, email string) (Operator, error) {
	o, _, err := s.Store.ByEmail(ctx, NormalizeEmail(email))
	return o, err
}

// ErrNotFound is answered for an unknown operator.
var ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Message: "operator not found"}

// List answers up to limit operators after the given id (cursor paging).
func (s *Service) List(ctx context.Context, after string, limit int) ([]Operator, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return s.Store.List(ctx, after, limit)
}

// Update is a change to an operator; nil fields are unchanged.
type Update struct {
	Roles    *[]string
	Disabled *bool
	Name     *string
}

// Change applies an update to an operator. An operator cannot disable
// themselves or take their own admin role away, so an installation always
// keeps the admin who is acting.
func (s *Service) Change(ctx context.Context, id string, u Update) (Operator, error) {
	var roles []Role
	if u.Roles != nil {
		r, err := ParseRoles(*u.Roles)
		if err != nil {
			return Operator{}, err
		}
		roles = r
	}
	if u.Name != nil {
		n := strings.TrimSpace(*u.Name)
		if err := checkName(n); err != nil {
			return Operator{}, err
		}
		u.Name = &n
	}
	if _, err := uuid.Parse(id); err != nil {
		return Operator{}, ErrNotFound
	}
	self, _ := FromContext(ctx)
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev := Event{At: now, Actor: self.Actor(), Subject: Subject(id)}
	return s.Store.Change(ctx, id, ev, func(o *Operator) (Change, error) {
		return applyUpdate(o, u, roles, self.OperatorID == o.ID)
	})
}

// applyUpdate is the rule of Change: it changes o and names the change.
func applyUpdate(o *Operator, u Update, roles []Role, self bool) (Change, error) {
	detail := map[string]any{}
	var actions []string
	if u.Roles != nil && !sameRoles(o.Roles, roles) {
		if self && Allows(o.Roles, ManageOperators) && !Allows(roles, ManageOperators) {
			return Change{}, apperr.E(apperr.Conflict, "you cannot take your own admin role away")
		}
		detail["roles"] = map[string]any{"from": o.Roles, "to": roles}
		o.Roles = roles
		actions = append(actions, "operator.rolesChanged")
	}
	if u.Disabled != nil && *u.Disabled != o.Disabled {
		if self && *u.Disabled {
			return Change{}, apperr.E(apperr.Conflict, "you cannot disable yourself")
		}
		o.Disabled = *u.Disabled
		detail["disabled"] = o.Disabled
		actions = append(actions, map[bool]string{true: "operator.disabled", false: "operator.enabled"}[o.Disabled])
	}
	if u.Name != nil && *u.Name != o.Name {
		detail["name"] = map[string]any{"from": o.Name, "to": *u.Name}
		o.Name = *u.Name
		actions = append(actions, "operator.renamed")
	}
	switch len(actions) {
	case 0:
		return Change{}, nil
	case 1:
		return Change{Action: actions[0], Detail: detail}, nil
	}
	return Change{Action: "operator.updated", Detail: detail}, nil
}

func sameRoles(a, b []Role) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ResetPassword sets a new password (generated when pw is empty, answered
// once), ends the operator's sessions and lifts a login lockout.
func (s *Service) ResetPassword(ctx context.Context, id, pw string) (string, error) {
	if pw == "" {
		pw = GeneratePassword()
	}
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	o, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev := Event{At: now, Actor: ActorOf(ctx), Action: "operator.passwordReset", Subject: Subject(o.ID),
		Detail: map[string]any{"email": o.Email}}
	if err := s.Store.SetPassword(ctx, o.ID, s.KDF.Hash(pw), accountKey(o.Email), ev); err != nil {
		return "", err
	}
	return pw, nil
}

// Deny records that p was refused what (a route pattern or a console
// action) for want of perm. Nothing else is written: the refused action
// changes nothing.
func (s *Service) Deny(ctx context.Context, p Principal, what string, perm Permission) error {
	return s.Store.Record(ctx, Event{At: s.Now().UTC().Truncate(time.Microsecond), Actor: p.Actor(), Action: "operator.denied",
		Subject: Subject(p.OperatorID), Detail: map[string]any{"action": what, "permission": perm, "roles": p.Roles}})
}

// Refuse records that a request was refused for reason (a form without
// its CSRF token, an expired session) and changed nothing. p is who sent
// it when known; client is the caller's address.
func (s *Service) Refuse(ctx context.Context, p Principal, client, what, reason string) error {
	ev := Event{At: s.Now().UTC().Truncate(time.Microsecond), Actor: p.Actor(), Action: "operator.refused",
		Subject: Subject(p.OperatorID), Detail: map[string]any{"action": what, "reason": reason, "client": client}}
	if p.OperatorID == "" && !p.Superuser {
		ev.Actor, ev.Subject = clientKey(client), "console"
	}
	return s.Store.Record(ctx, ev)
}
