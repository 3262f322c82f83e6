package card

import (
	"crypto/rand"
	"math/big"
)

// Luhn reports whether a string of digits passes the Luhn check.
func Luhn(pan string) bool {
	if len(pan) < 2 {
		return false
	}
	sum, double := 0, false
	for i := len(pan) - 1; i >= 0; i-- {
		c := pan[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ValidPAN reports whether pan is 16 digits and Luhn-valid.
func ValidPAN(pan string) bool { return len(pan) == 16 && Luhn(pan) }

// NewPAN makes a random Luhn-valid 16-digit PAN starting with bin.
func NewPAN(bin string) string {
	b := []byte(bin)
	for len(b) < 15 {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic("card: crypto/rand failed: " + err.Error())
		}
		b = append(b, byte('0'+n.Int64()))
	}
	for d := byte('0'); d <= '9'; d++ {
		if Luhn(string(append(b, d))) {
			return string(append(b, d))
		}
	}
	panic("card: no Luhn check digit") // unreachable: one digit always fits
}

// Mask shows a PAN as its BIN and last four ("411111******1111").
func Mask(pan string) string {
	if len(pan) < 10 {
		return "****"
	}
	m := []byte(pan)
	for i := 6; i < len(m)-4; i++ {
		m[i] = '*'
	}
	return string(m)
}
