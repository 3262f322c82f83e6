package care

import (
	"encoding/json"
	"strconv"

	"github.com/verdant-baas/verdant/internal/contact"
)

// NormalisePhone validates a phone number (contact.ParsePhone) and
// answers it in one form per number: the 10 digits for a North American
// number (with or without +1), E.164 for any other.
func NormalisePhone(s string) (string, error) {
	p, err := contact.ParsePhone(s)
	if err != nil {
		return "", errInvalid("number")
	}
	if p.NANP() {
		return p.National(), nil
	}
	return p.E164(), nil
}

// nanp checks 10 digits NPA-NXX-XXXX.
func nanp(d string) bool {
	return len(d) == 10 && d[0] >= '2' && !(d[1] == '1' && d[2] == '1') && d[3] >= '2'
}

// parseDevice validates the optional device block. Every field is
// "alphanumeric" (the page): letters and digits, plus the separators real
// device data carries (space . - _), at most 100 characters, sent as a
// JSON string or an integer (kept as its digits). deviceOS is no
// exception: "iOS" and 1 are both accepted.
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
	var os string
	texts := []struct {
		dst  *string
		raw  json.RawMessage
		name string
	}{
		{&d.DeviceID, obj.DeviceID, "deviceID"},
		{&d.DeviceMake, obj.DeviceMake, "deviceMake"},
		{&d.DeviceVersion, obj.DeviceVersion, "deviceVersion"},
		{&os, obj.DeviceOS, "deviceOS"},
		{&d.DeviceOSVersion, obj.DeviceOSVersion, "deviceOSVersion"},
	}
	for _, f := range texts {
		s, err := deviceField(f.raw, f.name)
		if err != nil {
			return Device{}, err
		}
		*f.dst = s
	}
	d.DeviceOS = DeviceOS(os)
	return d, nil
}

// deviceField reads one device field: a string, or an integer as its
// digits; "" when absent or null.
func deviceField(raw json.RawMessage, name string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if raw[0] != '"' {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", errInvalid(name)
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return "", errInvalid(name) // a fraction or exponent is not alphanumeric
		}
		raw = json.RawMessage(strconv.Quote(n.String()))
	}
	s, _, err := optionalText(raw, name, MaxDeviceLen)
	if err != nil {
		return "", err
	}
	if !alphanumeric(s) {
		return "", errInvalid(name)
	}
	return s, nil
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
