package care

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apperr"
)

const acct = "0b6f3c1e-8f4a-4f43-9d0e-2c1a7e5b9a10"

func validBody() map[string]any {
	return map[string]any{
		"subject": "Registering Your Card", "firstName": "Jack", "lastName": "Jones",
		"customerQuestion": "Free form question", "emailAddress": "jack@example.com", "accountIdentifier": acct,
		"phoneNumbers": map[string]any{"number": "310-555-1234", "type": 0},
		"device": map[string]any{"deviceID": "A1B2", "deviceMake": "Apple", "deviceVersion": "15",
			"deviceOS": 1, "deviceOSVersion": "17.1.2"},
	}
}

func with(mut func(m map[string]any)) []byte {
	m := validBody()
	mut(m)
	b, _ := json.Marshal(m)
	return b
}

func TestParseRequestValid(t *testing.T) {
	t.Parallel()
	r, err := ParseRequest(with(func(map[string]any) {}))
	if err != nil {
		t.Fatal(err)
	}
	if r.Phone.Number != "3105551234" || r.Phone.Type != Mobile || r.Device.DeviceOS != "1" ||
		r.AccountIdentifier != acct || r.Subject != "Registering Your Card" {
		t.Fatalf("parsed %+v", r)
	}
}

// TestParseRequestRows checks every row of the page's error table.
func TestParseRequestRows(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	phone := func(number, typ any) func(m map[string]any) {
		return func(m map[string]any) { m["phoneNumbers"] = map[string]any{"number": number, "type": typ} }
	}
	device := func(k string, v any) func(m map[string]any) {
		return func(m map[string]any) { m["device"].(map[string]any)[k] = v }
	}
	set := func(k string, v any) func(m map[string]any) { return func(m map[string]any) { m[k] = v } }
	del := func(k string) func(m map[string]any) { return func(m map[string]any) { delete(m, k) } }
	tests := []struct {
		name string
		mut  func(m map[string]any)
		code int
		msg  string
	}{
		// Required Field 400/200/0.
		{"subject missing", del("subject"), 200, "Required field is missing: subject."},
		{"firstName null", set("firstName", nil), 200, "Required field is missing: firstName."},
		{"lastName blank", set("lastName", "   "), 200, "Required field is missing: lastName."},
		{"customerQuestion empty", set("customerQuestion", ""), 200, "Required field is missing: customerQuestion."},
		{"emailAddress missing", del("emailAddress"), 200, "Required field is missing: emailAddress."},
		{"accountIdentifier missing", del("accountIdentifier"), 200, "Required field is missing: accountIdentifier."},
		// Length Greater Than 100 400/400/0.
		{"subject 101", set("subject", long(101)), 400, "The subject should not be more than 100 characters."},
		{"firstName 101", set("firstName", long(101)), 400, "The firstName should not be more than 100 characters."},
		{"lastName 101", set("lastName", long(101)), 400, "The lastName should not be more than 100 characters."},
		{"lastName 1", set("lastName", "J"), 400, "The lastName should be from 2 to 100 characters."},
		{"deviceMake 101", device("deviceMake", long(101)), 400, "The deviceMake should not be more than 100 characters."},
		// customerQuestion length 400/400/0 (5000, README decision).
		{"customerQuestion 5001", set("customerQuestion", long(5001)), 400, "The customerQuestion should not be more than 5000 characters."},
		// Email > 255 400/400/0.
		{"email 256", set("emailAddress", long(244)+"@example.com"), 400, "The emailAddress should not be more than 255 characters."},
		// Invalid Number 400/640/0.
		{"number letters", phone("310-555-CALL", 0), 640, "The number is invalid."},
		{"number short", phone("555-1234", 0), 640, "The number is invalid."},
		{"number area code 0", phone("010-555-1234", 0), 640, "The number is invalid."},
		{"number N11", phone("911-555-1234", 0), 640, "The number is invalid."},
		{"number bool", phone(true, 0), 640, "The number is invalid."},
		{"number negative", phone(-3105551234, 0), 640, "The number is invalid."},
		// Invalid Type 400/600/0.
		{"type 3", phone("3105551234", 3), 600, "The phoneType is invalid."},
		{"type fax", phone("3105551234", "fax"), 600, "The phoneType is invalid."},
		{"type -1", phone("3105551234", -1), 600, "The phoneType is invalid."},
		{"type object", phone("3105551234", map[string]any{}), 600, "The phoneType is invalid."},
		// Invalid String 400/640/0.
		{"email no at", set("emailAddress", "jack.example.com"), 640, "The emailAddress is invalid."},
		{"email no dot", set("emailAddress", "jack@localhost"), 640, "The emailAddress is invalid."},
		{"email display name", set("emailAddress", "Jack <jack@example.com>"), 640, "The emailAddress is invalid."},
		{"subject number", set("subject", 42), 640, "The subject is invalid."},
		{"subject control", set("subject", "a\x00b"), 640, "The subject is invalid."},
		{"subject newline", set("subject", "a\nb"), 640, "The subject is invalid."},
		{"customerQuestion NUL", set("customerQuestion", "a\x00b"), 640, "The customerQuestion is invalid."},
		{"accountIdentifier not uuid", set("accountIdentifier", "12345"), 640, "The accountIdentifier is invalid."},
		{"deviceID symbols", device("deviceID", "a;b"), 640, "The deviceID is invalid."},
		{"deviceMake symbols", device("deviceMake", "<script>"), 640, "The deviceMake is invalid."},
		{"deviceVersion symbols", device("deviceVersion", "1/2"), 640, "The deviceVersion is invalid."},
		{"deviceOSVersion symbols", device("deviceOSVersion", "17!"), 640, "The deviceOSVersion is invalid."},
		{"deviceOS symbols", device("deviceOS", "iOS;17"), 640, "The deviceOS is invalid."},
		{"deviceOS fraction", device("deviceOS", 1.5), 640, "The deviceOS is invalid."},
		{"deviceOS exponent", device("deviceOS", json.Number("1e3")), 640, "The deviceOS is invalid."},
		{"deviceOS boolean", device("deviceOS", true), 640, "The deviceOS is invalid."},
		{"deviceOS 101", device("deviceOS", long(101)), 400, "The deviceOS should not be more than 100 characters."},
		{"deviceVersion fraction", device("deviceVersion", 15.5), 640, "The deviceVersion is invalid."},
		{"device not object", set("device", "iphone"), 640, "The device is invalid."},
		{"phoneNumbers not object", set("phoneNumbers", 3105551234), 640, "The phoneNumbers is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequest(with(tt.mut))
			e := apperr.As(err)
			if err == nil || e.Kind != apperr.Invalid || e.Code != tt.code || e.SubCode != 0 || e.Message != tt.msg {
				t.Fatalf("got %v (kind %v code %d/%d), want %d %q", err, e.Kind, e.Code, e.SubCode, tt.code, tt.msg)
			}
		})
	}
}

func TestParseRequestAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mut   func(m map[string]any)
		check func(r Request) bool
	}{
		{"type by name", func(m map[string]any) { m["phoneNumbers"] = map[string]any{"number": "3105551234", "type": "Work"} },
			func(r Request) bool { return r.Phone.Type == Work }},
		{"type as numeric string", func(m map[string]any) { m["phoneNumbers"] = map[string]any{"type": "1"} },
			func(r Request) bool { return r.Phone.Type == Home && r.Phone.Number == "" }},
		{"number as integer", func(m map[string]any) { m["phoneNumbers"] = map[string]any{"number": 13105551234} },
			func(r Request) bool { return r.Phone.Number == "3105551234" }},
		{"number international", func(m map[string]any) { m["phoneNumbers"] = map[string]any{"number": "+44 20 7946 0958"} },
			func(r Request) bool { return r.Phone.Number == "+442079460958" }},
		{"phone list", func(m map[string]any) {
			m["phoneNumbers"] = []any{map[string]any{"type": "home"}, map[string]any{"number": "(212) 555-0100", "type": 2}}
		}, func(r Request) bool { return r.Phone.Number == "2125550100" && r.Phone.Type == Work }},
		// The page: every device field is "alphanumeric"; integers still work.
		{"deviceOS by name", func(m map[string]any) { m["device"].(map[string]any)["deviceOS"] = "iOS" },
			func(r Request) bool { return r.Device.DeviceOS == "iOS" }},
		{"deviceOS any integer", func(m map[string]any) { m["device"].(map[string]any)["deviceOS"] = 99 },
			func(r Request) bool { return r.Device.DeviceOS == "99" }},
		{"device fields as integers", func(m map[string]any) {
			m["device"] = map[string]any{"deviceID": 123456, "deviceMake": "Google", "deviceVersion": 8, "deviceOS": 2, "deviceOSVersion": 14}
		}, func(r Request) bool {
			d := r.Device
			return d.DeviceID == "123456" && d.DeviceVersion == "8" && d.DeviceOS == "2" && d.DeviceOSVersion == "14"
		}},
		{"no optional blocks", func(m map[string]any) { delete(m, "phoneNumbers"); delete(m, "device") },
			func(r Request) bool { return r.Phone == (Phone{}) && r.Device == (Device{}) }},
		{"exact limits", func(m map[string]any) {
			m["subject"], m["lastName"], m["customerQuestion"] = strings.Repeat("s", 100), "Li", strings.Repeat("q", 5000)
			// 255 characters within RFC 5321's limits (local part at most 64, labels at most 63).
			m["emailAddress"] = strings.Repeat("e", 64) + "@" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 58) + ".com"
		}, func(r Request) bool { return len(r.Subject) == 100 && len(r.EmailAddress) == 255 }},
		{"multibyte counts characters", func(m map[string]any) { m["subject"] = strings.Repeat("é", 100) },
			func(r Request) bool { return len([]rune(r.Subject)) == 100 }},
		{"question keeps line breaks", func(m map[string]any) { m["customerQuestion"] = "line 1\r\nline 2\tend" },
			func(r Request) bool { return r.CustomerQuestion == "line 1\r\nline 2\tend" }},
		{"uppercase uuid", func(m map[string]any) { m["accountIdentifier"] = strings.ToUpper(acct) },
			func(r Request) bool { return r.AccountIdentifier == acct }},
		{"field names any case", func(m map[string]any) { m["Subject"] = m["subject"]; delete(m, "subject") },
			func(r Request) bool { return r.Subject == "Registering Your Card" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRequest(with(tt.mut))
			if err != nil || !tt.check(r) {
				t.Fatalf("got %+v, %v", r, err)
			}
		})
	}
}

func TestParseRequestMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "[]", "null", "{", `{"subject":}`, "42"} {
		if _, err := ParseRequest([]byte(body)); apperr.As(err).Code != CodeInvalid {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func TestNormalisePhone(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"310-555-1234": "3105551234", "(310) 555-1234": "3105551234", "1 310 555 1234": "3105551234",
		"310.555.1234": "3105551234", "+1 310 555 1234": "3105551234", "+33 1 42 68 53 00": "+33142685300",
	}
	for in, want := range ok {
		got, err := NormalisePhone(in)
		if err != nil || got != want {
			t.Errorf("%q = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "123", "310-155-1234", "+0123456789", "+1 110 555 1234", "310-555-12345", "+1234567", "3105551234x12"} {
		if _, err := NormalisePhone(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// FuzzParseRequest: any input is answered with a request or an Invalid
// error carrying one of the page's codes, never a panic.
func FuzzParseRequest(f *testing.F) {
	f.Add(string(with(func(map[string]any) {})))
	f.Add(`{"phoneNumbers":[{"number":1,"type":"x"}],"device":{"deviceOS":"1"}}`)
	f.Add(`{"subject":"\u0000"}`)
	f.Fuzz(func(t *testing.T, body string) {
		r, err := ParseRequest([]byte(body))
		if err != nil {
			e := apperr.As(err)
			if e.Kind != apperr.Invalid || (e.Code != CodeRequired && e.Code != CodeTooLong && e.Code != CodeInvalid && e.Code != CodePhoneType) {
				t.Fatalf("unexpected error %#v", e)
			}
			return
		}
		if r.Subject == "" || r.EmailAddress == "" || len(r.AccountIdentifier) != 36 {
			t.Fatalf("accepted an incomplete request %+v", r)
		}
	})
}

func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{"310-555-1234", "+442079460958", "1(310)5551234", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalisePhone(s)
		if err != nil {
			return
		}
		again, err := NormalisePhone(n)
		if err != nil || again != n {
			t.Fatalf("%q normalised to %q, which normalises to %q, %v", s, n, again, err)
		}
	})
}

// A case stored while deviceOS was an integer still reads, and the CRM is
// told an integer's name from verdant's table, any other value as sent.
func TestDeviceOSStoredAndNamed(t *testing.T) {
	t.Parallel()
	var d Device
	if err := json.Unmarshal([]byte(`{"deviceMake":"Apple","deviceOS":1}`), &d); err != nil || d.DeviceOS != "1" {
		t.Fatalf("stored integer: %+v %v", d, err)
	}
	for in, want := range map[DeviceOS]string{"1": "iOS", "6": "other", "7": "7", "Android": "Android", "iOS 17": "iOS 17"} {
		if got := in.Name(); got != want {
			t.Errorf("%q names %q, want %q", in, got, want)
		}
	}
	b, _ := json.Marshal(Device{DeviceOS: "iOS"})
	if string(b) != `{"deviceOS":"iOS"}` {
		t.Fatalf("marshalled %s", b)
	}
}
