package api

import "testing"

func TestBadJSONText(t *testing.T) {
	t.Parallel()
	free := map[string]textClass{"q": lines, "file": plainFile}
	tests := []struct{ body, want string }{
		{`{"a":"plain","b":["x",{"c":"y"}],"n":1}`, ""},
		{`{"a":"José 😀 \" \\ \/ \u00e9"}`, ""},
		{`{"a":"x\u0000"}`, "a"},
		{`{"a":"x\u001F"}`, "a"},
		{`{"a":"x\u007f"}`, "a"},
		{"{\"a\":\"x\u0085\"}", "a"},
		{`{"a":"x\u0085"}`, "a"},
		{`{"a":"\u202A"}`, "a"},
		{`{"a":"\u202e"}`, "a"},
		{"{\"a\":\"\u2069\"}", "a"},
		{`{"a":"\u2028"}`, "a"},
		{`{"a":"line\nbreak"}`, "a"},
		{`{"a":"tab\t"}`, "a"},
		{`{"a":{"b":[{"c":"ok"},{"c":"bad\r"}]}}`, "a.b[1].c"},
		{`{"x\u0000":"v"}`, "key"},
		{`{"q":"line one\r\nline two\ttab\u2029"}`, ""},
		{`{"q":"nul\u0000"}`, "q"},
		{`{"q":"\u202e"}`, "q"},
		{`{"file":"csv\n\u001a\u0085"}`, ""},
		{`{"file":"\u0000"}`, "file"},
		{`{"a":"\ud800"}`, ""}, // a lone surrogate decodes to U+FFFD
		{`{"a":"unclosed`, ""}, // malformed: decoding reports it
		{`["\u0000"]`, ""},     // a top-level array: no key to name
		{`{"a":["\u0000"]}`, "a[0]"},
	}
	for _, tt := range tests {
		got := badJSONText([]byte(tt.body), free)
		if tt.body == `["\u0000"]` {
			if got == "" {
				t.Errorf("%s: not refused", tt.body)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("badJSONText(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func BenchmarkBadJSONText(b *testing.B) {
	body := []byte(`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":"12.86","currency":"USD","adjustmentType":"promo","adjustmentDescription":"Acme Cashback"}`)
	for b.Loop() {
		badJSONText(body, nil)
	}
}
