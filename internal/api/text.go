package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Text from partners and operators is refused at decoding, in one place,
// if it holds a character no field of the contract needs and that only
// does harm downstream: NUL (PostgreSQL cannot store it, so the engines
// would answer differently), the other C0 and C1 control characters and
// DEL (line breaks and escapes written into emails, logs and CSV), the
// bidirectional overrides and isolates U+202A..U+202E and U+2066..U+2069
// (text that reads differently from what it says), and the line and
// paragraph separators U+2028 and U+2029. Free-text fields (freeText)
// may hold tab, line feed, carriage return and the two separators, an
// uploaded file anything but NUL. Path segments, query parameters and
// form values are never free text and must also be valid UTF-8.

// textClass says what a body field may hold beyond a line of text.
type textClass int

const (
	oneLine   textClass = iota // the default: no control character at all
	lines                      // free text: tab, line feed, carriage return, U+2028, U+2029 too
	plainFile                  // an uploaded file's text: anything but NUL
)

// freeText lists, per route pattern, the body fields that are not one
// line: a case's question and notes, and the OFAC files an operator
// uploads as CSV text (which end with a 0x1A byte).
var freeText = map[string]map[string]textClass{
	"POST /programs/{programCode}/customerCare/cases":       {"customerQuestion": lines},
	"PATCH /admin/v1/cases/{caseNumber}":                    {"note": lines},
	"POST /admin/v1/customers/{customerid}/sanctionsReview": {"note": lines},
	"POST /admin/v1/sanctions/lists":                        {"sdn": plainFile, "alt": plainFile, "add": plainFile},
}

// badRune reports whether r may not appear in text of class c.
func badRune(r rune, c textClass) bool {
	switch {
	case c == plainFile:
		return r == 0
	case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
		return c != lines
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return true
	case r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// badText reports whether s holds a character badRune refuses.
func badText(s string, c textClass) bool {
	for _, r := range s {
		if badRune(r, c) {
			return true
		}
	}
	return false
}

// textError is the answer, in r's family, for a value of field (a key
// path such as "device.deviceID") holding a refused character: the
// family's 400 for an invalid value. The BaaS family words it as its
// pages word an invalid string (code 640, "The deviceID is invalid."),
// the retail family with its code 100 and, for a metadata field, its own
// description.
func textError(r *http.Request, field string) error {
	leaf := field[strings.LastIndexByte(field, '.')+1:]
	switch familyOf(r.URL.Path) {
	case familyBaaS:
		return apperr.Field(field, "The %s is invalid.", leaf).WithCode(640, 0)
	case familyRetail:
		if strings.HasPrefix(field, "metadata.") {
			return apperr.Field(field, "Metadata fields must not contain control characters")
		}
	}
	return apperr.Field(field, "%s must not contain control characters or bidirectional overrides", field)
}

// checkURLText refuses a request whose path or query holds a refused
// character or invalid UTF-8 (a path segment or a parameter reaches a
// lookup as it is). It runs before routing.
func checkURLText(r *http.Request) error {
	if !utf8.ValidString(r.URL.Path) || badText(r.URL.Path, oneLine) {
		return textError(r, "path")
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // a malformed pair is the handler's to answer
	for k, vs := range q {
		if !utf8.ValidString(k) || badText(k, oneLine) {
			return textError(r, "query parameter")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) || badText(v, oneLine) {
				return textError(r, k)
			}
		}
	}
	return nil
}

// checkFormText refuses form values (and keys) of r with a refused
// character or invalid UTF-8.
func checkFormText(r *http.Request, form url.Values) error {
	for k, vs := range form {
		if !utf8.ValidString(k) || badText(k, oneLine) {
			return textError(r, "form field")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) || badText(v, oneLine) {
				return textError(r, k)
			}
		}
	}
	return nil
}

// badJSONText answers the key path of the first string of a JSON body,
// key or value, escaped or not, that holds a refused character ("" when
// there is none; "key" for a key); fields names the free-text fields of
// the route (by key, freeText). It does not validate: malformed JSON is decoding's
// to report. A body of plain ASCII without escapes (most bodies) is
// passed after one scan for a backslash or a high byte.
func badJSONText(body []byte, fields map[string]textClass) string {
	if bytes.IndexByte(body, '\\') < 0 && asciiPrintable(body) {
		return ""
	}
	stack := make([]scanFrame, 0, 8)
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			end := stringEnd(body, i)
			if end < 0 {
				return ""
			}
			isKey := len(stack) > 0 && stack[len(stack)-1].wantKey
			key := ""
			if len(stack) > 0 && !isKey {
				key = string(innermostKey(stack))
			}
			if s, ok := stringText(body[i:end]); ok && badText(s, fieldClass(fields, key, isKey)) {
				if isKey {
					return "key"
				}
				return scanPath(stack)
			}
			if isKey {
				f := &stack[len(stack)-1]
				f.key, f.wantKey = keyText(body[i:end]), false
			}
			i = end - 1
		case '{', '[':
			if len(stack) >= maxScanDepth {
				return ""
			}
			stack = append(stack, scanFrame{object: c == '{', wantKey: c == '{'})
		case '}', ']':
			if len(stack) == 0 {
				return ""
			}
			stack = stack[:len(stack)-1]
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			} else if n > 0 {
				stack[n-1].index++
			}
		}
	}
	return ""
}

// fieldClass is the class of a string: a key is one line; a value is of
// its key's class.
func fieldClass(fields map[string]textClass, key string, isKey bool) textClass {
	if isKey {
		return oneLine
	}
	return fields[key]
}

// innermostKey is the key of the innermost object around the current
// value (through arrays: the strings of "lines": ["a", "b"] are lines).
func innermostKey(stack []scanFrame) []byte {
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].object {
			return stack[i].key
		}
	}
	return nil
}

// stringText decodes a quoted JSON string as encoding/json would (raw
// bytes kept when there is nothing to decode); ok is false when it is not
// a valid JSON string, which decoding then reports.
func stringText(quoted []byte) (string, bool) {
	raw := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), true
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return "", false
	}
	return s, true
}

// asciiPrintable reports whether b holds no byte at or above DEL (0x7f).
// Bytes under 0x20 may appear outside strings as whitespace; inside a
// string JSON forbids them unescaped, so decoding refuses them there.
func asciiPrintable(b []byte) bool {
	for _, c := range b {
		if c >= 0x7f {
			return false
		}
	}
	return true
}
