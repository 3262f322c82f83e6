package api_test

import (
	"net/http"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func TestProgramReloadSettings(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		prog := func(code string, reload map[string]any) map[string]any {
			return map[string]any{"programCode": code, "partnerId": s.PartnerID, "name": "P", "bin": "499998", "reload": reload}
		}
		// Invalid settings: 400 and the program is not created.
		e.Admin("POST", "/admin/v1/programs", prog("RL1", map[string]any{"minLoadAmount": "50", "maxLoadAmount": "20"})).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/programs/RL1", nil).Want(t, http.StatusNotFound)
		e.Admin("POST", "/admin/v1/programs", prog("RL1", map[string]any{"reloadFee": "1.005"})).Want(t, http.StatusBadRequest)
		e.Admin("POST", "/admin/v1/programs", prog("RL1", map[string]any{"cardType": "NormalCard"})).Want(t, http.StatusBadRequest)
		r := e.Admin("POST", "/admin/v1/programs", prog("RL1", map[string]any{"reloadFee": 3.95, "cardType": "PointofBanking"})).
			Want(t, http.StatusCreated).JSON(t)
		want := map[string]any{"enabled": true, "reloadFee": "3.95", "minLoadAmount": "20.00", "maxLoadAmount": "500.00",
			"dailyLoadLimit": "2500.00", "cardType": "PointofBanking"}
		got := r["reload"].(map[string]any)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("reload.%s = %v, want %v", k, got[k], v)
			}
		}
		// A program without settings has no reload field; GET shows stored settings.
		if _, ok := e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode, nil).Want(t, http.StatusOK).JSON(t)["reload"]; ok {
			t.Fatal("a program without reload settings shows reload")
		}
		got = e.Admin("GET", "/admin/v1/programs/RL1", nil).Want(t, http.StatusOK).JSON(t)["reload"].(map[string]any)
		if got["cardType"] != "PointofBanking" {
			t.Fatalf("GET reload = %v", got)
		}
		// Merchants: duplicate 409, unknown partner 404, fee removable.
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "M1", "partnerId": s.PartnerID, "name": "M", "merchantFee": "2"}).Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "M1", "partnerId": s.PartnerID, "name": "M"}).Want(t, http.StatusConflict)
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "M2", "partnerId": "nope", "name": "M"}).Want(t, http.StatusNotFound)
		m := e.Admin("PATCH", "/admin/v1/merchants/M1", map[string]any{"merchantFee": nil}).Want(t, http.StatusOK).JSON(t)
		if m["merchantFee"] != nil || m["enabled"] != true {
			t.Fatalf("merchant after removing the fee: %v", m)
		}
		e.Admin("POST", "/admin/v1/merchants/NOPE/stores", map[string]any{"storeId": "S1"}).Want(t, http.StatusNotFound)
		e.Admin("POST", "/admin/v1/merchants/M1/stores", map[string]any{"storeId": "S 1"}).Want(t, http.StatusBadRequest)
		e.Admin("POST", "/admin/v1/merchants/M1/users", map[string]any{"userId": "u1"}).Want(t, http.StatusCreated)
		u := e.Admin("PATCH", "/admin/v1/merchants/M1/users/u1", map[string]any{"active": false}).Want(t, http.StatusOK).JSON(t)
		if u["active"] != false {
			t.Fatalf("user: %v", u)
		}
		e.Admin("PATCH", "/admin/v1/merchants/M1/users/u1", map[string]any{}).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/merchants/M1/users/u2", nil).Want(t, http.StatusNotFound)
	})
}
