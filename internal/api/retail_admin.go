package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
)

func (s *Server) retailAdminRoutes(mux *router) {
	mux.Handle("POST /admin/v1/merchants", s.admin(s.adminCreateMerchant))
	mux.Handle("GET /admin/v1/merchants/{merchantId}", s.admin(s.adminGetMerchant))
	mux.Handle("PATCH /admin/v1/merchants/{merchantId}", s.admin(s.adminPatchMerchant))
	mux.Handle("POST /admin/v1/merchants/{merchantId}/stores", s.admin(s.adminCreateStore))
	mux.Handle("GET /admin/v1/merchants/{merchantId}/stores/{storeId}", s.admin(s.adminGetStore))
	mux.Handle("PATCH /admin/v1/merchants/{merchantId}/stores/{storeId}", s.admin(s.adminPatchStore))
	mux.Handle("POST /admin/v1/merchants/{merchantId}/users", s.admin(s.adminCreateUser))
	mux.Handle("GET /admin/v1/merchants/{merchantId}/users/{userId}", s.admin(s.adminGetUser))
	mux.Handle("PATCH /admin/v1/merchants/{merchantId}/users/{userId}", s.admin(s.adminPatchUser))
	s.retailThrottleRoutes(mux)
}

// amountText renders an optional amount as the operator API's string.
func amountText(v *int64) *string {
	if v == nil {
		return nil
	}
	s := money.Format(*v)
	return &s
}

// MerchantJSON is the operator view of a retail merchant.
type MerchantJSON struct {
	MerchantID  string    `json:"merchantId"`
	PartnerID   string    `json:"partnerId"`
	Name        string    `json:"name"`
	MerchantFee *string   `json:"merchantFee"`
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

func merchantJSON(m retail.Merchant) MerchantJSON {
	return MerchantJSON{MerchantID: m.ID, PartnerID: m.PartnerID, Name: m.Name, MerchantFee: amountText(m.MerchantFee),
		Enabled: m.Enabled, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

type merchantInput struct {
	MerchantID  string       `json:"merchantId"`
	PartnerID   *string      `json:"partnerId"`
	Name        *string      `json:"name"`
	MerchantFee money.Amount `json:"merchantFee"`
	Enabled     *bool        `json:"enabled"`
}

func (s *Server) adminCreateMerchant(w http.ResponseWriter, r *http.Request) error {
	var in merchantInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	fee, err := retail.ParseFee("merchantFee", in.MerchantFee)
	if err != nil {
		return err
	}
	m := retail.Merchant{ID: in.MerchantID, MerchantFee: fee, Enabled: true}
	set(&m.PartnerID, in.PartnerID)
	set(&m.Name, in.Name)
	set(&m.Enabled, in.Enabled)
	m, err = s.Retail.CreateMerchant(r.Context(), m)
	return answer(w, http.StatusCreated, merchantJSON, m, err)
}

func (s *Server) adminGetMerchant(w http.ResponseWriter, r *http.Request) error {
	m, err := s.Retail.Merchant(r.Context(), r.PathValue("merchantId"))
	return answer(w, http.StatusOK, merchantJSON, m, err)
}

func (s *Server) adminPatchMerchant(w http.ResponseWriter, r *http.Request) error {
	var in merchantInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	fee, err := retail.ParseFee("merchantFee", in.MerchantFee)
	if err != nil {
		return err
	}
	m, err := s.Retail.UpdateMerchant(r.Context(), r.PathValue("merchantId"), retail.MerchantPatch{
		PartnerID: in.PartnerID, Name: in.Name, Enabled: in.Enabled, MerchantFee: fee,
		ClearFee: in.MerchantFee.Present && in.MerchantFee.Null})
	return answer(w, http.StatusOK, merchantJSON, m, err)
}

// StoreJSON is the operator view of a merchant's store.
type StoreJSON struct {
	MerchantID string    `json:"merchantId"`
	StoreID    string    `json:"storeId"`
	Blocked    bool      `json:"blocked"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

func storeJSON(o retail.Outlet) StoreJSON {
	return StoreJSON{MerchantID: o.MerchantID, StoreID: o.StoreID, Blocked: o.Blocked, CreatedAt: o.CreatedAt,
		UpdatedAt: o.UpdatedAt}
}

func (s *Server) adminCreateStore(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		StoreID string `json:"storeId"`
		Blocked bool   `json:"blocked"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	o, err := s.Retail.CreateOutlet(r.Context(), retail.Outlet{MerchantID: r.PathValue("merchantId"), StoreID: in.StoreID, Blocked: in.Blocked})
	return answer(w, http.StatusCreated, storeJSON, o, err)
}

func (s *Server) adminGetStore(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Retail.Outlet(r.Context(), r.PathValue("merchantId"), r.PathValue("storeId"))
	return answer(w, http.StatusOK, storeJSON, o, err)
}

func (s *Server) adminPatchStore(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Blocked *bool `json:"blocked"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Blocked == nil {
		return apperr.Field("blocked", "blocked is required")
	}
	o, err := s.Retail.SetOutletBlocked(r.Context(), r.PathValue("merchantId"), r.PathValue("storeId"), *in.Blocked)
	return answer(w, http.StatusOK, storeJSON, o, err)
}

// RetailUserJSON is the operator view of a merchant's retail user.
type RetailUserJSON struct {
	MerchantID string    `json:"merchantId"`
	UserID     string    `json:"userId"`
	Active     bool      `json:"active"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

func userJSON(u retail.User) RetailUserJSON {
	return RetailUserJSON{MerchantID: u.MerchantID, UserID: u.UserID, Active: u.Active, CreatedAt: u.CreatedAt,
		UpdatedAt: u.UpdatedAt}
}

func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID string `json:"userId"`
		Active *bool  `json:"active"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u := retail.User{MerchantID: r.PathValue("merchantId"), UserID: in.UserID, Active: true}
	set(&u.Active, in.Active)
	u, err := s.Retail.CreateUser(r.Context(), u)
	return answer(w, http.StatusCreated, userJSON, u, err)
}

func (s *Server) adminGetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Retail.User(r.Context(), r.PathValue("merchantId"), r.PathValue("userId"))
	return answer(w, http.StatusOK, userJSON, u, err)
}

func (s *Server) adminPatchUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Active *bool `json:"active"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Active == nil {
		return apperr.Field("active", "active is required")
	}
	u, err := s.Retail.SetUserActive(r.Context(), r.PathValue("merchantId"), r.PathValue("userId"), *in.Active)
	return answer(w, http.StatusOK, userJSON, u, err)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// ReloadJSON is a program's reload settings in the operator API.
// RetailPartners is null while every retail partner may reload the
// program's cards.
type ReloadJSON struct {
	Enabled        bool     `json:"enabled"`
	ReloadFee      *string  `json:"reloadFee"`
	MinLoadAmount  string   `json:"minLoadAmount"`
	MaxLoadAmount  string   `json:"maxLoadAmount"`
	DailyLoadLimit string   `json:"dailyLoadLimit"`
	CardType       string   `json:"cardType"`
	RetailPartners []string `json:"retailPartners"`
}

// ReloadView is a program's reload settings as the operator API and the
// CLI show them.
func ReloadView(st retail.Settings) *ReloadJSON {
	return &ReloadJSON{Enabled: st.Enabled, ReloadFee: amountText(st.ReloadFee), MinLoadAmount: money.Format(st.MinLoadAmount),
		MaxLoadAmount: money.Format(st.MaxLoadAmount), DailyLoadLimit: money.Format(st.DailyLoadLimit), CardType: st.CardType,
		RetailPartners: st.RetailPartners}
}

// ReloadInput is the operator's "reload" field on POST and PATCH
// /admin/v1/programs; absent fields keep their value (or the default).
// retailPartners: null opens the program to every retail partner, a list
// allows only those (besides the owner).
type ReloadInput struct {
	Enabled        *bool           `json:"enabled"`
	ReloadFee      money.Amount    `json:"reloadFee"`
	MinLoadAmount  money.Amount    `json:"minLoadAmount"`
	MaxLoadAmount  money.Amount    `json:"maxLoadAmount"`
	DailyLoadLimit money.Amount    `json:"dailyLoadLimit"`
	CardType       *string         `json:"cardType"`
	RetailPartners json.RawMessage `json:"retailPartners"`
}

// reloadSettings merges in over a program's current settings (or the
// defaults) and validates the result, before anything is stored.
func (s *Server) reloadSettings(ctx context.Context, programCode string, in *ReloadInput) (*retail.Settings, error) {
	if in == nil {
		return nil, nil
	}
	p := retail.SettingsPatch{Enabled: in.Enabled, CardType: in.CardType}
	if in.ReloadFee.Present {
		fee, err := retail.ParseFee("reload.reloadFee", in.ReloadFee)
		if err != nil {
			return nil, err
		}
		p.ReloadFee, p.ClearFee = fee, fee == nil
	}
	for _, f := range []struct {
		name string
		in   money.Amount
		dst  **int64
	}{{"reload.minLoadAmount", in.MinLoadAmount, &p.MinLoadAmount}, {"reload.maxLoadAmount", in.MaxLoadAmount, &p.MaxLoadAmount},
		{"reload.dailyLoadLimit", in.DailyLoadLimit, &p.DailyLoadLimit}} {
		if !f.in.Present {
			continue
		}
		v, err := f.in.Minor()
		if err != nil || v <= 0 {
			return nil, apperr.Field(f.name, "%s must be a positive amount with at most 2 decimals", f.name)
		}
		*f.dst = &v
	}
	if in.RetailPartners != nil {
		p.SetPartners = true
		if err := json.Unmarshal(in.RetailPartners, &p.RetailPartners); err != nil {
			return nil, apperr.Field("reload.retailPartners", "reload.retailPartners must be null or a list of partner ids")
		}
	}
	st, err := s.Retail.ResolveSettings(ctx, programCode, p)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// withReload stores validated settings (if any) and adds the program's
// reload settings to its operator view.
func (s *Server) withReload(ctx context.Context, p ProgramJSON, st *retail.Settings) (ProgramJSON, error) {
	if st != nil {
		if _, err := s.Retail.PutSettings(ctx, *st); err != nil {
			return p, err
		}
	}
	cur, err := s.Retail.Settings(ctx, p.ProgramCode)
	if apperr.KindOf(err) == apperr.NotFound {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.Reload = ReloadView(cur)
	return p, nil
}
