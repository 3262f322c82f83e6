package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxScanDepth bounds the nesting duplicateKey follows; encoding/json
// refuses deeper documents itself.
const maxScanDepth = 10000

// duplicateKey answers the path ("holder.firstName", "items[1].id") of the
// first key given twice in one object of body, or "" when there is none.
// A partner's validator may keep the first of two keys where encoding/json
// keeps the last, so the two would act on different requests. Keys are
// compared as encoding/json reads them: "a" and "\u0061" are one key. The
// scan does not validate: a body that is not well-formed JSON is reported
// by decoding. It reads the bytes once and allocates only per object, as
// it runs before every JSON body is decoded.
func duplicateKey(body []byte) string {
	stack := make([]scanFrame, 0, 8)
	keys := make([][]byte, 0, 32) // every open object's keys, innermost last
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			end := stringEnd(body, i)
			if end < 0 {
				return ""
			}
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				f := &stack[n-1]
				f.key, f.wantKey = keyText(body[i:end]), false
				if f.seen(&keys, f.key) {
					return scanPath(stack)
				}
			}
			i = end - 1
		case '{', '[':
			if len(stack) >= maxScanDepth {
				return ""
			}
			stack = append(stack, scanFrame{object: c == '{', wantKey: c == '{', first: len(keys)})
		case '}', ']':
			if len(stack) == 0 {
				return ""
			}
			keys = keys[:stack[len(stack)-1].first]
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

// stringEnd answers the index just past the JSON string starting at
// body[i] (a quote), or -1 when it is not closed.
func stringEnd(body []byte, i int) int {
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// keyText answers a quoted key as encoding/json reads it: escapes decoded
// and invalid UTF-8 replaced, so two spellings of one key compare equal.
func keyText(quoted []byte) []byte {
	raw := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return raw
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return raw
	}
	return []byte(s)
}

// scanFrame is one open object or array of duplicateKey's scan.
type scanFrame struct {
	object  bool
	wantKey bool            // the next string is a key
	key     []byte          // the object's current key
	index   int             // the array's current element
	first   int             // where the object's keys start in the scan's keys
	set     map[string]bool // the object's keys, once there are many
}

// seen reports whether key was already given in f, and records it in
// keys (or in f's own set).
func (f *scanFrame) seen(keys *[][]byte, key []byte) bool {
	if f.set != nil {
		if f.set[string(key)] {
			return true
		}
		f.set[string(key)] = true
		return false
	}
	mine := (*keys)[f.first:]
	for _, k := range mine {
		if bytes.Equal(k, key) {
			return true
		}
	}
	if len(mine) < 16 {
		*keys = append(*keys, key)
		return false
	}
	// A linear search would be quadratic in a huge object.
	f.set = make(map[string]bool, 2*len(mine))
	for _, k := range append(mine, key) {
		f.set[string(k)] = true
	}
	*keys = (*keys)[:f.first]
	return false
}

// scanPath names the current key of the innermost object in stack.
func scanPath(stack []scanFrame) string {
	var b strings.Builder
	for _, f := range stack {
		if !f.object {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.Write(f.key)
	}
	return b.String()
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// jsonType names, in JSON's terms, what a Go type decodes from, so an
// error message never shows a Go type ("struct { ... }", "int64").
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[json.Number]() {
		return "a number"
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a string (base64)"
		}
		return "an array"
	case reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another JSON type"
}

// valueKind names the JSON value encoding/json met; its text ("number
// 1.5") is not repeated.
func valueKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "string", "number":
		return "a " + kind
	case "object", "array":
		return "an " + kind
	case "bool":
		return "a boolean"
	}
	return "another JSON type"
}

// typeMessage says what is wrong with a value of the wrong JSON type.
func typeMessage(field string, t reflect.Type, value string) string {
	want, got := jsonType(t), valueKind(value)
	if want == "an integer" && got == "a number" {
		return field + " must be an integer within range, without a fraction or exponent"
	}
	return field + " must be " + want + ", not " + got
}
