package customer

import (
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/contact"
)

// ParseDOB parses a date of birth in one of the contract's formats:
// MM-DD-YYYY, MM/DD/YYYY, MM-DD-YY or MM/DD/YY. A two-digit year is the
// most recent year ending in those digits that does not put the date in
// the future (relative to now).
func ParseDOB(s string, now time.Time) (time.Time, error) {
	bad := apperr.Field("dateofbirth", "dateofbirth must be a valid date as MM-DD-YYYY, MM/DD/YYYY, MM-DD-YY or MM/DD/YY")
	if len(s) != 10 && len(s) != 8 {
		return time.Time{}, bad
	}
	sep := s[2]
	if (sep != '-' && sep != '/') || s[5] != sep {
		return time.Time{}, bad
	}
	mm, dd, yy := s[0:2], s[3:5], s[6:]
	if !digits(mm) || !digits(dd) || !digits(yy) {
		return time.Time{}, bad
	}
	m, _ := strconv.Atoi(mm)
	d, _ := strconv.Atoi(dd)
	y, _ := strconv.Atoi(yy)
	if len(yy) == 2 {
		now = now.UTC()
		y += now.Year() / 100 * 100
		if time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).After(now) {
			y -= 100
		}
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d || y < 1850 {
		return time.Time{}, bad
	}
	return t, nil
}

// ParseSSN accepts a Social Security number as 9 digits or NNN-NN-NNNN
// and answers the 9 digits.
func ParseSSN(s string) (string, error) {
	bad := apperr.Field("socialsecuritynumber", "socialsecuritynumber must be 9 digits, with or without hyphens (NNN-NN-NNNN)")
	switch {
	case len(s) == 9 && digits(s):
		return s, nil
	case len(s) == 11 && s[3] == '-' && s[6] == '-' && digits(s[:3]) && digits(s[4:6]) && digits(s[7:]):
		return s[:3] + s[4:6] + s[7:], nil
	}
	return "", bad
}

// SSNIssuable reports whether an SSN could have been issued: never area
// 000, 666 or 900-999, group 00 or serial 0000.
func SSNIssuable(ssn string) bool {
	area, _ := strconv.Atoi(ssn[:3])
	return area != 0 && area != 666 && area < 900 && ssn[3:5] != "00" && ssn[5:] != "0000"
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// allowed reports whether every byte of s is an ASCII letter or digit (as
// letters/digits say) or one of extra.
func allowed(s string, letters, digitsOK bool, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case letters && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
		case digitsOK && c >= '0' && c <= '9':
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

// rule is one field's rule from the contract's table.
type rule struct {
	field            string
	min, max         int
	letters, digits  bool
	extra, charsText string
}

func (r rule) check(v string) error {
	n := len(v)
	if n < r.min || n > r.max {
		if r.min == r.max {
			return apperr.Field(r.field, "%s must be exactly %d characters", r.field, r.max)
		}
		return apperr.Field(r.field, "%s must be %d to %d characters", r.field, r.min, r.max)
	}
	if !allowed(v, r.letters, r.digits, r.extra) {
		return apperr.Field(r.field, "%s may contain only %s", r.field, r.charsText)
	}
	return nil
}

var (
	ruleID       = rule{"customerid", 2, 50, true, true, "-", "letters, digits and hyphens"}
	ruleFirst    = rule{"firstname", 2, 25, true, false, "- ", "letters, hyphens and spaces"}
	ruleLast     = rule{"lastname", 2, 25, true, false, "- ", "letters, hyphens and spaces"}
	ruleEmail    = rule{"email", 6, 50, true, true, "_-.&@", "letters, digits, underscore, hyphen, period, ampersand and @"}
	rulePhone    = rule{"phonenumber", 10, 10, false, true, "", "digits"}
	ruleAddress1 = rule{"address1", 0, 25, true, true, "- /.", "letters, digits, hyphens, spaces, / and periods"}
	ruleAddress2 = rule{"address2", 0, 25, true, true, "- /.", "letters, digits, hyphens, spaces, / and periods"}
	ruleCity     = rule{"city", 0, 25, true, false, "- ", "letters, hyphens and spaces"}
	ruleState    = rule{"state", 0, 2, true, true, "_", "letters, digits and underscore"}
	ruleZip      = rule{"zipcode", 5, 5, false, true, "", "digits"}
	ruleLastFour = rule{"lastfourssn", 4, 4, false, true, "", "digits"}
)

// ValidID checks a customer id: 2 to 50 letters and digits. Hyphens are
// also accepted because the ids verdant generates are UUIDs.
func ValidID(id string) error { return ruleID.check(id) }

// validEmail checks the shape beyond the page's allowed characters, with
// the platform's one email rule (contact.ValidEmail).
func validEmail(s string) error {
	if !contact.ValidEmail(s) {
		return apperr.Field("email", "email must be an email address (name@example.com)")
	}
	return nil
}

func ruleErr(field, msg string) error { return apperr.Field(field, "%s", msg) }
