package vault

import (
	"strings"
	"testing"
)

func TestSealOpenRotate(t *testing.T) {
	t.Parallel()
	oldKey, _ := ParseKey(GenerateKey())
	old, err := New(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed, kid := old.Seal("4111111111111111", "pan:1")
	if strings.Contains(sealed, "4111") {
		t.Fatal("plaintext visible in sealed value")
	}
	newKey, _ := ParseKey(GenerateKey())
	rotated, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.KeyID() == kid {
		t.Fatal("rotated vault kept the old key id")
	}
	got, err := rotated.Open(sealed, kid, "pan:1")
	if err != nil || got != "4111111111111111" {
		t.Fatalf("open after rotation = %q, %v", got, err)
	}
	if _, err := rotated.Open(sealed, kid, "pan:2"); err == nil {
		t.Fatal("opened a value under the wrong context")
	}
	fresh, _ := New(newKey)
	if _, err := fresh.Open(sealed, kid, "pan:1"); err != ErrUnknownKey {
		t.Fatalf("want ErrUnknownKey, got %v", err)
	}
}

func TestIndexIsKeyedAndStable(t *testing.T) {
	t.Parallel()
	k1, _ := ParseKey(GenerateKey())
	k2, _ := ParseKey(GenerateKey())
	a, _ := New(k1)
	b, _ := New(k2)
	if a.Index("pan", "4111") != a.Index("pan", "4111") {
		t.Fatal("index not stable")
	}
	if a.Index("pan", "4111") == b.Index("pan", "4111") || a.Index("pan", "4111") == a.Index("ssn", "4111") {
		t.Fatal("index not keyed by key and namespace")
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "abc", strings.Repeat("z", 64)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := ParseKey(GenerateKey()); err != nil {
		t.Fatal(err)
	}
}
