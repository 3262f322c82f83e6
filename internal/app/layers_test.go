package app

import (
	"errors"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// modulePackage is one package of the module: what its code imports and
// what its tests import.
type modulePackage struct {
	imports, testImports []string
}

// modulePackages reads every package of the module from root (the
// directory holding go.mod), keyed by import path, honouring build
// constraints as the go tool does.
func modulePackages(t *testing.T, root, module string) map[string]modulePackage {
	t.Helper()
	out := map[string]modulePackage{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		p, err := build.Default.ImportDir(path, 0)
		if _, none := errors.AsType[*build.NoGoError](err); none {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(filepath.Join(module, rel))] = modulePackage{imports: p.Imports,
			testImports: append(p.TestImports, p.XTestImports...)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// within reports whether path is one of the packages or under one.
func within(path string, pkgs ...string) bool {
	for _, p := range pkgs {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// storageChain answers how pkg reaches storage through the module's
// imports ("a -> b -> storage"), or "" when it does not.
func storageChain(pkgs map[string]modulePackage, pkg, storage string, seen map[string]bool) string {
	if within(pkg, storage) {
		return pkg
	}
	if seen[pkg] {
		return ""
	}
	seen[pkg] = true
	for _, imp := range pkgs[pkg].imports {
		if chain := storageChain(pkgs, imp, storage, seen); chain != "" {
			return pkg + " -> " + chain
		}
	}
	return ""
}

// Layers point towards the domain: only storage itself, the wiring (app,
// cmd) and the test harness that starts the real app (apitest) depend on
// internal/storage. Every other package (the domains, internal/api,
// internal/console) reaches it through none of its imports, and its tests
// import neither storage nor storagetest: they reach the database through
// apitest.
func TestOnlyWiringDependsOnStorage(t *testing.T) {
	t.Parallel()
	const module = "github.com/verdant-baas/verdant"
	storage := module + "/internal/storage"
	wiring := []string{storage, module + "/internal/app", module + "/cmd", module + "/internal/apitest"}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	pkgs := modulePackages(t, root, module)
	// The walk found the module, and the check finds a dependency where
	// there is one: app wires storage.
	for _, p := range []string{storage, module + "/internal/api", module + "/internal/console", module + "/internal/backoffice"} {
		if _, ok := pkgs[p]; !ok {
			t.Fatalf("package %s not found under %s", p, root)
		}
	}
	if storageChain(pkgs, module+"/internal/app", storage, map[string]bool{}) == "" {
		t.Fatal("internal/app does not reach storage: the dependency walk is broken")
	}
	for _, path := range slices.Sorted(maps.Keys(pkgs)) {
		if within(path, wiring...) {
			continue
		}
		if chain := storageChain(pkgs, path, storage, map[string]bool{}); chain != "" {
			t.Errorf("%s depends on storage: %s", path, chain)
		}
		for _, imp := range pkgs[path].testImports {
			if within(imp, storage) {
				t.Errorf("tests of %s import %s (use internal/apitest)", path, imp)
			}
		}
	}
}
