package partner

import (
	"strings"
	"testing"
	"time"
)

func TestTokenVerify(t *testing.T) {
	t.Parallel()
	tk := &Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := Partner{ID: "p1", ClientID: "c1"}
	good := tk.Issue(p, now).AccessToken
	other := (&Tokens{Key: []byte("another key, same length.........."), TTL: time.Hour}).Issue(p, now).AccessToken
	tests := []struct {
		name, token string
		at          time.Time
		wantErr     string
	}{
		{"valid", good, now.Add(time.Minute), ""},
		{"expired", good, now.Add(time.Hour), "expired"},
		{"garbled", good[:len(good)-3] + "abc", now, "signature"},
		{"other key", other, now, "signature"},
		{"no prefix", "abc.def", now, "malformed"},
		{"empty", "", now, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tk.Verify(tt.token, tt.at)
			if tt.wantErr == "" {
				if err != nil || c.PartnerID != "p1" || c.ClientID != "c1" {
					t.Fatalf("Verify = %+v, %v", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Verify error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func BenchmarkTokenVerify(b *testing.B) {
	tk := &Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour}
	now := time.Now()
	tok := tk.Issue(Partner{ID: "p1", ClientID: "c1"}, now).AccessToken
	for b.Loop() {
		if _, err := tk.Verify(tok, now); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzTokenVerify(f *testing.F) {
	tk := &Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour}
	now := time.Now()
	f.Add(tk.Issue(Partner{ID: "p", ClientID: "c"}, now).AccessToken)
	f.Add("vt1.abc.def")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := tk.Verify(s, now)
		if err == nil && (c.PartnerID == "" && c.ClientID == "") {
			t.Fatalf("accepted token without claims: %q", s)
		}
		if err != nil && strings.Contains(err.Error(), s) && len(s) > 8 {
			t.Fatalf("error echoes the token: %v", err)
		}
	})
}
