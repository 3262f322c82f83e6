package care

import (
	"encoding/json"
	"strconv"
	"strings"

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
