package verification

import (
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

func TestParseContact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ct, ch, handle string
		want           string
		code           int // 0: valid
	}{
		{"email", "email", "Jane.Doe@Example.COM", "jane.doe@example.com", 0},
		{"EMAIL", "Email", " a+tag@sub.example.org ", "a+tag@sub.example.org", 0},
		{"phone", "sms", "(213) 373-4253", "+12133734253", 0},
		{"phone", "voice", "+1 213.373.4253", "+12133734253", 0},
		{"phone", "sms", "1-213-373-4253", "+12133734253", 0},
		{"phone", "sms", "2133734253", "+12133734253", 0},
		{"", "email", "a@example.com", "", codeMissing},
		{"email", "", "a@example.com", "", codeMissing},
		{"email", "email", "  ", "", codeMissing},
		{"mail", "email", "a@example.com", "", codeInvalid},
		{"email", "fax", "a@example.com", "", codeInvalid},
		{"email", "sms", "a@example.com", "", codeInvalid},
		{"phone", "email", "2133734253", "", codeInvalid},
		{"email", "email", "a@example", "", codeInvalid},
		{"email", "email", "a@-example.com", "", codeInvalid},
		{"email", "email", "Jane <a@example.com>", "", codeInvalid},
		{"email", "email", "a@@example.com", "", codeInvalid},
		{"email", "email", strings.Repeat("a", 65) + "@example.com", "", codeInvalid},
		{"email", "email", strings.Repeat("a", 250) + "@example.com", "", codeTooLong},
		{"phone", "sms", "+44 20 7946 0958", "", codeInvalid},
		{"phone", "sms", "555-0143", "", codeInvalid},
		{"phone", "sms", "(000) 373-4253", "", codeInvalid},
		{"phone", "sms", "call me", "", codeInvalid},
	}
	for _, c := range cases {
		_, _, got, err := ParseContact(c.ct, c.ch, c.handle)
		if c.code == 0 {
			if err != nil || got != c.want {
				t.Errorf("ParseContact(%q, %q, %q) = %q, %v; want %q", c.ct, c.ch, c.handle, got, err, c.want)
			}
			continue
		}
		if e := apperr.As(err); err == nil || e.Kind != apperr.Invalid || e.Code != c.code {
			t.Errorf("ParseContact(%q, %q, %q) = %q, %v; want code %d", c.ct, c.ch, c.handle, got, err, c.code)
		}
	}
}

func TestNewCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 2000 {
		c, err := NewCode()
		if err != nil || len(c) != 6 || !allDigits(c) {
			t.Fatalf("NewCode() = %q, %v", c, err)
		}
		seen[c] = true
	}
	if len(seen) < 1990 { // 2000 draws from 10^6: collisions are rare
		t.Fatalf("only %d distinct codes in 2000", len(seen))
	}
}

func TestStatusAt(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := Verification{ExpiresAt: now.Add(time.Minute)}
	for _, c := range []struct {
		state State
		at    time.Time
		want  Status
	}{
		{StatePending, now, StatusPending}, {StateSent, now, StatusSent}, {StateSent, now.Add(time.Minute), StatusExpired},
		{StatePending, now.Add(2 * time.Minute), StatusExpired}, {StateVerified, now.Add(time.Hour), StatusVerified},
		{StateLocked, now, StatusLocked}, {StateFailed, now, StatusFailed},
	} {
		v.State = c.state
		if got := v.StatusAt(c.at); got != c.want {
			t.Errorf("%s at %v = %d, want %d", c.state, c.at, got, c.want)
		}
	}
}

func TestMaskAndCompose(t *testing.T) {
	t.Parallel()
	if m := Mask("jane.doe@example.com"); m != "j***@example.com" {
		t.Errorf("Mask email = %q", m)
	}
	if m := Mask("+12133734253"); m != "+1******4253" {
		t.Errorf("Mask phone = %q", m)
	}
	v := Verification{Channel: ChannelSMS, CreatedAt: time.Unix(0, 0), ExpiresAt: time.Unix(600, 0)}
	if _, body := Compose(v, "123456"); !strings.Contains(body, "123456") || !strings.Contains(body, "10 minutes") {
		t.Errorf("sms body %q", body)
	}
	if _, body := Compose(v, RedactedCode); !strings.Contains(body, RedactedCode) {
		t.Errorf("redacted body carries a code: %q", body)
	}
}

func FuzzParseContact(f *testing.F) {
	for _, s := range []string{"a@example.com", "(213) 373-4253", "+1 213 373 4253", "x", "<a@b.c>", "+999999999999999"} {
		f.Add("email", "email", s)
		f.Add("phone", "sms", s)
	}
	f.Fuzz(func(t *testing.T, ct, ch, handle string) {
		_, _, norm, err := ParseContact(ct, ch, handle)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("non-validation error %v", err)
			}
			return
		}
		// A normalised handle normalises to itself.
		_, _, again, err := ParseContact(ct, ch, norm)
		if err != nil || again != norm {
			t.Fatalf("%q -> %q -> %q, %v", handle, norm, again, err)
		}
	})
}

// No partner text goes into a message unless it reads as a name: a first
// name with line breaks once wrote paragraphs of the partner's into the
// OTP email (issue 16).
func TestComposeGreetsOnlyWithAName(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct{ first, greeting string }{
		{"Ann", "Hello Ann"},
		{"Jean-Luc O'Neil", "Hello Jean-Luc O'Neil"},
		{"José", "Hello José"},
		{"Ann\r\n\r\nYour account is locked: call +1 555 0100", "Hello,"},
		{"Ann\u2028Visit evil.example", "Hello,"},
		{"<a href=x>Ann</a>", "Hello,"},
		{"Ann\u202eLEGIT", "Hello,"},
		{strings.Repeat("A", 51), "Hello,"},
		{"", "Hello,"},
	}
	for _, ch := range []Channel{ChannelEmail, ChannelVoice} {
		for _, tt := range tests {
			v := Verification{FirstName: tt.first, Channel: ch, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
			_, body := Compose(v, "123456")
			want := tt.greeting
			if ch == ChannelVoice {
				want = strings.TrimSuffix(want, ",") // "Hello. Your code..." / "Hello Ann. Your code..."
			}
			if !strings.HasPrefix(body, want) || strings.Contains(body, "555 0100") || strings.Contains(body, "evil") ||
				strings.Contains(body, "<a") || strings.ContainsRune(body, '\u202e') {
				t.Errorf("%s %q: body %q", ch, tt.first, body)
			}
			if ch == ChannelEmail && strings.Count(body, "\r\n") != 5 {
				t.Errorf("%q: the email has %d line breaks, want the template's 5: %q", tt.first, strings.Count(body, "\r\n"), body)
			}
		}
	}
}
