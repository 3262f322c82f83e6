package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"
)

// docs/webhooks.md shows one sample POST body per event type; each must
// be exactly what the payload builders make of the sample's inputs.
func TestDocsSamples(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- sample: (\\w+) -->\n```json\n(.*?)\n```")
	found := map[string]bool{}
	for _, m := range re.FindAllSubmatch(doc, -1) {
		typ := string(m[1])
		e := Sample(typ)
		if e.Type == "" {
			t.Fatalf("docs show a sample of unknown type %q", typ)
		}
		ev, err := e.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var want, got bytes.Buffer
		json.Compact(&want, Body(e.AccountID, [][]byte{ev}))
		if err := json.Compact(&got, m[2]); err != nil {
			t.Fatalf("%s: the documented sample is not JSON: %v", typ, err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: documented sample differs from what verdant sends:\ndoc  %s\nsent %s", typ, got.String(), want.String())
		}
		found[typ] = true
	}
	for _, typ := range EventTypes {
		if !found[typ] {
			t.Errorf("docs/webhooks.md has no sample of %s", typ)
		}
	}
}
