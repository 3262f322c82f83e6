package ledger

import (
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
)

// Input is an adjustment request as the partner sent it.
type Input struct {
	AdjustmentIdentifier  *string      `json:"adjustmentIdentifier"`
	Amount                money.Amount `json:"amount"`
	Fee                   money.Amount `json:"fee"`
	Currency              *string      `json:"currency"`
	AdjustmentType        *string      `json:"adjustmentType"`
	AdjustmentDescription *string      `json:"adjustmentDescription"`
	DebitToNegative       *bool        `json:"debitToNegative"`
}

// MaxDescription bounds adjustmentDescription.
const MaxDescription = 255

// ErrMissing and ErrInvalid are the BaaS codes of a validation failure:
// 400 with code 200 (required field missing) or 640 (invalid value), the
// codes the publisher's pages use for the same failures.
const (
	CodeMissing = 200
	CodeInvalid = 640
)

func missing(field string) error {
	return apperr.Field(field, "%s is required", field).WithCode(CodeMissing, 0)
}

func invalid(field, format string, args ...any) error {
	return apperr.Field(field, format, args...).WithCode(CodeInvalid, 0)
}

// ParseRequest validates a partner's input for an account of a program
// whose currency is currency. It checks the fields only; whether the
// program may use the type is the caller's (it knows the program).
func ParseRequest(in Input, programCode, accountID, currency string) (Request, error) {
	r := Request{ProgramCode: programCode, AccountID: accountID}
	if in.AdjustmentIdentifier == nil || strings.TrimSpace(*in.AdjustmentIdentifier) == "" {
		return r, missing("adjustmentIdentifier")
	}
	u, err := uuid.Parse(*in.AdjustmentIdentifier)
	if err != nil || len(*in.AdjustmentIdentifier) != 36 {
		return r, invalid("adjustmentIdentifier", "adjustmentIdentifier must be a UUID")
	}
	r.AdjustmentID = u.String()
	if in.AdjustmentType == nil || *in.AdjustmentType == "" {
		return r, missing("adjustmentType")
	}
	if !IsAdjustmentType(*in.AdjustmentType) {
		return r, invalid("adjustmentType", "adjustmentType %q is not an adjustment type", clip(*in.AdjustmentType))
	}
	r.Type = *in.AdjustmentType
	if !in.Amount.Present || in.Amount.Null {
		return r, missing("amount")
	}
	if r.Amount, err = parseAmount("amount", in.Amount); err != nil {
		return r, err
	}
	if r.Amount <= 0 {
		return r, invalid("amount", "amount must be greater than zero")
	}
	if in.Fee.Present && !in.Fee.Null { // "fee": "" and null mean no fee, as the samples send
		if r.Fee, err = parseAmount("fee", in.Fee); err != nil {
			return r, err
		}
		if r.Fee < 0 {
			return r, invalid("fee", "fee must not be negative")
		}
	}
	if d, _ := DirectionOf(r.Type); d == Credit && r.Fee >= r.Amount {
		// The credit would leave the customer nothing (or take money) while
		// moving the whole amount out of program funding: no customer
		// limit would ever stop a stream of them.
		return r, invalid("fee", "fee must be less than amount on a credit")
	}
	if in.Currency == nil || *in.Currency == "" {
		return r, missing("currency")
	}
	if !isCurrencyCode(*in.Currency) {
		return r, invalid("currency", "currency must be an ISO 4217 code")
	}
	if *in.Currency != currency {
		return r, invalid("currency", "currency %s is not supported by this program (%s)", *in.Currency, currency)
	}
	r.Currency = *in.Currency
	if in.AdjustmentDescription != nil {
		r.Description = strings.TrimSpace(*in.AdjustmentDescription)
	}
	if len(r.Description) > MaxDescription {
		return r, invalid("adjustmentDescription", "adjustmentDescription must be at most %d characters", MaxDescription)
	}
	if in.DebitToNegative != nil {
		r.DebitToNegative = *in.DebitToNegative
	}
	return r, nil
}

func parseAmount(field string, a money.Amount) (int64, error) {
	v, err := a.Minor()
	switch {
	case errors.Is(err, money.ErrPrecision):
		return 0, invalid(field, "%s must have at most 2 decimal places", field)
	case errors.Is(err, money.ErrRange):
		return 0, invalid(field, "%s is too large", field)
	case err != nil:
		return 0, invalid(field, "%s must be a decimal number with at most 2 decimal places", field)
	}
	return v, nil
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// clip keeps partner text in an error message short.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
