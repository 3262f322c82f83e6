// Package contact validates the contact details partners send: email
// addresses and phone numbers. Every capability that takes one (contact
// verification, customer care) uses these rules, so an address or number
// accepted in one place is accepted in all.
package contact

import (
	"errors"
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ValidEmail reports whether s is a bare address (no display name, no
// comments, no quoting) with a local part of at most 64 characters and a
// dotted domain of letter-digit-hyphen labels.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || strings.ContainsAny(s, " \"\\") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// Phone is a valid phone number.
type Phone struct{ n *phonenumbers.PhoneNumber }

// ErrPhone is answered for anything that is not a valid phone number.
var ErrPhone = errors.New("not a valid phone number")

// ParsePhone reads a phone number in any common notation: digits with
// spaces, dashes, dots or parentheses, and an optional leading +. A
// number without the + is read as North American ("(310) 555-1234",
// "1 310 555 1234"); with it, as international ("+33 1 42 68 53 00").
// Letters (vanity numbers, extensions) and numbers that cannot be
// dialled are refused.
func ParsePhone(s string) (Phone, error) {
	s = strings.TrimSpace(s)
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '+' && i == 0) {
			return Phone{}, ErrPhone
		}
	}
	if s == "" {
		return Phone{}, ErrPhone
	}
	n, err := phonenumbers.Parse(s, "US")
	if err != nil || n.GetExtension() != "" || !phonenumbers.IsValidNumber(n) {
		return Phone{}, ErrPhone
	}
	return Phone{n}, nil
}

// E164 is the number in E.164 form ("+13105551234").
func (p Phone) E164() string { return phonenumbers.Format(p.n, phonenumbers.E164) }

// US reports whether the number is a United States number.
func (p Phone) US() bool { return phonenumbers.GetRegionCodeForNumber(p.n) == "US" }

// NANP reports whether the number is in the North American Numbering Plan
// (country code 1: the US, Canada and some Caribbean countries).
func (p Phone) NANP() bool { return p.n.GetCountryCode() == 1 }

// National is the national significant number ("3105551234").
func (p Phone) National() string { return phonenumbers.GetNationalSignificantNumber(p.n) }
