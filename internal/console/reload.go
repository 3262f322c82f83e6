package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// reloadForm is a program's retail reload settings as the form shows
// them: amounts as decimal text, an empty fee for none.
type reloadForm struct {
	Configured                              bool
	Enabled                                 bool
	ReloadFee, MinLoad, MaxLoad, DailyLimit string
	CardType                                string
	CardTypes                               []string
}

func newReloadForm(st retail.Settings, configured bool) *reloadForm {
	f := &reloadForm{Configured: configured, Enabled: st.Enabled, MinLoad: money.Format(st.MinLoadAmount),
		MaxLoad: money.Format(st.MaxLoadAmount), DailyLimit: money.Format(st.DailyLoadLimit), CardType: st.CardType,
		CardTypes: []string{retail.CardNormal, retail.CardPointOfBanking}}
	if st.ReloadFee != nil {
		f.ReloadFee = money.Format(*st.ReloadFee)
	}
	return f
}

// unsetReload is what the form offers for a program without settings:
// the operator API's defaults (20.00 to 500.00, 2,500.00 a day), not
// enabled until an admin saves them.
var unsetReload = retail.Settings{MinLoadAmount: 2000, MaxLoadAmount: 50000, DailyLoadLimit: 250000, CardType: retail.CardNormal}

func (c *Console) reloadForm(ctx context.Context, code string) (*reloadForm, error) {
	st, err := c.Retail.Settings(ctx, code)
	if apperr.KindOf(err) == apperr.NotFound {
		return newReloadForm(unsetReload, false), nil
	}
	if err != nil {
		return nil, err
	}
	return newReloadForm(st, true), nil
}

// readReload parses the reload form; amounts are decimal with at most
// two places (a blank fee is no fee).
func readReload(r *http.Request, code string) (retail.Settings, error) {
	st := retail.Settings{ProgramCode: code, Enabled: r.PostFormValue("enabled") != "",
		CardType: strings.TrimSpace(r.PostFormValue("cardType"))}
	if fee := strings.TrimSpace(r.PostFormValue("reloadFee")); fee != "" {
		v, err := money.ParseMinor(fee)
		if err != nil || v < 0 {
			return st, apperr.Field("reloadFee", "The reload fee must be an amount such as 2.95, or blank for none.")
		}
		st.ReloadFee = &v
	}
	for _, f := range []struct {
		name, label string
		dst         *int64
	}{{"minLoadAmount", "minimum load", &st.MinLoadAmount}, {"maxLoadAmount", "maximum load", &st.MaxLoadAmount},
		{"dailyLoadLimit", "daily limit", &st.DailyLoadLimit}} {
		v, err := money.ParseMinor(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil || v <= 0 {
			return st, apperr.Field(f.name, "The %s must be a positive amount such as 20.00.", f.label)
		}
		*f.dst = v
	}
	return st, nil
}

// setReload stores a program's reload settings (audited by the store).
func (c *Console) setReload(w http.ResponseWriter, r *http.Request, v *view) error {
	code := r.PathValue("programCode")
	p, err := c.Programs.Get(r.Context(), code)
	if err != nil {
		return err
	}
	var err2 error
	st, err := readReload(r, p.Code)
	if err == nil {
		_, err = c.Retail.PutSettings(r.Context(), st)
	}
	if err != nil {
		f := newProgramForm(p, false)
		f.EventTypes = webhook.EventTypes
		if f.Webhooks, err2 = c.Webhooks.List(r.Context(), p.Code); err2 != nil {
			return err2
		}
		// The form shows what the admin typed, to correct it.
		f.Reload = newReloadForm(st, true)
		f.Reload.ReloadFee, f.Reload.MinLoad = r.PostFormValue("reloadFee"), r.PostFormValue("minLoadAmount")
		f.Reload.MaxLoad, f.Reload.DailyLimit = r.PostFormValue("maxLoadAmount"), r.PostFormValue("dailyLoadLimit")
		v.Title, v.Data, v.Error = "Program "+p.Code, f, message(err)
		return c.render(w, r, statusOf(err), "program", v)
	}
	return c.redirect(w, r, "/console/programs/"+p.Code, "Reload settings saved.")
}
