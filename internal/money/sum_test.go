package money

import (
	"math"
	"math/big"
	"testing"
)

func TestSumAgainstBigInt(t *testing.T) {
	t.Parallel()
	vals := []int64{math.MaxInt64, math.MaxInt64, 1, math.MinInt64, -1, math.MinInt64, math.MinInt64, 12345, -99, math.MaxInt64}
	var s Sum
	want := new(big.Int)
	for i, v := range vals {
		s = s.Add(v)
		want.Add(want, big.NewInt(v))
		if s.String() != want.String() {
			t.Fatalf("after %d additions: %s, want %s", i+1, s, want)
		}
	}
	if got := s.Minus(s); !got.IsZero() {
		t.Fatalf("s - s = %s", got)
	}
	if got := s.Neg().Plus(s); !got.IsZero() {
		t.Fatalf("-s + s = %s", got)
	}
}

func TestSumInt64AndCmp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s      Sum
		want   int64
		fits   bool
		format string
	}{
		{SumOf(1286), 1286, true, "12.86"},
		{SumOf(-10000), -10000, true, "-100.00"},
		{SumOf(math.MaxInt64), math.MaxInt64, true, "92233720368547758.07"},
		{SumOf(math.MinInt64), math.MinInt64, true, "-92233720368547758.08"},
		{SumOf(math.MaxInt64, 1), 0, false, "92233720368547758.08"},
		{SumOf(math.MinInt64, -1), 0, false, "-92233720368547758.09"},
		{SumOf(math.MaxInt64, math.MaxInt64, 2), 0, false, "184467440737095516.16"},
	}
	for _, tt := range tests {
		v, ok := tt.s.Int64()
		if ok != tt.fits || ok && v != tt.want {
			t.Errorf("%s.Int64() = %d, %v", tt.s, v, ok)
		}
		if got := tt.s.Format(); got != tt.format {
			t.Errorf("%s.Format() = %q, want %q", tt.s, got, tt.format)
		}
	}
	if SumOf(math.MaxInt64, 1).Cmp(SumOf(math.MaxInt64)) != 1 || SumOf(-1).Cmp(SumOf(0)) != -1 || SumOf(5).Cmp(SumOf(2, 3)) != 0 {
		t.Error("Cmp")
	}
}

// TestFromParts checks that a total split as SUM(x / 2^24) and
// SUM(x % 2^24) (truncating division, as both SQL engines do) joins back
// exactly, for negative values too.
func TestFromParts(t *testing.T) {
	t.Parallel()
	vals := []int64{MaxMinor, -MaxMinor, 1, -1, 16777216, -16777217, 123456789012, math.MaxInt64 / 2}
	var hi, lo int64
	want := new(big.Int)
	for i := 0; i < 1000; i++ {
		v := vals[i%len(vals)]
		hi += v / (1 << PartShift)
		lo += v % (1 << PartShift)
		want.Add(want, big.NewInt(v))
	}
	if got := FromParts(hi, lo); got.String() != want.String() {
		t.Fatalf("FromParts = %s, want %s", got, want)
	}
	if got := FromParts(-3, 5); got.String() != "-50331643" {
		t.Fatalf("FromParts(-3, 5) = %s", got)
	}
}
