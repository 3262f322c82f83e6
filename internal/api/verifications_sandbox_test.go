package api_test

import (
	"net/http"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/verification"
)

// In a sandbox the fixed code verifies any verification; elsewhere it is
// an ordinary wrong code.
func TestSandboxFixedCode(t *testing.T) {
	t.Parallel()
	for _, sandbox := range []bool{true, false} {
		apitest.EnginesWith(t, apitest.Options{Sandbox: sandbox}, func(t *testing.T, e *apitest.Env) {
			s := e.Seed()
			id := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email", "communicationType": "email",
				"contactHandle": "fixed@example.com"})
			r := check(e, s.ProgramCode, id, verification.SandboxCode)
			if sandbox {
				r.WantDetail(t, http.StatusOK, 0, 0)
				wantStatus(t, e, s.ProgramCode, id, 2)
				return
			}
			r.WantDetail(t, http.StatusOK, 71, 1)
		})
	}
}
