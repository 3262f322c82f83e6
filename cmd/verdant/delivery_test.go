package main

import (
	"testing"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/delivery"
)

func TestDeliverySettingsFromEnv(t *testing.T) {
	deliverySettings := func(m map[string]string) (*delivery.Settings, error) {
		cfg, err := app.Load(newFlags("serve"), nil, func(k string) string { return m[k] })
		return cfg.Delivery, err
	}
	s, err := deliverySettings(nil)
	if err != nil || s.BusinessDays["reg"] != 8 || s.BusinessDays["exp"] != 3 || !s.Calendar.SkipHolidays {
		t.Fatalf("defaults: %+v %v", s, err)
	}
	s, err = deliverySettings(map[string]string{"VERDANT_DELIVERY_DAYS_REG": "10", "VERDANT_DELIVERY_DAYS_EXP": "2",
		"VERDANT_DELIVERY_HOLIDAYS": "false"})
	if err != nil || s.BusinessDays["reg"] != 10 || s.BusinessDays["exp"] != 2 || s.Calendar.SkipHolidays {
		t.Fatalf("overrides: %+v %v", s, err)
	}
	for _, bad := range []map[string]string{{"VERDANT_DELIVERY_DAYS_REG": "x"}, {"VERDANT_DELIVERY_DAYS_EXP": "-1"},
		{"VERDANT_DELIVERY_HOLIDAYS": "maybe"}} {
		if _, err := deliverySettings(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
