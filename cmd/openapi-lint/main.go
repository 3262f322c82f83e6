// Command openapi-lint lints the OpenAPI document verdant serves at
// /openapi.yaml (api.LintOpenAPI: the OpenAPI 3 specification, examples
// against their schemas, and operation rules). .ci/run runs it; it prints
// each finding and exits 1 when there is any.
package main

import (
	"fmt"
	"os"

	"github.com/verdant-baas/verdant/internal/api"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "openapi-lint:", err)
		os.Exit(1)
	}
}

func run() error {
	doc, err := api.OpenAPIYAML()
	if err != nil {
		return err
	}
	findings, err := api.LintOpenAPI(doc)
	if err != nil {
		return err
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("%d findings in /openapi.yaml", len(findings))
	}
	fmt.Println("openapi-lint: /openapi.yaml lints clean")
	return nil
}
