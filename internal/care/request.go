package care

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/contact"
)

// The BaaS code/subCode pairs of the customer-care page's table
// (the contract's code tables, read as HTTP/code/subCode).
const (
	CodeRequired  = 200 // 4002000: required field is missing
	CodeTooLong   = 400 // 4004000: longer than allowed
	CodeInvalid   = 640 // 4006400: invalid number or string
	CodePhoneType = 600 // 4006000: invalid phone type
)

// The length limits of the page. customerQuestion is 5000: the page's
// parameter list says 5000 and its error table 500; the contract README
// decides 5000.
const (
	MaxSubject   = 100
	MaxName      = 100
	MinLastName  = 2
	MaxQuestion  = 5000
	MaxEmail     = 255
	MaxDeviceLen = 100
)

// PhoneType is phoneNumbers.type: mobile (0), home (1) or work (2).
type PhoneType string

// The phone types, in the order of their integer values.
const (
	Mobile PhoneType = "mobile"
	Home   PhoneType = "home"
	Work   PhoneType = "work"
)

var phoneTypes = []PhoneType{Mobile, Home, Work}

// DeviceOS is device.deviceOS: any alphanumeric value, as the page says
// ("iOS", "17"); an integer is kept as its digits. It reads the integers
// cases stored before it was text too.
type DeviceOS string

// UnmarshalJSON implements json.Unmarshaler: a string, or a number as its
// text.
func (d *DeviceOS) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*d = DeviceOS(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*d = DeviceOS(n.String())
	return nil
}

// DeviceOSNames names the integer deviceOS values of verdant's table (the
// page gives only the sample value 1); the CRM is told the name.
var DeviceOSNames = []string{"unknown", "iOS", "Android", "Windows", "macOS", "Linux", "other"}

// Name answers the OS as the CRM is told it: the name of an integer in
// DeviceOSNames, otherwise the value as sent.
func (d DeviceOS) Name() string {
	if i, err := strconv.Atoi(string(d)); err == nil && i >= 0 && i < len(DeviceOSNames) {
		return DeviceOSNames[i]
	}
	return string(d)
}

// Device is the optional device block. Every field is optional.
type Device struct {
	DeviceID        string   `json:"deviceID,omitempty"`
	DeviceMake      string   `json:"deviceMake,omitempty"`
	DeviceVersion   string   `json:"deviceVersion,omitempty"`
	DeviceOS        DeviceOS `json:"deviceOS,omitempty"`
	DeviceOSVersion string   `json:"deviceOSVersion,omitempty"`
}

// Phone is one validated phone number.
type Phone struct {
	Number string    `json:"number,omitempty"` // normalised: 10 NANP digits or +E.164
	Type   PhoneType `json:"type,omitempty"`
}

// Request is a validated case creation request.
type Request struct {
	Subject           string `json:"subject"`
	FirstName         string `json:"firstName"`
	LastName          string `json:"lastName"`
	CustomerQuestion  string `json:"customerQuestion"`
	EmailAddress      string `json:"emailAddress"`
	AccountIdentifier string `json:"accountIdentifier"`
	Phone             Phone  `json:"phone"`
	Device            Device `json:"device"`
}

// rawRequest holds the body before validation: every field stays raw so a
// value of the wrong JSON type is answered with the page's codes and the
// field's name, not as malformed JSON. Field names match
// case-insensitively, as encoding/json does.
type rawRequest struct {
	Subject           json.RawMessage `json:"subject"`
	FirstName         json.RawMessage `json:"firstName"`
	LastName          json.RawMessage `json:"lastName"`
	CustomerQuestion  json.RawMessage `json:"customerQuestion"`
	EmailAddress      json.RawMessage `json:"emailAddress"`
	AccountIdentifier json.RawMessage `json:"accountIdentifier"`
	PhoneNumbers      json.RawMessage `json:"phoneNumbers"`
	Device            json.RawMessage `json:"device"`
}

// errRequired and the functions below build the page's errors.
func errRequired(field string) error {
	return (&apperr.Error{Kind: apperr.Invalid, Field: field,
		Message: "Required field is missing: " + field + "."}).WithCode(CodeRequired, 0)
}

func errTooLong(field string, max int) error {
	return (&apperr.Error{Kind: apperr.Invalid, Field: field,
		Message: fmt.Sprintf("The %s should not be more than %d characters.", field, max)}).WithCode(CodeTooLong, 0)
}

func errTooShort(field string, min, max int) error {
	return (&apperr.Error{Kind: apperr.Invalid, Field: field,
		Message: fmt.Sprintf("The %s should be from %d to %d characters.", field, min, max)}).WithCode(CodeTooLong, 0)
}

func errInvalid(field string) error {
	return (&apperr.Error{Kind: apperr.Invalid, Field: field,
		Message: "The " + field + " is invalid."}).WithCode(CodeInvalid, 0)
}

// ErrPhoneType is the page's "Invalid Type" row.
var ErrPhoneType = (&apperr.Error{Kind: apperr.Invalid, Field: "phoneNumbers.type",
	Message: "The phoneType is invalid."}).WithCode(CodePhoneType, 0)

// ErrMalformed answers a body that is not a JSON object.
var ErrMalformed = (&apperr.Error{Kind: apperr.Invalid,
	Message: "The request body is invalid: it must be a JSON object."}).WithCode(CodeInvalid, 0)

// ParseRequest validates a case creation body. Checks run field by field
// in the page's order, and the first failure is answered.
func ParseRequest(body []byte) (Request, error) {
	var raw rawRequest
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return Request{}, ErrMalformed
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return Request{}, ErrMalformed
	}
	var req Request
	var err error
	texts := []struct {
		dst      *string
		raw      json.RawMessage
		name     string
		min, max int
	}{
		{&req.Subject, raw.Subject, "subject", 1, MaxSubject},
		{&req.FirstName, raw.FirstName, "firstName", 1, MaxName},
		{&req.LastName, raw.LastName, "lastName", MinLastName, MaxName},
		{&req.CustomerQuestion, raw.CustomerQuestion, "customerQuestion", 1, MaxQuestion},
		{&req.EmailAddress, raw.EmailAddress, "emailAddress", 1, MaxEmail},
		{&req.AccountIdentifier, raw.AccountIdentifier, "accountIdentifier", 1, 100},
	}
	for _, f := range texts {
		if *f.dst, err = requiredText(f.raw, f.name, f.min, f.max); err != nil {
			return Request{}, err
		}
	}
	if !contact.ValidEmail(req.EmailAddress) {
		return Request{}, errInvalid("emailAddress")
	}
	id, perr := uuid.Parse(req.AccountIdentifier)
	if perr != nil || len(req.AccountIdentifier) != 36 {
		return Request{}, errInvalid("accountIdentifier")
	}
	req.AccountIdentifier = id.String()
	if req.Phone, err = parsePhones(raw.PhoneNumbers); err != nil {
		return Request{}, err
	}
	if req.Device, err = parseDevice(raw.Device); err != nil {
		return Request{}, err
	}
	return req, nil
}

// isNull reports an absent or null value.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// requiredText reads a required string: absent, null or blank is the
// required row; a non-string is the invalid row; lengths count
// characters (runes), after trimming surrounding spaces.
func requiredText(raw json.RawMessage, name string, min, max int) (string, error) {
	s, present, err := optionalText(raw, name, max)
	if err != nil {
		return "", err
	}
	if !present || s == "" {
		return "", errRequired(name)
	}
	if utf8.RuneCountInString(s) < min {
		return "", errTooShort(name, min, max)
	}
	return s, nil
}

func optionalText(raw json.RawMessage, name string, max int) (string, bool, error) {
	if isNull(raw) {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, errInvalid(name)
	}
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || (name == "customerQuestion" && !TextOK(s)) || (name != "customerQuestion" && strings.ContainsFunc(s, isControl)) {
		return "", true, errInvalid(name)
	}
	if utf8.RuneCountInString(s) > max {
		return "", true, errTooLong(name, max)
	}
	return s, true, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// TextOK reports whether free text (a question, a note) holds no control
// characters other than line breaks and tabs. NUL in particular cannot be
// stored in a PostgreSQL TEXT column.
func TextOK(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return isControl(r) && r != '\n' && r != '\r' && r != '\t' })
}

// parsePhones reads phoneNumbers: the page's object, or (leniently) a
// list of such objects of which the first carrying a number is kept.
func parsePhones(raw json.RawMessage) (Phone, error) {
	if isNull(raw) {
		return Phone{}, nil
	}
	if raw[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return Phone{}, errInvalid("phoneNumbers")
		}
		var first Phone
		for i, item := range list {
			p, err := parsePhone(item)
			if err != nil {
				return Phone{}, err
			}
			if i == 0 || first.Number == "" {
				first = p
			}
		}
		return first, nil
	}
	return parsePhone(raw)
}

func parsePhone(raw json.RawMessage) (Phone, error) {
	var obj struct {
		Number json.RawMessage `json:"number"`
		Type   json.RawMessage `json:"type"`
	}
	if isNull(raw) {
		return Phone{}, nil
	}
	if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return Phone{}, errInvalid("phoneNumbers")
	}
	var p Phone
	if !isNull(obj.Number) {
		s, err := numberText(obj.Number)
		if err != nil {
			return Phone{}, err
		}
		if s != "" {
			if p.Number, err = NormalisePhone(s); err != nil {
				return Phone{}, err
			}
		}
	}
	if !isNull(obj.Type) {
		t, err := parsePhoneType(obj.Type)
		if err != nil {
			return Phone{}, err
		}
		p.Type = t
	}
	return p, nil
}

// numberText accepts the number as a JSON string or a JSON integer (the
// page calls it numeric).
func numberText(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if _, err := strconv.ParseUint(n.String(), 10, 64); err == nil {
			return n.String(), nil
		}
	}
	return "", errInvalid("number")
}

// parsePhoneType accepts a name (any case) or the integer 0, 1 or 2, as a
// JSON number or a numeric string.
func parsePhoneType(raw json.RawMessage) (PhoneType, error) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", ErrPhoneType
		}
		s = n.String()
	}
	s = strings.TrimSpace(s)
	if i, err := strconv.Atoi(s); err == nil {
		if i >= 0 && i < len(phoneTypes) {
			return phoneTypes[i], nil
		}
		return "", ErrPhoneType
	}
	for _, t := range phoneTypes {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	return "", ErrPhoneType
}
