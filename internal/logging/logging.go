// Package logging builds verdant's structured JSON logger. Its handler
// redacts by key (pan, ssn, secret, token, ...) and by value (anything
// that looks like a card number or SSN), so a careless log line cannot
// leak them.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
)

// sensitiveKeys are attribute keys whose values are never logged: a key
// matches when it equals one of these, or when its last "_"- or
// "."-separated part does (card_pan, partner.client_secret), in any case.
var sensitiveKeys = map[string]bool{
	"pan": true, "accountnumber": true, "cardnumber": true, "ssn": true, "socialsecuritynumber": true,
	"dob": true, "dateofbirth": true, "secret": true, "client_secret": true, "clientsecret": true,
	"password": true, "token": true, "access_token": true, "authorization": true,
	"verificationcode": true, "code_plain": true, "lastfourssn": true,
}

var (
	panRE = regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`)
	ssnRE = regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)
)

// New answers a JSON logger at level writing to w.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: Redact}))
}

// NewFormat answers a logger at level writing to w in format "json" (New)
// or "text" (slog's key=value lines, easier for a person at a terminal).
// Both redact the same way.
func NewFormat(w io.Writer, level slog.Level, format string) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: Redact}))
	}
	return New(w, level)
}

// Redact is a slog ReplaceAttr that masks sensitive attributes.
func Redact(_ []string, a slog.Attr) slog.Attr {
	if isSensitive(a.Key) {
		return slog.String(a.Key, "[REDACTED]")
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); mayHoldNumber(s) {
			return slog.String(a.Key, RedactText(s))
		}
	case slog.KindAny:
		// Errors and Stringers carry text from drivers and providers (an
		// SMTP reply may quote an address or a number): redact it too.
		var s string
		switch v := a.Value.Any().(type) {
		case error:
			s = v.Error()
		case fmt.Stringer:
			s = v.String()
		default:
			return a
		}
		if mayHoldNumber(s) {
			return slog.String(a.Key, RedactText(s))
		}
	}
	return a
}

// isSensitive runs for every attribute of every log line, so it lower-cases
// into a stack buffer and looks up a map, allocating nothing.
func isSensitive(key string) bool {
	if len(key) > 64 {
		return false
	}
	var buf [64]byte
	k := buf[:len(key)]
	last := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == '_' || c == '.' {
			last = i + 1
		}
		k[i] = c
	}
	return sensitiveKeys[string(k)] || (last > 0 && sensitiveKeys[string(k[last:])])
}

// mayHoldNumber reports whether s has a run of at least 9 digits joined
// only by single spaces or hyphens: the least a PAN or an SSN needs. It
// keeps the regular expressions off the request ids and UUIDs in every
// log line.
func mayHoldNumber(s string) bool {
	digits, sep := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits++; digits >= 9 {
				return true
			}
			sep = false
		case (c == ' ' || c == '-') && digits > 0 && !sep:
			sep = true
		default:
			digits, sep = 0, false
		}
	}
	return false
}

// RedactText masks card-number-like digit runs (13 to 19 digits) and SSNs
// in free text.
func RedactText(s string) string {
	s = panRE.ReplaceAllStringFunc(s, func(m string) string { return "[PAN]" })
	return ssnRE.ReplaceAllString(s, "[SSN]")
}
