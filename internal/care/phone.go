package care

import (
	"encoding/json"
	"strconv"
	"strings"
)

// NormalisePhone validates a phone number and answers it normalised.
//
// A number without a leading + is read as a North American (NANP) number:
// 10 digits, or 11 starting with 1, with the usual separators (spaces,
// dashes, dots, parentheses); the area code and the exchange must start
// with 2-9 and the area code may not be an N11 service code. The answer is
// the 10 digits. A number with a leading + is read as E.164: a country
// code not starting with 0 and 8 to 15 digits in all, answered as + and
// the digits; a +1 number must pass the NANP rules and is answered as its
// 10 digits, so each number has one form.
func NormalisePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	intl := strings.HasPrefix(s, "+")
	if intl {
		s = s[1:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", errInvalid("number")
		}
	}
	d := b.String()
	if intl {
		if len(d) < 8 || len(d) > 15 || d[0] == '0' {
			return "", errInvalid("number")
		}
		if d[0] == '1' {
			if len(d) != 11 || !nanp(d[1:]) {
				return "", errInvalid("number")
			}
			return d[1:], nil // one form per NANP number
		}
		return "+" + d, nil
	}
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) != 10 || !nanp(d) {
		return "", errInvalid("number")
	}
	return d, nil
}

// nanp checks 10 digits NPA-NXX-XXXX.
func nanp(d string) bool {
	return len(d) == 10 && d[0] >= '2' && !(d[1] == '1' && d[2] == '1') && d[3] >= '2'
}

// parseDevice validates the optional device block: the text fields are
// alphanumeric (letters and digits, plus the separators real device data
// carries: space . - _), at most 100 characters; deviceOS is an integer
// index into DeviceOSNames (a numeric string is accepted too).
func parseDevice(raw json.RawMessage) (Device, error) {
	if isNull(raw) {
		return Device{}, nil
	}
	var obj struct {
		DeviceID        json.RawMessage `json:"deviceID"`
		DeviceMake      json.RawMessage `json:"deviceMake"`
		DeviceVersion   json.RawMessage `json:"deviceVersion"`
		DeviceOS        json.RawMessage `json:"deviceOS"`
		DeviceOSVersion json.RawMessage `json:"deviceOSVersion"`
	}
	if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return Device{}, errInvalid("device")
	}
	var d Device
	texts := []struct {
		dst  *string
		raw  json.RawMessage
		name string
	}{
		{&d.DeviceID, obj.DeviceID, "deviceID"},
		{&d.DeviceMake, obj.DeviceMake, "deviceMake"},
		{&d.DeviceVersion, obj.DeviceVersion, "deviceVersion"},
		{&d.DeviceOSVersion, obj.DeviceOSVersion, "deviceOSVersion"},
	}
	for _, f := range texts {
		s, _, err := optionalText(f.raw, f.name, MaxDeviceLen)
		if err != nil {
			return Device{}, err
		}
		if !alphanumeric(s) {
			return Device{}, errInvalid(f.name)
		}
		*f.dst = s
	}
	if !isNull(obj.DeviceOS) {
		os, err := parseDeviceOS(obj.DeviceOS)
		if err != nil {
			return Device{}, err
		}
		d.DeviceOS = &os
	}
	return d, nil
}

func parseDeviceOS(raw json.RawMessage) (int, error) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return 0, errInvalid("deviceOS")
		}
		s = n.String()
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || i < 0 || i >= len(DeviceOSNames) {
		return 0, errInvalid("deviceOS")
	}
	return i, nil
}

func alphanumeric(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == ' ' || r == '.' || r == '-' || r == '_':
		default:
			return false
		}
	}
	return true
}
