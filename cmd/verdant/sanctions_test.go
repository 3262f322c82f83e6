package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestSanctionsLoadAndShow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	list := filepath.Join(dir, "list")
	os.Mkdir(list, 0o700)
	os.WriteFile(filepath.Join(list, "sdn.csv"), []byte(`90001,"ZZTESTOV, Ivan","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `+"\n"), 0o600)
	getenv := func(k string) string {
		return map[string]string{"VERDANT_DATA_DIR": dir, "VERDANT_LOG_LEVEL": "error"}[k]
	}
	if err := run(context.Background(), []string{"migrate"}, getenv, &bytes.Buffer{}); err != nil { // show reads an existing database
		t.Fatal(err)
	}
	show := func() map[string]any {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"sanctions", "show"}, getenv, &out); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(out.Bytes(), &m)
		return m
	}
	if m := show(); m["source"] != "embedded" || m["sdnRows"] != 18494.0 {
		t.Fatalf("before: %v", m)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"sanctions", "load", list, "--published", "2026-11-20", "--operator", "bob"}, getenv, &out); err != nil {
		t.Fatal(err)
	}
	if m := show(); m["source"] != "loaded" || m["sdnRows"] != 1.0 || m["published"] != "2026-11-20" || m["loadedBy"] != "bob" {
		t.Fatalf("after: %v", m)
	}
	if err := run(context.Background(), []string{"sanctions", "load", filepath.Join(dir, "missing")}, getenv, &out); err == nil {
		t.Fatal("loading a missing directory succeeded")
	}
}
