package retail

import (
	"context"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// errUnknown answers a path identifier that cannot exist (control
// characters, which PostgreSQL would reject in a query) as not found.
var errUnknown = &apperr.Error{Kind: apperr.NotFound, Message: "not found"}

func usable(ids ...string) error {
	for _, id := range ids {
		if !clean(id) {
			return errUnknown
		}
	}
	return nil
}

// CreateMerchant validates and stores a new merchant.
func (s *Service) CreateMerchant(ctx context.Context, m Merchant) (Merchant, error) {
	m.Name = strings.TrimSpace(m.Name)
	if err := CheckMerchant(m); err != nil {
		return Merchant{}, err
	}
	now := s.Now().UTC()
	m.CreatedAt, m.UpdatedAt = now, now
	return m, s.Store.CreateMerchant(ctx, m)
}

// MerchantPatch holds a merchant's settable fields; nil means unchanged.
// ClearFee removes the fee (a JSON null).
type MerchantPatch struct {
	PartnerID   *string
	Name        *string
	MerchantFee *int64
	ClearFee    bool
	Enabled     *bool
}

// UpdateMerchant applies a patch.
func (s *Service) UpdateMerchant(ctx context.Context, id string, p MerchantPatch) (Merchant, error) {
	if err := usable(id); err != nil {
		return Merchant{}, err
	}
	m, err := s.Store.Merchant(ctx, id)
	if err != nil {
		return Merchant{}, err
	}
	set(&m.PartnerID, p.PartnerID)
	set(&m.Name, p.Name)
	set(&m.Enabled, p.Enabled)
	if p.ClearFee {
		m.MerchantFee = nil
	} else if p.MerchantFee != nil {
		m.MerchantFee = p.MerchantFee
	}
	m.Name = strings.TrimSpace(m.Name)
	if err := CheckMerchant(m); err != nil {
		return Merchant{}, err
	}
	m.UpdatedAt = s.Now().UTC()
	return m, s.Store.UpdateMerchant(ctx, m)
}

// Merchant answers a merchant.
func (s *Service) Merchant(ctx context.Context, id string) (Merchant, error) {
	if err := usable(id); err != nil {
		return Merchant{}, err
	}
	return s.Store.Merchant(ctx, id)
}

// CreateOutlet adds a store to a merchant.
func (s *Service) CreateOutlet(ctx context.Context, o Outlet) (Outlet, error) {
	if err := usable(o.MerchantID); err != nil {
		return Outlet{}, err
	}
	if _, err := s.Store.Merchant(ctx, o.MerchantID); err != nil {
		return Outlet{}, err
	}
	if err := CheckOutlet(o); err != nil {
		return Outlet{}, err
	}
	now := s.Now().UTC()
	o.CreatedAt, o.UpdatedAt = now, now
	return o, s.Store.CreateOutlet(ctx, o)
}

// SetOutletBlocked blocks or unblocks a store.
func (s *Service) SetOutletBlocked(ctx context.Context, merchantID, storeID string, blocked bool) (Outlet, error) {
	if err := usable(merchantID, storeID); err != nil {
		return Outlet{}, err
	}
	o, err := s.Store.Outlet(ctx, merchantID, storeID)
	if err != nil {
		return Outlet{}, err
	}
	o.Blocked, o.UpdatedAt = blocked, s.Now().UTC()
	return o, s.Store.UpdateOutlet(ctx, o)
}

// Outlet answers a store.
func (s *Service) Outlet(ctx context.Context, merchantID, storeID string) (Outlet, error) {
	if err := usable(merchantID, storeID); err != nil {
		return Outlet{}, err
	}
	return s.Store.Outlet(ctx, merchantID, storeID)
}

// CreateUser adds a retail user to a merchant.
func (s *Service) CreateUser(ctx context.Context, u User) (User, error) {
	if err := usable(u.MerchantID); err != nil {
		return User{}, err
	}
	if _, err := s.Store.Merchant(ctx, u.MerchantID); err != nil {
		return User{}, err
	}
	if err := CheckUser(u); err != nil {
		return User{}, err
	}
	now := s.Now().UTC()
	u.CreatedAt, u.UpdatedAt = now, now
	return u, s.Store.CreateUser(ctx, u)
}

// SetUserActive activates or deactivates a retail user.
func (s *Service) SetUserActive(ctx context.Context, merchantID, userID string, active bool) (User, error) {
	if err := usable(merchantID, userID); err != nil {
		return User{}, err
	}
	u, err := s.Store.User(ctx, merchantID, userID)
	if err != nil {
		return User{}, err
	}
	u.Active, u.UpdatedAt = active, s.Now().UTC()
	return u, s.Store.UpdateUser(ctx, u)
}

// User answers a retail user.
func (s *Service) User(ctx context.Context, merchantID, userID string) (User, error) {
	if err := usable(merchantID, userID); err != nil {
		return User{}, err
	}
	return s.Store.User(ctx, merchantID, userID)
}

// PutSettings validates and stores a program's reload settings.
func (s *Service) PutSettings(ctx context.Context, st Settings) (Settings, error) {
	if err := CheckSettings(&st); err != nil {
		return Settings{}, err
	}
	st.UpdatedAt = s.Now().UTC()
	return st, s.Store.PutSettings(ctx, st, operator.ActorOf(ctx))
}

// AuditReloadUpdated is the audit action of a change of reload settings
// (subject program:<code>, detail the settings).
const AuditReloadUpdated = "program.reloadUpdated"

// DefaultSettings are the reload settings of a program's first "reload"
// for the fields left out: enabled, the page's sample bounds (20.00 to
// 500.00 a load), 2,500.00 a day, Normal cards, open to every retail
// partner.
func DefaultSettings(programCode string) Settings {
	return Settings{ProgramCode: programCode, Enabled: true, MinLoadAmount: 2000, MaxLoadAmount: 50000,
		DailyLoadLimit: 250000, CardType: CardNormal}
}

// SettingsPatch holds reload settings to change; nil means unchanged.
// ClearFee removes the reload fee. SetPartners replaces the retail
// partners with RetailPartners (nil: open to every retail partner).
type SettingsPatch struct {
	Enabled        *bool
	ReloadFee      *int64
	ClearFee       bool
	MinLoadAmount  *int64
	MaxLoadAmount  *int64
	DailyLoadLimit *int64
	CardType       *string
	SetPartners    bool
	RetailPartners []string
}

// ResolveSettings merges p over a program's current reload settings (the
// defaults the first time) and validates the result, every listed retail
// partner included (404 for an unknown one); nothing is stored.
func (s *Service) ResolveSettings(ctx context.Context, programCode string, p SettingsPatch) (Settings, error) {
	st, err := s.Store.Settings(ctx, programCode)
	if missing(err) {
		st, err = DefaultSettings(programCode), nil
	}
	if err != nil {
		return Settings{}, err
	}
	st.ProgramCode = programCode
	set(&st.Enabled, p.Enabled)
	set(&st.CardType, p.CardType)
	set(&st.MinLoadAmount, p.MinLoadAmount)
	set(&st.MaxLoadAmount, p.MaxLoadAmount)
	set(&st.DailyLoadLimit, p.DailyLoadLimit)
	if p.ClearFee {
		st.ReloadFee = nil
	} else if p.ReloadFee != nil {
		st.ReloadFee = p.ReloadFee
	}
	if p.SetPartners {
		st.RetailPartners = p.RetailPartners
	}
	if err := CheckSettings(&st); err != nil {
		return Settings{}, err
	}
	if id, err := s.Store.MissingPartner(ctx, st.RetailPartners); err != nil || id != "" {
		if err == nil {
			err = &apperr.Error{Kind: apperr.NotFound, Field: "reload.retailPartners", Message: "partner " + id + " not found"}
		}
		return Settings{}, err
	}
	return st, nil
}

// Settings answers a program's reload settings (NotFound when none).
func (s *Service) Settings(ctx context.Context, programCode string) (Settings, error) {
	if err := usable(programCode); err != nil {
		return Settings{}, err
	}
	return s.Store.Settings(ctx, programCode)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
