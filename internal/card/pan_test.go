package card

import (
	"strings"
	"testing"
)

func TestLuhn(t *testing.T) {
	t.Parallel()
	for pan, want := range map[string]bool{
		"4111111111111111": true, "5344560000816246": true, "4111111111111112": false,
		"79927398713": true, "": false, "4111a11111111111": false,
	} {
		if got := Luhn(pan); got != want {
			t.Errorf("Luhn(%q) = %v", pan, got)
		}
	}
}

func TestNewPAN(t *testing.T) {
	t.Parallel()
	for i := 0; i < 200; i++ {
		pan := NewPAN("499998")
		if !ValidPAN(pan) || !strings.HasPrefix(pan, "499998") {
			t.Fatalf("NewPAN = %q", pan)
		}
	}
	if got := Mask("4111111111111111"); got != "411111******1111" {
		t.Fatalf("Mask = %q", got)
	}
}

func FuzzValidPAN(f *testing.F) {
	for _, s := range []string{"4111111111111111", "", "abcd", "5344560000816246"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidPAN(s) && (len(s) != 16 || strings.Trim(s, "0123456789") != "") {
			t.Fatalf("ValidPAN accepted %q", s)
		}
		if len(s) >= 10 && strings.Contains(Mask(s), s[6:len(s)-4]) && len(s) > 10 && strings.Trim(s[6:len(s)-4], "*") != "" {
			t.Fatalf("Mask leaked middle digits of %q", s)
		}
	})
}
