package main

import (
	"fmt"
	"strconv"

	"github.com/verdant-baas/verdant/internal/delivery"
)

// deliverySettings reads the card delivery rules from the environment:
// VERDANT_DELIVERY_DAYS_REG and VERDANT_DELIVERY_DAYS_EXP (business days
// from shipping to arrival, default 8 and 3) and VERDANT_DELIVERY_HOLIDAYS
// (false: count US federal holidays as business days; default true).
func deliverySettings(getenv func(string) string) (*delivery.Settings, error) {
	s := delivery.DefaultSettings()
	for method, name := range map[string]string{"reg": "VERDANT_DELIVERY_DAYS_REG", "exp": "VERDANT_DELIVERY_DAYS_EXP"} {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 60 {
				return nil, fmt.Errorf("%s must be a number of business days from 0 to 60", name)
			}
			s.BusinessDays[method] = n
		}
	}
	if v := getenv("VERDANT_DELIVERY_HOLIDAYS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("VERDANT_DELIVERY_HOLIDAYS must be true or false")
		}
		s.Calendar.SkipHolidays = b
	}
	return &s, nil
}
