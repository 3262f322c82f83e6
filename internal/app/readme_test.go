package app

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md's settings table from Settings")

const (
	readme      = "../../README.md"
	tableBegin  = "<!-- settings:begin"
	tableEnd    = "<!-- settings:end -->"
	testOnlyEnv = "VERDANT_TEST_POSTGRES_URL VERDANT_BENCH_SECONDS VERDANT_RECORD_EXAMPLES VERDANT_BENCH_RATE " + // read by tests, not by verdant
		"VERDANT_REQUIRE_BROWSER VERDANT_SCREENSHOTS VERDANT_BENCH_CONSOLE VERDANT_BENCH_ACCOUNTS VERDANT_BENCH_POSTINGS VERDANT_BENCH_REQUESTS"
)

// The README's settings table is SettingsTable; -update writes it.
func TestREADMESettingsTable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, tableBegin), strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %s ... %s markers", tableBegin, tableEnd)
	}
	i += strings.Index(doc[i:], "\n") + 1
	if doc[i:j] == SettingsTable() {
		return
	}
	if !*update {
		t.Fatal("README.md's settings table differs from Settings; run go test ./internal/app -run README -update")
	}
	if err := os.WriteFile(readme, []byte(doc[:i]+SettingsTable()+doc[j:]), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Every VERDANT_ variable the README and the docs name is a setting (or
// its _FILE), so no page documents a variable verdant does not read.
func TestDocsNameOnlyRealSettings(t *testing.T) {
	t.Parallel()
	known := map[string]bool{}
	for _, s := range Settings {
		known[s.Env] = true
		if s.file {
			known[s.Env+"_FILE"] = true
		}
	}
	for _, v := range strings.Fields(testOnlyEnv) {
		known[v] = true
	}
	pages, _ := filepath.Glob("../../docs/*.md")
	more, _ := filepath.Glob("../../docs/*/*.md")
	name := regexp.MustCompile(`VERDANT_[A-Z0-9_]*[A-Z0-9](_\*)?`)
	for _, p := range append(append([]string{readme}, pages...), more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range name.FindAllString(string(b), -1) {
			if prefix, ok := strings.CutSuffix(v, "_*"); ok { // a family: VERDANT_CRM_*
				v = firstWithPrefix(known, prefix+"_")
			}
			if !known[v] && v != "VERDANT_FOO_BAR" { // the naming example
				t.Errorf("%s names %s, which is not a setting", p, v)
			}
		}
	}
}

func firstWithPrefix(known map[string]bool, prefix string) string {
	for k := range known {
		if strings.HasPrefix(k, prefix) {
			return k
		}
	}
	return prefix + "*"
}

// The README and the docs link only to files in the repository (a link
// that resolves after a clone), and name the contract's pages by their
// titles, never by a path outside the repository.
func TestDocsLinksResolve(t *testing.T) {
	t.Parallel()
	pages, _ := filepath.Glob("../../docs/*.md")
	link := regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)
	for _, p := range append([]string{readme}, pages...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "shared/spec") {
			t.Errorf("%s names a path outside the repository (shared/spec): name the page by its title", p)
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), target)); err != nil {
				t.Errorf("%s links to %s, which does not exist", p, target)
			}
		}
	}
}
