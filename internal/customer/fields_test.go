package customer

import (
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func TestParseDOB(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"01-14-1978", "1978-01-14"}, {"01/14/1978", "1978-01-14"}, {"01-14-78", "1978-01-14"},
		{"01/14/78", "1978-01-14"}, {"03/15/26", "2026-03-15"}, {"03/16/26", "1926-03-16"},
		{"02/29/2000", "2000-02-29"}, {"12/31/00", "2000-12-31"},
	} {
		got, err := ParseDOB(c.in, now)
		if err != nil || got.Format("2006-01-02") != c.want {
			t.Errorf("ParseDOB(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "1978-01-14", "13/01/1978", "00/10/1978", "02/30/1978", "02/29/1999",
		"01-14/1978", "01.14.1978", "1/4/1978", "01/14/197", "aa/bb/cccc", "01/14/1800", "01/14/+978"} {
		if _, err := ParseDOB(in, now); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ParseDOB(%q) = %v, want invalid", in, err)
		}
	}
}

func TestParseSSN(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"555123456": "555123456", "555-12-3456": "555123456"} {
		if got, err := ParseSSN(in); err != nil || got != want {
			t.Errorf("ParseSSN(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "55512345", "5551234567", "555-123-456", "555 12 3456", "55a123456", "555-12-34567"} {
		if _, err := ParseSSN(in); err == nil {
			t.Errorf("ParseSSN(%q) accepted", in)
		}
	}
}

func TestSSNIssuable(t *testing.T) {
	t.Parallel()
	for ssn, want := range map[string]bool{
		"555123456": true, "001010001": true, "899991234": true, "665123456": true, "667123456": true,
		"000123456": false, "666123456": false, "900123456": false, "999123456": false,
		"555003456": false, "555120000": false,
	} {
		if got := SSNIssuable(ssn); got != want {
			t.Errorf("SSNIssuable(%s) = %v", ssn, got)
		}
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	dob := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		name string
		p    Profile
		code int
	}{
		{"ok", Profile{SSN: "555123456", LastFour: "3456", DOB: dob("1978-01-14")}, 0},
		{"nothing given", Profile{}, 0},
		{"only last four", Profile{LastFour: "1234"}, 0},
		{"area 666", Profile{SSN: "666123456"}, DetailSSNNotIssuable},
		{"last four", Profile{SSN: "555123456", LastFour: "3457"}, DetailLastFour},
		{"future", Profile{DOB: dob("2026-03-16")}, DetailDOBFuture},
		{"17", Profile{DOB: dob("2008-03-16")}, DetailUnder18},
		{"18 today", Profile{DOB: dob("2008-03-15")}, 0},
	} {
		if code, why := Verify(c.p, now); code != c.code || (code != 0) != (why != "") {
			t.Errorf("%s: Verify = %d %q, want %d", c.name, code, why, c.code)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	t.Parallel()
	base := Input{FirstName: "Jane", LastName: "Doe", Zip: "54321"}
	if _, err := Validate(base, now); err != nil {
		t.Fatal(err)
	}
	for field, mutate := range map[string]func(*Input){
		"customerid":           func(in *Input) { in.ID = "a" },
		"firstname":            func(in *Input) { in.FirstName = "J4ne" },
		"lastname":             func(in *Input) { in.LastName = "" },
		"email":                func(in *Input) { in.Email = "jane@doe" },
		"phonenumber":          func(in *Input) { in.Phone = "12345" },
		"dateofbirth":          func(in *Input) { in.DOB = "1978-01-14" },
		"socialsecuritynumber": func(in *Input) { in.SSN = "12-345-6789" },
		"address1":             func(in *Input) { in.Address1 = "1 Main St, #5" },
		"address2":             func(in *Input) { in.Address2 = strings.Repeat("a", 26) },
		"city":                 func(in *Input) { in.City = "L.A." },
		"state":                func(in *Input) { in.State = "C A" },
		"zipcode":              func(in *Input) { in.Zip = "5432a" },
		"lastfourssn":          func(in *Input) { in.LastFourSSN = "12345" },
	} {
		in := base
		mutate(&in)
		_, err := Validate(in, now)
		if e := apperr.As(err); e.Kind != apperr.Invalid || e.Field != field || !strings.Contains(e.Message, field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func FuzzParseDOB(f *testing.F) {
	for _, s := range []string{"01-14-1978", "01/14/78", "02/29/2000", "13/40/9999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDOB(s, now)
		if err != nil {
			return
		}
		if d.Year() < 1850 || (len(s) == 8 && d.After(now)) {
			t.Fatalf("ParseDOB(%q) = %v", s, d)
		}
		if back := d.Format("01" + s[2:3] + "02" + s[5:6]); back != s[:6] {
			t.Fatalf("ParseDOB(%q) = %v does not round-trip", s, d)
		}
	})
}

func FuzzParseSSN(f *testing.F) {
	for _, s := range []string{"555123456", "555-12-3456", "000-00-0000", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ssn, err := ParseSSN(s)
		if err != nil {
			return
		}
		if len(ssn) != 9 || !digits(ssn) || strings.ReplaceAll(s, "-", "") != ssn {
			t.Fatalf("ParseSSN(%q) = %q", s, ssn)
		}
		SSNIssuable(ssn)
	})
}

func FuzzValidate(f *testing.F) {
	f.Add("Jane", "Doe", "jane@example.com", "6162534111", "01/14/78", "555-12-3456", "54321")
	f.Fuzz(func(t *testing.T, first, last, email, phone, dob, ssn, zip string) {
		p, err := Validate(Input{FirstName: first, LastName: last, Email: email, Phone: phone, DOB: dob, SSN: ssn, Zip: zip}, now)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("non-validation error %v", err)
			}
			return
		}
		if len(p.FirstName) < 2 || len(p.FirstName) > 25 || len(p.Zip) != 5 {
			t.Fatalf("accepted %+v", p)
		}
		Verify(p, now)
	})
}
