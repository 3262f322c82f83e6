package main

import (
	"time"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/crm"
)

// crmConfig reads the customer-care CRM settings (docs/customer-care.md).
// Secrets may come from the environment or from NAME_FILE.
func crmConfig(getenv func(string) string) (crm.Config, error) {
	secret, err := app.LoadSecret(getenv, "VERDANT_CRM_CLIENT_SECRET")
	if err != nil {
		return crm.Config{}, err
	}
	password, err := app.LoadSecret(getenv, "VERDANT_CRM_PASSWORD")
	if err != nil {
		return crm.Config{}, err
	}
	return crm.Config{
		LoginURL: getenv("VERDANT_CRM_LOGIN_URL"), InstanceURL: getenv("VERDANT_CRM_INSTANCE_URL"),
		ClientID: getenv("VERDANT_CRM_CLIENT_ID"), ClientSecret: secret,
		Username: getenv("VERDANT_CRM_USERNAME"), Password: password,
		APIVersion: getenv("VERDANT_CRM_API_VERSION"), ExternalIDField: getenv("VERDANT_CRM_EXTERNAL_ID_FIELD"),
		Timeout: envDuration(getenv, "VERDANT_CRM_TIMEOUT", 10*time.Second),
	}, nil
}
