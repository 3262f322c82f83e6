package money

import (
	"encoding/json"
	"testing"
)

func TestParseMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"12.86", 1286, nil}, {"5", 500, nil}, {"10.00", 1000, nil}, {"0.5", 50, nil},
		{"9.4000", 0, ErrPrecision}, {"12.860", 0, ErrPrecision}, {".5", 50, nil}, {"007.10", 710, nil}, {"-5", -500, nil},
		{"12.345", 0, ErrPrecision}, {"abc", 0, ErrSyntax}, {"1e400", 0, ErrSyntax},
		{"", 0, ErrSyntax}, {".", 0, ErrSyntax}, {"1.", 0, ErrSyntax}, {"1,00", 0, ErrSyntax},
		{"+5", 0, ErrSyntax}, {"99999999999999999999", 0, ErrRange}, {"1 0", 0, ErrSyntax},
		{"1000000000000.00", MaxMinor, nil}, {"1000000000000.01", 0, ErrRange},
	}
	for _, tt := range tests {
		got, err := ParseMinor(tt.in)
		if err != tt.err || got != tt.want {
			t.Errorf("ParseMinor(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{0: "0.00", 5: "0.05", 1286: "12.86", -10000: "-100.00", 100: "1.00"} {
		if got := Format(in); got != want {
			t.Errorf("Format(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestAmountJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body    string
		want    int64
		wantErr bool
	}{
		{`{"a":10.00}`, 1000, false}, {`{"a":"12.86"}`, 1286, false}, {`{"a":1e400}`, 0, true},
		{`{"a":"abc"}`, 0, true}, {`{"a":12.345}`, 0, true}, {`{"a":null}`, 0, true}, {`{}`, 0, true},
		{`{"a":true}`, 0, true}, {`{"a":""}`, 0, true},
	}
	for _, tt := range tests {
		var v struct{ A Amount }
		if err := json.Unmarshal([]byte(tt.body), &v); err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		got, err := v.A.Minor()
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %d, %v", tt.body, got, err)
		}
	}
}

func FuzzParseMinor(f *testing.F) {
	for _, s := range []string{"12.86", "5", "0.5", "-1", "1e5", "9.4000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMinor(s)
		if err != nil {
			return
		}
		if v > MaxMinor || v < -MaxMinor {
			t.Fatalf("%q parsed out of range: %d", s, v)
		}
		back, err := ParseMinor(Format(v))
		if err != nil || back != v {
			t.Fatalf("round trip %q -> %d -> %q -> %d, %v", s, v, Format(v), back, err)
		}
	})
}
