package money

import (
	"math"
	"math/big"
	"math/bits"
)

// Sum is an overflow-safe total of amounts in minor units: a 128-bit
// two's-complement integer, so 2^63 additions of any int64 cannot
// overflow it. Totals over many amounts (a day's credits, every
// account's closing balance) are Sums; a single balance stays an int64,
// bounded by the ledger's rules. The zero value is 0.
type Sum struct {
	hi int64
	lo uint64
}

// SumOf answers the Sum of the given amounts.
func SumOf(vs ...int64) Sum {
	var s Sum
	for _, v := range vs {
		s = s.Add(v)
	}
	return s
}

// PartShift is how the storage splits a sum it cannot compute safely in
// SQL: SUM(x / 2^PartShift) and SUM(x % 2^PartShift) each stay far
// inside int64 for any realistic number of rows (each part of an amount
// is under 2^24 in size, so 2^39 rows are needed to overflow either),
// and FromParts joins them exactly.
const PartShift = 24

// FromParts answers hi * 2^PartShift + lo, the total of a sum taken in
// two parts (PartShift).
func FromParts(hi, lo int64) Sum {
	h := SumOf(hi)
	shifted := Sum{hi: h.hi<<PartShift | int64(h.lo>>(64-PartShift)), lo: h.lo << PartShift}
	return shifted.Add(lo)
}

// Add answers s + v.
func (s Sum) Add(v int64) Sum {
	lo, carry := bits.Add64(s.lo, uint64(v), 0)
	hi := s.hi + int64(carry)
	if v < 0 {
		hi-- // v's high word is all ones
	}
	return Sum{hi: hi, lo: lo}
}

// Plus answers s + o.
func (s Sum) Plus(o Sum) Sum {
	lo, carry := bits.Add64(s.lo, o.lo, 0)
	return Sum{hi: s.hi + o.hi + int64(carry), lo: lo}
}

// Neg answers -s.
func (s Sum) Neg() Sum {
	lo, carry := bits.Add64(^s.lo, 1, 0)
	return Sum{hi: ^s.hi + int64(carry), lo: lo}
}

// Minus answers s - o.
func (s Sum) Minus(o Sum) Sum { return s.Plus(o.Neg()) }

// Cmp answers -1, 0 or +1 as s is less than, equal to or greater than o.
func (s Sum) Cmp(o Sum) int {
	switch {
	case s.hi < o.hi:
		return -1
	case s.hi > o.hi:
		return 1
	case s.lo < o.lo:
		return -1
	case s.lo > o.lo:
		return 1
	}
	return 0
}

// IsZero reports whether s is 0.
func (s Sum) IsZero() bool { return s == Sum{} }

// Int64 answers s as an int64; ok is false when it does not fit.
func (s Sum) Int64() (v int64, ok bool) {
	if s.hi == 0 && s.lo <= math.MaxInt64 || s.hi == -1 && s.lo > math.MaxInt64 {
		return int64(s.lo), true
	}
	return 0, false
}

// big answers s as a big.Int.
func (s Sum) big() *big.Int {
	b := new(big.Int).SetInt64(s.hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(s.lo))
}

// String answers the integer in decimal (minor units).
func (s Sum) String() string { return s.big().String() }

// Format renders the sum as a decimal string with two places, as Format
// does an amount.
func (s Sum) Format() string {
	if v, ok := s.Int64(); ok {
		return Format(v)
	}
	b := s.big()
	sign := ""
	if b.Sign() < 0 {
		sign = "-"
		b.Neg(b)
	}
	q, r := new(big.Int).QuoRem(b, big.NewInt(100), new(big.Int))
	cents := r.Int64()
	pad := ""
	if cents < 10 {
		pad = "0"
	}
	return sign + q.String() + "." + pad + r.String()
}

// CheckedAdd answers a + b; ok is false when the sum overflows int64.
func CheckedAdd(a, b int64) (sum int64, ok bool) {
	sum = a + b
	return sum, (b >= 0) == (sum >= a)
}
