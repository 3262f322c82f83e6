package customer

import (
	"strings"
	"time"
)

// Validate applies every field rule of the contract's table to a create
// request and answers the normalised profile (no status yet).
func Validate(in Input, now time.Time) (Profile, error) {
	var p Profile
	if in.ID != "" {
		if err := ValidID(in.ID); err != nil {
			return p, err
		}
	}
	p.ID = in.ID
	for _, f := range []struct {
		r        rule
		v        string
		required bool
		dst      *string
	}{
		{ruleFirst, in.FirstName, true, &p.FirstName},
		{ruleLast, in.LastName, true, &p.LastName},
		{ruleEmail, in.Email, false, &p.Email},
		{rulePhone, in.Phone, false, &p.Phone},
		{ruleAddress1, in.Address1, false, &p.Address1},
		{ruleAddress2, in.Address2, false, &p.Address2},
		{ruleCity, in.City, false, &p.City},
		{ruleState, in.State, false, &p.State},
		{ruleZip, in.Zip, true, &p.Zip},
		{ruleLastFour, in.LastFourSSN, false, &p.LastFour},
	} {
		v := strings.TrimSpace(f.v)
		if v == "" {
			if f.required {
				return p, requiredErr(f.r.field)
			}
			continue
		}
		if err := f.r.check(v); err != nil {
			return p, err
		}
		*f.dst = v
	}
	if p.Email != "" {
		if err := validEmail(p.Email); err != nil {
			return p, err
		}
	}
	if v := strings.TrimSpace(in.DOB); v != "" {
		dob, err := ParseDOB(v, now)
		if err != nil {
			return p, err
		}
		p.DOB = dob
	}
	if v := strings.TrimSpace(in.SSN); v != "" {
		ssn, err := ParseSSN(v)
		if err != nil {
			return p, err
		}
		p.SSN = ssn
	}
	return p, nil
}

func requiredErr(field string) error {
	return ruleErr(field, field+" is required")
}

// Verify checks that the identity data is possible. It answers a detail
// code and the reason when it is not, 0 otherwise.
func Verify(p Profile, now time.Time) (int, string) {
	if p.SSN != "" && !SSNIssuable(p.SSN) {
		return DetailSSNNotIssuable, "Social security number is not issuable."
	}
	if p.SSN != "" && p.LastFour != "" && p.SSN[5:] != p.LastFour {
		return DetailLastFour, "Last four SSN digits do not match the social security number."
	}
	if !p.DOB.IsZero() {
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		if p.DOB.After(today) {
			return DetailDOBFuture, "Date of birth is in the future."
		}
		if p.DOB.AddDate(18, 0, 0).After(today) {
			return DetailUnder18, "Customer is under 18 years of age."
		}
	}
	return 0, ""
}
