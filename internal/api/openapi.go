package api

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"gopkg.in/yaml.v3"
)

// The OpenAPI document is kept as one fragment per capability in
// openapi/*.yaml (00-base.yaml holds info, security schemes and the
// shared schemas); fragments are deep-merged in file-name order under
// paths and components. Tests validate every real response against the
// merged document (internal/apitest), so it cannot drift.
//
//go:embed openapi/*.yaml
var openapiFS embed.FS

var openapiOnce = sync.OnceValues(buildOpenAPI)

// OpenAPIYAML answers the merged OpenAPI document served at /openapi.yaml.
func OpenAPIYAML() ([]byte, error) { return openapiOnce() }

func buildOpenAPI() ([]byte, error) {
	names, err := fs.Glob(openapiFS, "openapi/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	doc := map[string]any{}
	for _, name := range names {
		b, err := openapiFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := yaml.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("openapi fragment %s: %w", name, err)
		}
		if err := merge(doc, frag, name); err != nil {
			return nil, err
		}
	}
	return yaml.Marshal(doc)
}

// merge folds src into dst: maps merge key by key, and a scalar or list
// defined twice must be equal (two fragments may not disagree).
func merge(dst, src map[string]any, origin string) error {
	for k, v := range src {
		cur, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		cm, ok1 := cur.(map[string]any)
		vm, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			if err := merge(cm, vm, origin); err != nil {
				return err
			}
			continue
		}
		if fmt.Sprint(cur) != fmt.Sprint(v) {
			return fmt.Errorf("openapi fragment %s redefines %q differently", origin, k)
		}
	}
	return nil
}
