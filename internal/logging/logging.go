// Package logging builds verdant's structured JSON logger. Its handler
// redacts by key (pan, ssn, secret, token, ...) and by value (anything
// that looks like a card number or SSN), so a careless log line cannot
// leak them.
package logging

import (
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// sensitiveKeys are attribute keys whose values are never logged.
var sensitiveKeys = []string{
	"pan", "accountnumber", "cardnumber", "ssn", "socialsecuritynumber", "dob", "dateofbirth",
	"secret", "client_secret", "clientsecret", "password", "token", "access_token", "authorization",
	"verificationcode", "code_plain", "lastfourssn",
}

var (
	panRE = regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`)
	ssnRE = regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)
)

// New answers a JSON logger at level writing to w.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: Redact}))
}

// Redact is a slog ReplaceAttr that masks sensitive attributes.
func Redact(_ []string, a slog.Attr) slog.Attr {
	if isSensitive(a.Key) {
		return slog.String(a.Key, "[REDACTED]")
	}
	if a.Value.Kind() == slog.KindString {
		if s := a.Value.String(); strings.ContainsAny(s, "0123456789") {
			return slog.String(a.Key, RedactText(s))
		}
	}
	return a
}

func isSensitive(key string) bool {
	k := strings.ToLower(key)
	for _, s := range sensitiveKeys {
		if k == s || strings.HasSuffix(k, "_"+s) || strings.HasSuffix(k, "."+s) {
			return true
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
