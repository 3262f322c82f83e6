// Package apperr is verdant's one error model. Domain code returns *Error
// values; the HTTP layer (internal/api) renders them in each API family's
// envelope from a single status table, so a rule is written once and
// answered the same way everywhere.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it. Each Kind
// maps to exactly one HTTP status (see internal/api/status.go).
type Kind int

// The kinds. Declined is a business outcome that some families answer with
// HTTP 200 and a non-zero code; Internal is anything unexpected.
const (
	Internal Kind = iota
	Invalid
	Unauthorized
	Forbidden
	NotFound
	Conflict
	TooLarge
	UnsupportedMedia
	RateLimited
	Declined
	Unavailable
	MethodNotAllowed
	HeadersTooLarge
)

var kindNames = [...]string{
	Internal: "internal", Invalid: "invalid", Unauthorized: "unauthorized",
	Forbidden: "forbidden", NotFound: "not-found", Conflict: "conflict",
	TooLarge: "too-large", UnsupportedMedia: "unsupported-media-type",
	RateLimited: "rate-limited", Declined: "declined", Unavailable: "unavailable",
	MethodNotAllowed: "method-not-allowed", HeadersTooLarge: "headers-too-large",
}

// String is the stable slug of the kind, used in problem+json types.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error is the single error type of the platform.
//
// Code and SubCode carry the family-specific numbers the partner pages
// define (BaaS code/subCode, retail responseCode); Reason carries a symbolic
// code where a family uses one (customer lookup's errorCode). Zero values
// mean "use the family default for this Kind". Message is safe to show to a
// partner: it must never contain a PAN, SSN, secret or token.
type Error struct {
	Kind    Kind
	Code    int
	SubCode int
	Reason  string
	Field   string
	Message string
	Err     error // cause, logged but never rendered
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same Kind with no more
// specific codes, so errors.Is(err, apperr.E(apperr.NotFound)) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && (t.Code == 0 || t.Code == e.Code) &&
		(t.SubCode == 0 || t.SubCode == e.SubCode) && (t.Reason == "" || t.Reason == e.Reason)
}

// E builds an Error of the given kind with a formatted message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Field builds an Invalid error naming the offending field.
func Field(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// WithCode returns a copy of e carrying family codes.
func (e *Error) WithCode(code, subCode int) *Error {
	c := *e
	c.Code, c.SubCode = code, subCode
	return &c
}

// WithReason returns a copy of e carrying a symbolic reason.
func (e *Error) WithReason(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// Wrap turns any error into an Internal *Error unless it already is one.
func Wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	return &Error{Kind: Internal, Message: msg, Err: err}
}

// As extracts the *Error from err; anything else is reported as Internal
// with a generic message, so internals never leak into a response.
func As(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return &Error{Kind: Internal, Message: "internal error", Err: err}
}

// KindOf returns the Kind of err (Internal for foreign errors).
func KindOf(err error) Kind { return As(err).Kind }

// Op names the operation that failed in an internal error, so a log line
// says which call went wrong (golang/pkgsite's derrors.Wrap). Deferred
// with a named result,
//
//	defer apperr.Op(&err, "storage.CardStore.SetStatus(%s)", id)
//
// it wraps a non-nil *errp as "op: cause" (with %w, so errors.Is and
// errors.As still see the cause). An *Error is left exactly as it is: its
// Message is what a caller is shown, and a sentinel stays comparable.
// args must be identifiers only, never a PAN, SSN, date of birth or
// secret.
func Op(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	var ae *Error
	if errors.As(*errp, &ae) {
		return
	}
	*errp = fmt.Errorf(format+": %w", append(args, *errp)...)
}
