package api

import (
	"strconv"
	"unicode/utf8"

	"github.com/verdant-baas/verdant/internal/ledger"
)

// The report's rows are appended by hand rather than through
// encoding/json's reflection: a day of 100,000 adjustments spent a tenth
// of its time there. Each appender writes exactly what encoding/json
// writes for the row's view (reconAdjustmentView, reconAccountView), a
// test compares them byte for byte.

// appendReconAdjustment appends the JSON of reconAdjustmentView(a).
func appendReconAdjustment(b []byte, a ledger.Adjustment, escapeHTML bool) []byte {
	b = appendJSONString(append(b, `{"accountIdentifier":`...), a.AccountID, escapeHTML)
	b = appendJSONString(append(b, `,"adjustmentIdentifier":`...), a.AdjustmentID, escapeHTML)
	b = appendJSONString(append(b, `,"transactionIdentifier":`...), a.ID, escapeHTML)
	b = appendJSONString(append(b, `,"adjustmentType":`...), a.Type, escapeHTML)
	b = appendJSONString(append(b, `,"direction":`...), a.Direction().String(), escapeHTML)
	b = append(appendMinor(append(b, `,"amount":"`...), a.Amount), '"')
	b = append(appendMinor(append(b, `,"fee":"`...), a.Fee), '"')
	b = appendJSONString(append(b, `,"currency":`...), a.Currency, escapeHTML)
	b = appendJSONString(append(b, `,"adjustmentStatus":`...), a.Status, escapeHTML)
	b = appendJSONString(append(b, `,"adjustmentStatusReason":`...), a.Reason, escapeHTML)
	b = append(a.CreatedAt.UTC().AppendFormat(append(b, `,"transactionDate":"`...), ledger.TimeLayout), '"')
	b = appendJSONString(append(b, `,"adjustmentDescription":`...), a.Description, escapeHTML)
	return append(b, '}')
}

// appendReconAccount appends the JSON of reconAccountView(d).
func appendReconAccount(b []byte, d ledger.AccountDay, escapeHTML bool) []byte {
	b = appendJSONString(append(b, `{"account":`...), d.Account, escapeHTML)
	b = append(appendMinor(append(b, `,"openingBalance":"`...), d.Opening), '"')
	b = append(appendMinor(append(b, `,"closingBalance":"`...), d.Closing), '"')
	return append(b, '}')
}

// appendMinor appends money.Format(minor): units, a dot, two places.
func appendMinor(b []byte, minor int64) []byte {
	u := uint64(minor)
	if minor < 0 {
		b, u = append(b, '-'), -u
	}
	b = append(strconv.AppendUint(b, u/100, 10), '.')
	return append(b, byte('0'+u%100/10), byte('0'+u%10))
}

// appendJSONString appends s as encoding/json quotes it: ", \ and
// control characters escaped (\b \f \n \r \t short), invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped, and <, > and & as \u003c, \u003e,
// \u0026 when escapeHTML.
func appendJSONString(b []byte, s string, escapeHTML bool) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
