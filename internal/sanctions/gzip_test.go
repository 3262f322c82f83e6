package sanctions

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"testing"
)

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGunzipCap(t *testing.T) {
	plain := bytes.Repeat([]byte("a"), 1000)
	for _, tc := range []struct {
		name    string
		max     int64
		tooBig  bool
		wantLen int
	}{
		{name: "under the cap", max: 1001, wantLen: 1000},
		{name: "at the cap", max: 1000, wantLen: 1000},
		{name: "over the cap is refused, not truncated", max: 999, tooBig: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Gunzip(gz(t, plain), tc.max)
			if tc.tooBig {
				if !errors.Is(err, ErrTooLarge) || b != nil {
					t.Fatalf("Gunzip = %d bytes, %v; want ErrTooLarge", len(b), err)
				}
				return
			}
			if err != nil || len(b) != tc.wantLen {
				t.Fatalf("Gunzip = %d bytes, %v; want %d", len(b), err, tc.wantLen)
			}
		})
	}
}

func TestGunzipBase64(t *testing.T) {
	if b, err := GunzipBase64("", MaxFileBytes); b != nil || err != nil {
		t.Fatalf(`GunzipBase64("") = %q, %v; want nil, nil`, b, err)
	}
	if _, err := GunzipBase64("not base64!", MaxFileBytes); err == nil {
		t.Fatal("GunzipBase64 accepted text that is not base64")
	}
	if _, err := GunzipBase64(base64.StdEncoding.EncodeToString([]byte("plain")), MaxFileBytes); err == nil {
		t.Fatal("GunzipBase64 accepted base64 of a file that is not gzip")
	}
	b, err := GunzipBase64(base64.StdEncoding.EncodeToString(gz(t, []byte("sdn"))), MaxFileBytes)
	if err != nil || string(b) != "sdn" {
		t.Fatalf("GunzipBase64 = %q, %v; want sdn", b, err)
	}
}
