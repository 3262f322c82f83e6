package verification

import "github.com/verdant-baas/verdant/internal/apperr"

// The BaaS codes of contact verification. The contract prints no code
// table for these calls, so verdant uses codes 70 (generating) and 71
// (checking); docs/verifications.md lists them.
const (
	CodeGenerate = 70
	CodeCheck    = 71
)

// withMessage is a copy of e with another message.
func withMessage(e *apperr.Error, msg string) error {
	c := *e
	c.Message = msg
	return &c
}

func isOutcome(err error) bool {
	e := apperr.As(err)
	return e.Code == CodeCheck && e.SubCode != 0
}

// The answers.
var (
	// ErrTooMany: PerHour codes were already sent to the handle in the
	// last hour (HTTP 429, 70/1).
	ErrTooMany = &apperr.Error{Kind: apperr.RateLimited, Code: CodeGenerate, SubCode: 1,
		Message: "Too many verification codes sent to this contact in the last hour; try again later."}
	// ErrTooSoon: a code went to the handle less than MinGap ago (HTTP
	// 429, 70/2).
	ErrTooSoon = &apperr.Error{Kind: apperr.RateLimited, Code: CodeGenerate, SubCode: 2,
		Message: "A verification code was sent to this contact moments ago; wait before asking for another."}
	// ErrNotFound: no such verification in the program (HTTP 404, 71/0).
	ErrNotFound = &apperr.Error{Kind: apperr.NotFound, Code: CodeCheck, SubCode: 0,
		Message: "Contact verification not found."}
	// ErrWrongCode: the code does not match (HTTP 200, 71/1).
	ErrWrongCode = &apperr.Error{Kind: apperr.Declined, Code: CodeCheck, SubCode: 1,
		Message: "verificationCode is incorrect."}
	// ErrExpired: the code's lifetime is over (HTTP 200, 71/2).
	ErrExpired = &apperr.Error{Kind: apperr.Declined, Code: CodeCheck, SubCode: 2,
		Message: "The verification code has expired; ask for a new one."}
	// ErrLocked: too many wrong codes (HTTP 200, 71/3).
	ErrLocked = &apperr.Error{Kind: apperr.Declined, Code: CodeCheck, SubCode: 3,
		Message: "The verification is locked after too many wrong codes; ask for a new one."}
	// ErrAlreadyVerified: the code was already used (HTTP 200, 71/4).
	ErrAlreadyVerified = &apperr.Error{Kind: apperr.Declined, Code: CodeCheck, SubCode: 4,
		Message: "This verification is already complete; a code cannot be used twice."}
	// ErrUndelivered: the code could not be delivered (HTTP 200, 71/5).
	ErrUndelivered = &apperr.Error{Kind: apperr.Declined, Code: CodeCheck, SubCode: 5,
		Message: "The verification code could not be delivered; ask for a new one."}
)
