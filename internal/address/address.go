// Package address verifies and standardises US postal addresses offline:
// the delivery line is parsed and rewritten to USPS Publication 28
// (suffix, directional and unit abbreviations, upper case, no
// punctuation), a unit in line 1 is moved to line 2, and the ZIP code is
// checked against city and state with an embedded ZIP table.
//
// The engine knows ZIP codes, not street ranges: it cannot say that a
// house exists. A deployment that needs delivery-point validation plugs a
// CASS-certified service in through Provider.
package address

import (
	"context"
	"strings"
)

// Input is an address as a partner sends it.
type Input struct {
	Line1, Line2, City, State, ZipCode string
}

// Address is a suggested standardised address.
type Address struct {
	Line1, Line2, City, State, ZipCode string
	CountryCode                        string // always "USA"
	Type                               Kind
}

// MatchLevel says how well the input matched.
type MatchLevel string

// The match levels.
const (
	// Verified: the input is already the standard address (letter case,
	// punctuation and spacing aside).
	Verified MatchLevel = "verified"
	// Corrected: the address is deliverable once standardised, or once
	// city or state is fixed from the ZIP (or the ZIP from city and state).
	Corrected MatchLevel = "corrected"
	// Partial: the street line is plausible but ZIP, city and state
	// disagree in a way that cannot be fixed with confidence.
	Partial MatchLevel = "partial"
	// Invalid: not a plausible US delivery address.
	Invalid MatchLevel = "invalid"
)

// Result is the outcome of a verification.
type Result struct {
	Addresses  []Address // suggestions, best first; empty when Invalid
	Valid      bool      // Verified or Corrected
	MatchLevel MatchLevel
}

// Provider verifies addresses. Engine is the built-in offline provider; a
// CASS-certified service can implement Provider too.
type Provider interface {
	Verify(ctx context.Context, in Input) (Result, error)
}

// Engine is the offline provider.
type Engine struct{}

var _ Provider = Engine{}

// Verify implements Provider.
func (Engine) Verify(_ context.Context, in Input) (Result, error) {
	return Verify(in), nil
}

// Verify runs the offline engine on one address.
func Verify(in Input) Result {
	dl := parseLine1(in.Line1)
	if dl.Kind == KindUnknown {
		return Result{Addresses: []Address{}, MatchLevel: Invalid}
	}
	out := Address{Line1: dl.Line, Line2: standardLine2(in.Line2), CountryCode: "USA", Type: dl.Kind}
	if dl.Unit != "" {
		switch {
		case out.Line2 == "" || out.Line2 == dl.Unit:
			out.Line2 = dl.Unit
		default:
			out.Line2 = dl.Unit + " " + out.Line2
		}
	}
	if dl.Kind == KindStreet && out.Line2 != "" {
		out.Type = KindHighRise
	}
	level := resolvePlace(&out, in)
	if level == Invalid {
		return Result{Addresses: []Address{}, MatchLevel: Invalid}
	}
	if level == Verified && !asGiven(in, out) {
		level = Corrected
	}
	return Result{Addresses: []Address{out}, Valid: level == Verified || level == Corrected, MatchLevel: level}
}

// asGiven reports whether the standard address equals the input up to
// letter case, punctuation and spacing.
func asGiven(in Input, out Address) bool {
	return normalize(in.Line1) == out.Line1 && normalize(in.Line2) == out.Line2 &&
		normalize(in.City) == out.City && normalize(in.State) == out.State &&
		strings.TrimSpace(in.ZipCode) == out.ZipCode
}

// stateCode answers the two-letter code of a state name or code, or the
// normalised input when it is neither.
func stateCode(s string) string {
	n := normalize(s)
	if c, ok := states[n]; ok {
		return c
	}
	return n
}

// parseZip answers the 5-digit ZIP and the +4 of "91107", "91107-1234"
// or "911071234".
func parseZip(s string) (zip5, plus4 string, ok bool) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 5 && digits(s):
		return s, "", true
	case len(s) == 10 && s[5] == '-' && digits(s[:5]) && digits(s[6:]):
		return s[:5], s[6:], true
	case len(s) == 9 && digits(s):
		return s[:5], s[5:], true
	}
	return "", "", false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// resolvePlace fills city, state and ZIP of out and answers the match
// level they allow (Verified meaning "nothing had to be fixed").
func resolvePlace(out *Address, in Input) MatchLevel {
	tab := loadZips()
	city, state := normalize(in.City), stateCode(in.State)
	_, known := states[state]
	zip5, plus4, zipOK := parseZip(in.ZipCode)
	out.City, out.State, out.ZipCode = city, state, strings.TrimSpace(in.ZipCode)
	if zipOK {
		out.ZipCode = zip5
		if plus4 != "" {
			out.ZipCode += "-" + plus4
		}
	}
	p, zipKnown := tab.byZip[zip5]
	if zipOK && zipKnown {
		citySame, _ := sameCity(city, p.City)
		switch {
		case state == p.State && citySame:
			out.City = p.City
			return Verified
		case state == p.State, citySame && state != p.State:
			// Wrong or missing city with the right state, or the right
			// city with a wrong state: the ZIP settles it.
			out.City, out.State = p.City, p.State
			return Corrected
		case city == "" && state == "":
			out.City, out.State = p.City, p.State
			return Corrected
		}
		return Partial // ZIP points elsewhere than city and state
	}
	if !known || city == "" {
		if zipOK || city != "" || state != "" {
			return Partial
		}
		return Invalid
	}
	zs := tab.byPlace[cityKey(city)+"|"+state]
	if len(zs) == 1 {
		out.City, out.ZipCode = tab.byZip[zs[0]].City, zs[0]
		return Corrected
	}
	return Partial // unknown or missing ZIP for a city with many ZIPs (or none)
}
