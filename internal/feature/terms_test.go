package feature

import (
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

func TestParseTerms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		in    []RawTerms
		field string // "" when valid
		want  TermsInput
	}{
		{"sample", []RawTerms{{"negBal", "false", "2020-04-03T09:12:11.627Z"}}, "",
			TermsInput{NegBal, false, time.Date(2020, 4, 3, 9, 12, 11, 627e6, time.UTC)}},
		{"canonical id, bool text", []RawTerms{{"NEGBAL", "TRUE", ""}}, "", TermsInput{NegBal, true, now}},
		{"no zone is UTC", []RawTerms{{"negBal", "true", "2025-12-31T23:00:00"}}, "",
			TermsInput{NegBal, true, time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)}},
		{"offset", []RawTerms{{"negBal", "true", "2026-01-02T05:04:05+02:00"}}, "", TermsInput{NegBal, true, now}},
		{"720h ahead is fine", []RawTerms{{"negBal", "true", now.Add(720 * time.Hour).Format(time.RFC3339)}}, "",
			TermsInput{NegBal, true, now.Add(720 * time.Hour)}},
		{"past 720h", []RawTerms{{"negBal", "true", now.Add(720*time.Hour + time.Second).Format(time.RFC3339)}},
			"termsAcceptances[0].termsAcceptanceDateTime", TermsInput{}},
		{"bad time", []RawTerms{{"negBal", "true", "03/04/2020"}}, "termsAcceptances[0].termsAcceptanceDateTime", TermsInput{}},
		{"missing flag", []RawTerms{{"negBal", "", ""}}, "termsAcceptances[0].termsAcceptanceFlag", TermsInput{}},
		{"bad flag", []RawTerms{{"negBal", "yes", ""}}, "termsAcceptances[0].termsAcceptanceFlag", TermsInput{}},
		{"number flag", []RawTerms{{"negBal", "1", ""}}, "termsAcceptances[0].termsAcceptanceFlag", TermsInput{}},
		{"missing id", []RawTerms{{"", "true", ""}}, "termsAcceptances[0].termsIdentifier", TermsInput{}},
		{"bad id", []RawTerms{{"neg bal", "true", ""}}, "termsAcceptances[0].termsIdentifier", TermsInput{}},
		{"duplicate", []RawTerms{{"negBal", "true", ""}, {"negbal", "false", ""}}, "termsAcceptances[1].termsIdentifier", TermsInput{}},
		{"empty", nil, "termsAcceptances", TermsInput{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTerms(tc.in, now)
			if tc.field != "" {
				e := apperr.As(err)
				if err == nil || e.Kind != apperr.Invalid || e.Field != tc.field {
					t.Fatalf("err = %#v, want Invalid on %s", err, tc.field)
				}
				return
			}
			if err != nil || len(got) != 1 || got[0].ID != tc.want.ID || got[0].Accepted != tc.want.Accepted || !got[0].At.Equal(tc.want.At) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func FuzzParseTerms(f *testing.F) {
	f.Add("negBal", "false", "2020-04-03T09:12:11.627Z")
	f.Add("x", "TRUE", "")
	f.Add("negBal", "true", "9999-12-31T23:59:59.999999999+14:00")
	f.Fuzz(func(t *testing.T, id, flag, at string) {
		got, err := ParseTerms([]RawTerms{{id, flag, at}}, now)
		if err != nil {
			if e := apperr.As(err); e.Kind != apperr.Invalid || e.Field == "" {
				t.Fatalf("error is not a field validation error: %#v", err)
			}
			return
		}
		if len(got) != 1 || got[0].At.After(now.Add(MaxTermsAhead)) || got[0].At.Location() != time.UTC || len(got[0].ID) > 50 {
			t.Fatalf("accepted invalid input: %+v", got)
		}
	})
}
