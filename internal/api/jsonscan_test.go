package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestDuplicateKey(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{body: ``, want: ""},
		{body: `{}`, want: ""},
		{body: `{"a":1,"b":2}`, want: ""},
		{body: `{"a":1,"a":2}`, want: "a"},
		{body: `{"a":1,"\u0061":2}`, want: "a"},
		{body: `{"a":1,"A":2}`, want: ""},
		{body: `{"a":{"b":1,"c":{"d":[1,2]},"b":3}}`, want: "a.b"},
		{body: `{"x":[{"k":1},{"k":2,"k":3}]}`, want: "x[1].k"},
		{body: `[{"k":1},{"j":[{"k":1,"k":1}]}]`, want: "[1].j[0].k"},
		{body: `{"a":{"x":1},"b":{"x":1}}`, want: ""},
		{body: `{"a":[],"b":{},"c":null,"d":"a","e":true}`, want: ""},
		{body: `{"a":1,"a"`, want: "a"},
		{body: `{"a":1,"b`, want: ""}, // malformed: decoding reports it
		{body: `{"a":"}\"{","a":1}`, want: "a"},
		{body: "{\"\xff\":1,\"\xfe\":2}", want: "\ufffd"}, // both read as U+FFFD
		{body: `{"a\\":1,"a":2}`, want: ""},
		{body: `"a"`, want: ""},
		{body: manyKeys(40, `"k7"`), want: "k7"},
		{body: manyKeys(40, `"z":{"k3":1,"k3":2}`), want: "z.k3"},
		{body: manyKeys(40, `"z":{"k3":1},"k39":1`), want: "k39"},
		{body: manyKeys(40, `"z":{"k3":1},"y":[{"k1":1,"k2":2}]`), want: ""},
		{body: strings.Repeat("[", 20000) + strings.Repeat("]", 20000), want: ""},
	} {
		if got := duplicateKey([]byte(c.body)); got != c.want {
			t.Errorf("duplicateKey(%.40q) = %q, want %q", c.body, got, c.want)
		}
	}
}

// manyKeys is an object with keys k0..k(n-1) and then tail (a key
// and value, or a key that takes the value 0).
func manyKeys(n int, tail string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	b.WriteString(tail)
	if !strings.Contains(tail, ":") {
		b.WriteString(":0")
	}
	return b.String() + "}"
}

func TestTypeMessageNamesJSONTypes(t *testing.T) {
	type amount struct{ Raw string }
	for _, c := range []struct {
		t     reflect.Type
		value string
		want  string
	}{
		{t: reflect.TypeFor[struct{ A string }](), value: "string", want: "f must be an object, not a string"},
		{t: reflect.TypeFor[*amount](), value: "array", want: "f must be an object, not an array"},
		{t: reflect.TypeFor[map[string]any](), value: "number", want: "f must be an object, not a number"},
		{t: reflect.TypeFor[[]string](), value: "object", want: "f must be an array, not an object"},
		{t: reflect.TypeFor[int64](), value: "string", want: "f must be an integer, not a string"},
		{t: reflect.TypeFor[int](), value: "number 1.5", want: "f must be an integer within range, without a fraction or exponent"},
		{t: reflect.TypeFor[float64](), value: "bool", want: "f must be a number, not a boolean"},
		{t: reflect.TypeFor[*bool](), value: "string", want: "f must be a boolean, not a string"},
		{t: reflect.TypeFor[string](), value: "number", want: "f must be a string, not a number"},
		{t: reflect.TypeFor[json.Number](), value: "bool", want: "f must be a number, not a boolean"},
	} {
		if got := typeMessage("f", c.t, c.value); got != c.want {
			t.Errorf("typeMessage(%v, %q) = %q, want %q", c.t, c.value, got, c.want)
		}
	}
}

// BenchmarkDuplicateKey is the scan's cost on a retail body, the hottest
// partner request that carries one.
func BenchmarkDuplicateKey(b *testing.B) {
	body := []byte(`{"accountIdentifier":"","accountNumber":"4999981234567890","paymentProgramType":"Regular",` +
		`"transactionAmount":20.00,"metadata":{"storeId":"CC970","merchantId":"FSCC0342","userId":"cashier@store.example",` +
		`"requestDateTime":"2023-09-28T00:56:25Z","registerId":"01"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if duplicateKey(body) != "" {
			b.Fatal("duplicate")
		}
	}
}
