package feature

import (
	"regexp"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// MaxTermsAhead is how far in the future a termsAcceptanceDateTime may be.
const MaxTermsAhead = 720 * time.Hour

// MaxTermsPerRequest bounds termsAcceptances in one request.
const MaxTermsPerRequest = 20

// TermsInput is one validated termsAcceptances entry.
type TermsInput struct {
	ID       string
	Accepted bool
	At       time.Time
}

var termsIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$`)

// knownTerms are the terms identifiers the catalogue uses, in their
// canonical spelling.
var knownTerms = []string{NegBal}

// CanonicalTerms spells a known terms identifier as the catalogue does
// (negbal -> negBal); other identifiers are answered as given.
func CanonicalTerms(id string) string {
	for _, k := range knownTerms {
		if strings.EqualFold(k, id) {
			return k
		}
	}
	return id
}

// RawTerms is one termsAcceptances entry as received: Flag is the text of
// termsAcceptanceFlag (a JSON boolean or a "true"/"false" string), empty
// when absent; At is termsAcceptanceDateTime, empty when absent.
type RawTerms struct {
	ID   string
	Flag string
	At   string
}

// ParseTerms validates a termsAcceptances list. An absent
// termsAcceptanceDateTime is the time of receipt; one more than
// MaxTermsAhead after now is invalid. An identifier may appear once.
func ParseTerms(raw []RawTerms, now time.Time) ([]TermsInput, error) {
	if len(raw) == 0 {
		return nil, apperr.Field("termsAcceptances", "termsAcceptances is required (at least one entry)")
	}
	if len(raw) > MaxTermsPerRequest {
		return nil, apperr.Field("termsAcceptances", "termsAcceptances has more than %d entries", MaxTermsPerRequest)
	}
	out := make([]TermsInput, 0, len(raw))
	for i, r := range raw {
		t, err := parseOne(r, now, "termsAcceptances["+itoa(i)+"].")
		if err != nil {
			return nil, err
		}
		for _, prev := range out {
			if prev.ID == t.ID {
				return nil, apperr.Field("termsAcceptances["+itoa(i)+"].termsIdentifier",
					"termsIdentifier %s appears more than once", t.ID)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

func parseOne(r RawTerms, now time.Time, prefix string) (TermsInput, error) {
	var t TermsInput
	if !termsIDRE.MatchString(r.ID) {
		return t, apperr.Field(prefix+"termsIdentifier",
			"%stermsIdentifier is required: 1 to 50 letters, digits, '_', '-' or '.'", prefix)
	}
	t.ID = CanonicalTerms(r.ID)
	switch strings.ToLower(r.Flag) {
	case "true":
		t.Accepted = true
	case "false":
	default:
		return t, apperr.Field(prefix+"termsAcceptanceFlag", "%stermsAcceptanceFlag must be true or false", prefix)
	}
	if r.At == "" {
		t.At = now.UTC().Truncate(time.Microsecond)
		return t, nil
	}
	at, ok := parseDateTime(r.At)
	if !ok {
		return t, apperr.Field(prefix+"termsAcceptanceDateTime",
			"%stermsAcceptanceDateTime must be an ISO 8601 UTC date-time, e.g. 2020-04-03T09:12:11.627Z", prefix)
	}
	if at.After(now.Add(MaxTermsAhead)) {
		return t, apperr.Field(prefix+"termsAcceptanceDateTime",
			"%stermsAcceptanceDateTime may not be more than 720 hours from now", prefix)
	}
	if at.Year() < 1970 {
		return t, apperr.Field(prefix+"termsAcceptanceDateTime", "%stermsAcceptanceDateTime is before 1970", prefix)
	}
	t.At = at.UTC().Truncate(time.Microsecond) // the schema keeps microseconds
	return t, nil
}

// parseDateTime accepts RFC 3339 with any fraction, or the same without a
// zone (the contract's date-times are UTC).
func parseDateTime(s string) (time.Time, bool) {
	if len(s) > 40 {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
