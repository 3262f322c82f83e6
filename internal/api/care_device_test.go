package api_test

import (
	"net/http"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// The care page calls every device field alphanumeric: deviceOS takes a
// name as well as an integer, and integers work in the other fields too.
func TestCareDeviceFieldsAlphanumeric(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		for _, tc := range []struct {
			device map[string]any
			wantOS string
		}{
			{map[string]any{"deviceOS": "Android", "deviceOSVersion": "14", "deviceMake": "Google"}, "Android"},
			{map[string]any{"deviceOS": "iOS 17", "deviceVersion": 15, "deviceID": 1234567}, "iOS 17"},
			{map[string]any{"deviceOS": 1}, "1"},
		} {
			body := careBody(s.AccountID)
			body["device"] = tc.device
			number := careCreate(t, e, s.ProgramCode, body)
			c := e.Admin("GET", "/admin/v1/cases/"+number, nil).Want(t, http.StatusOK).JSON(t)
			if d := c["device"].(map[string]any); d["deviceOS"] != tc.wantOS {
				t.Fatalf("case %s device %v, want deviceOS %q", number, d, tc.wantOS)
			}
		}
	})
}
