// Package money holds verdant's representation of amounts: int64 minor
// units (cents) plus an ISO 4217 currency. No float64 ever touches an
// amount: partner input is parsed from its decimal text, exact to the cent.
package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// MaxMinor bounds any single amount (one trillion dollars in cents), far
// below int64 overflow even when a few amounts are summed.
const MaxMinor = 100_000_000_000_000

// Parse errors. Callers wrap them in an apperr naming the field.
var (
	ErrSyntax    = errors.New("must be a decimal number with at most 2 decimal places")
	ErrPrecision = errors.New("must have at most 2 decimal places")
	ErrRange     = errors.New("is too large")
)

// ParseMinor parses a decimal text such as "12.86", "5", "10.00" or "0.5"
// into minor units (cents). An exponent, more than two decimals (even
// zeros: "12.860" is refused, as the contract's decision on amounts says),
// or anything but digits, one dot and a leading minus is rejected.
func ParseMinor(s string) (int64, error) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" || hasDot && frac == "" && whole == "" {
		return 0, ErrSyntax
	}
	if !allDigits(whole) || !allDigits(frac) || (hasDot && frac == "") {
		return 0, ErrSyntax
	}
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 {
		return 0, ErrPrecision
	}
	frac += strings.Repeat("0", 2-len(frac))
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 13 {
		return 0, ErrRange
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := w*100 + f
	if v > MaxMinor {
		return 0, ErrRange
	}
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Format renders minor units as a decimal string with two places: 1286 -> "12.86".
func Format(minor int64) string {
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-minor)
	}
	cents := u % 100
	s := strconv.FormatUint(u/100, 10) + "."
	if cents < 10 {
		s += "0"
	}
	return sign + s + strconv.FormatUint(cents, 10)
}

// Amount is a JSON field that accepts a number (10.00) or a string ("12.86")
// and keeps the exact text; Present reports whether the field was sent at
// all and Null whether it was JSON null or "".
type Amount struct {
	Raw     string
	Present bool
	Null    bool
}

// UnmarshalJSON keeps the literal text of a number, never decoding it as a
// float, and unquotes a string.
func (a *Amount) UnmarshalJSON(b []byte) error {
	a.Present = true
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		a.Null = true
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		a.Raw = strings.TrimSpace(s)
		a.Null = a.Raw == ""
		return nil
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		a.Raw = string(b)
		return nil
	}
	a.Raw = string(b)
	return nil
}

// Minor parses the amount into minor units.
func (a Amount) Minor() (int64, error) {
	if a.Null || !a.Present {
		return 0, ErrSyntax
	}
	return ParseMinor(a.Raw)
}

// MarshalJSON writes the raw text back as a string.
func (a Amount) MarshalJSON() ([]byte, error) {
	if a.Null || !a.Present {
		return []byte("null"), nil
	}
	return json.Marshal(a.Raw)
}
