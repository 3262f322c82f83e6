package contact

import "testing"

func TestValidEmail(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"jane@example.com": true, "Jane.Doe+tag@mail.example.co.uk": true, "a@b.co": true,
		"": false, "jane": false, "jane@example": false, "Jane <jane@example.com>": false, "jane@.example.com": false,
		"jane@example..com": false, "jane@-example.com": false, "jane@exa_mple.com": false, "jane@[127.0.0.1]": false,
		"\"j a\"@example.com": false, "jane@example.com.": false,
	} {
		if got := ValidEmail(s); got != want {
			t.Errorf("ValidEmail(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParsePhone(t *testing.T) {
	t.Parallel()
	ok := []struct{ in, e164, national string }{
		{"310-555-1234", "+13105551234", "3105551234"}, {"(310) 555-1234", "+13105551234", "3105551234"},
		{"1 310 555 1234", "+13105551234", "3105551234"}, {"+1 213 373 4253", "+12133734253", "2133734253"},
		{"+33 1 42 68 53 00", "+33142685300", "142685300"}, {"604-555-0199", "+16045550199", "6045550199"},
	}
	for _, tt := range ok {
		p, err := ParsePhone(tt.in)
		if err != nil || p.E164() != tt.e164 || p.National() != tt.national {
			t.Errorf("ParsePhone(%q) = %q %q, %v", tt.in, p.E164(), p.National(), err)
		}
	}
	for _, in := range []string{"", "123", "310-155-1234", "+0123456789", "+1 110 555 1234", "310-555-12345",
		"+1234567", "3105551234x12", "310 555 1234 ext 5", "abc", "310-555-CALL", "31+05551234"} {
		if _, err := ParsePhone(in); err == nil {
			t.Errorf("ParsePhone(%q) accepted", in)
		}
	}
	us, _ := ParsePhone("310-555-1234")
	ca, _ := ParsePhone("604-555-0199")
	fr, _ := ParsePhone("+33 1 42 68 53 00")
	if !us.US() || ca.US() || fr.US() || !ca.NANP() || fr.NANP() {
		t.Error("US/NANP classification wrong")
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"310-555-1234", "+442079460958", "1(310)5551234", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			return
		}
		again, err := ParsePhone(p.E164())
		if err != nil || again.E164() != p.E164() {
			t.Fatalf("%q -> %q does not parse back the same: %v", s, p.E164(), err)
		}
	})
}
