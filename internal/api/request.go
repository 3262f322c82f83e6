package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// decodeJSON reads a JSON request body into v. It answers TooLarge for a
// body over the limit, UnsupportedMedia for a non-JSON content type, and
// Invalid (naming the field where it can) for malformed JSON, a key given
// twice in one object or a value of the wrong type. An empty body decodes
// as {}.
func decodeJSON(r *http.Request, v any) error { return decode(r, v, false) }

// decodeStrict is decodeJSON that also refuses a field v does not have:
// for operator changes, where a misspelt or read-only field that was
// silently ignored would look applied.
func decodeStrict(r *http.Request, v any) error { return decode(r, v, true) }

func decode(r *http.Request, v any, strict bool) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return apperr.Field(name, "%s cannot be set here", name)
		}
		return jsonError(err)
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return apperr.E(apperr.Invalid, "malformed JSON: data after the value at offset %d", dec.InputOffset())
	}
	return nil
}

// readJSON checks the content type and reads the whole body as it came,
// for a handler whose domain parses the bytes itself (care.ParseRequest).
// It answers UnsupportedMedia for a non-JSON content type, TooLarge for
// a body over the limit and Invalid for a key given twice in one object:
// every family's body passes here, so none can read a request differently
// from the partner's own validator.
func readJSON(r *http.Request) ([]byte, error) {
	if err := requireJSON(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, apperr.E(apperr.TooLarge, "request body exceeds %d bytes", mbe.Limit)
		}
		return nil, apperr.E(apperr.Invalid, "could not read request body")
	}
	if key := duplicateKey(body); key != "" {
		return nil, apperr.Field(key, "%s is given more than once in one object", key)
	}
	return body, nil
}

func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil // lenient: many clients omit it on JSON bodies
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return apperr.E(apperr.UnsupportedMedia, "Content-Type must be application/json")
	}
	return nil
}

func jsonError(err error) error {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			return apperr.E(apperr.Invalid, "request body must be a JSON object")
		}
		return apperr.Field(field, "%s", typeMessage(field, ute.Type, ute.Value))
	case errors.As(err, &se):
		return apperr.E(apperr.Invalid, "malformed JSON at offset %d", se.Offset)
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return apperr.Field(fe.field, "%s", fe.msg)
	}
	return apperr.E(apperr.Invalid, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// fieldError lets a custom UnmarshalJSON name its field.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return fmt.Sprintf("%s: %s", e.field, e.msg) }
