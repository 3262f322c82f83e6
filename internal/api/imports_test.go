package api_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The HTTP layer reaches the database only through the domain packages'
// services (and the health check's Database interface): no file here,
// test or not, imports the storage package.
func TestAPIDoesNotImportStorage(t *testing.T) {
	t.Parallel()
	const storage = "github.com/verdant-baas/verdant/internal/storage"
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files found: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == storage || strings.HasPrefix(path, storage+"/") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
