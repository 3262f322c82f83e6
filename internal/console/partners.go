package console

import (
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/retail"
	"github.com/verdant-baas/verdant/internal/webhook"
)

type partnersData struct {
	Partners []partner.Partner
	Next     string
	Name     string
	// Throttles are the retailers the enumeration guard throttles now.
	Throttles []retail.Throttle
	// Created is a new partner's credentials: the secret is shown once.
	Created *partner.Credentials
}

func (c *Console) partners(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.partnersPage(w, r, v, &partnersData{}, http.StatusOK)
}

func (c *Console) partnersPage(w http.ResponseWriter, r *http.Request, v *view, d *partnersData, status int) error {
	list, err := c.Store.Partners(r.Context(), r.URL.Query().Get("after"), pageSize)
	if err != nil {
		return err
	}
	d.Partners = list
	if len(list) == pageSize {
		d.Next = list[len(list)-1].ID
	}
	if d.Throttles, err = c.Retail.Throttles(r.Context(), "", pageSize); err != nil {
		return err
	}
	v.Title, v.Data = "Partners", d
	return c.render(w, r, status, "partners", v)
}

// createPartner registers a partner; its client secret is shown once, on
// the answer to this request.
func (c *Console) createPartner(w http.ResponseWriter, r *http.Request, v *view) error {
	d := &partnersData{Name: strings.TrimSpace(r.PostFormValue("name"))}
	creds, err := c.Partners.Create(r.Context(), d.Name)
	if err != nil {
		v.Error = message(err)
		return c.partnersPage(w, r, v, d, statusOf(err))
	}
	return c.partnersPage(w, r, v, &partnersData{Created: &creds}, http.StatusCreated)
}

// unthrottle lifts a retailer's enumeration throttle (audited by the
// store in the operator's name); nothing to lift is answered on the page.
func (c *Console) unthrottle(w http.ResponseWriter, r *http.Request, v *view) error {
	t, err := c.Retail.LiftThrottle(r.Context(), r.PathValue("partnerId"))
	if err != nil {
		v.Error = message(err)
		return c.partnersPage(w, r, v, &partnersData{}, statusOf(err))
	}
	return c.redirect(w, r, "/console/partners", "Throttle of "+t.PartnerName+" lifted: its card validations are answered again.")
}

type partnerData struct {
	Partner  partner.Partner
	Programs []program.Program
	Secret   string // after a rotation: shown once
}

func (c *Console) partnerView(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.partnerPage(w, r, v, "")
}

func (c *Console) partnerPage(w http.ResponseWriter, r *http.Request, v *view, secret string) error {
	p, err := c.Partners.Get(r.Context(), r.PathValue("partnerId"))
	if err != nil {
		return err
	}
	progs, err := c.Store.Programs(r.Context(), p.ID, "", 500)
	if err != nil {
		return err
	}
	v.Title, v.Data = p.Name, partnerData{Partner: p, Programs: progs, Secret: secret}
	return c.render(w, r, http.StatusOK, "partner", v)
}

// rotateSecret gives a partner a new client secret (shown once); the old
// one stops working at once.
func (c *Console) rotateSecret(w http.ResponseWriter, r *http.Request, v *view) error {
	creds, err := c.Partners.RotateSecret(r.Context(), r.PathValue("partnerId"))
	if err != nil {
		return err
	}
	v.Flash = "New client secret made: the old one no longer works. Give this one to the partner now: it is not shown again."
	return c.partnerPage(w, r, v, creds.ClientSecret)
}

type programsData struct {
	Programs []program.Program
	Next     string
}

func (c *Console) programs(w http.ResponseWriter, r *http.Request, v *view) error {
	list, err := c.Store.Programs(r.Context(), "", r.URL.Query().Get("after"), pageSize)
	if err != nil {
		return err
	}
	d := programsData{Programs: list}
	if len(list) == pageSize {
		d.Next = list[len(list)-1].Code
	}
	v.Title, v.Data = "Programs", d
	return c.render(w, r, http.StatusOK, "programs", v)
}

// programForm is a program's create or edit form, with the catalogues
// its checkboxes offer.
type programForm struct {
	Program       program.Program
	New           bool
	Types         []string
	Features      []string
	HasType       map[string]bool
	HasFeature    map[string]bool
	TermsEnforced string
	// Webhooks are the program's subscriptions; EventTypes are what the
	// new-subscription form offers.
	Webhooks   []webhook.Subscription
	EventTypes []string
	// Reload is the program's retail reload form (nil on a new program).
	Reload *reloadForm
}

func newProgramForm(p program.Program, isNew bool) *programForm {
	f := &programForm{Program: p, New: isNew, Types: ledger.Types(), Features: feature.IDs(),
		HasType: map[string]bool{}, HasFeature: map[string]bool{}, TermsEnforced: strings.Join(p.TermsEnforced, ", ")}
	for _, t := range p.AdjustmentTypes {
		f.HasType[t] = true
	}
	for _, id := range p.Features {
		f.HasFeature[id] = true
	}
	return f
}

func (c *Console) programView(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.programPage(w, r, v, http.StatusOK)
}

// programPage renders a program with its webhook subscriptions.
func (c *Console) programPage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	p, err := c.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	f := newProgramForm(p, false)
	f.EventTypes = webhook.EventTypes
	if f.Webhooks, err = c.Webhooks.List(r.Context(), p.Code); err != nil {
		return err
	}
	if f.Reload, err = c.reloadForm(r.Context(), p.Code); err != nil {
		return err
	}
	v.Title, v.Data = "Program "+p.Code, f
	return c.render(w, r, status, "program", v)
}

func (c *Console) newProgram(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title, v.Data = "New program", newProgramForm(program.Program{PartnerID: r.PathValue("partnerId")}, true)
	return c.render(w, r, http.StatusOK, "program", v)
}

// readProgramForm reads the program form's fields.
func readProgramForm(r *http.Request) program.Program {
	r.ParseForm()
	var terms []string
	for _, t := range strings.Split(r.PostFormValue("termsEnforced"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			terms = append(terms, t)
		}
	}
	return program.Program{Code: strings.TrimSpace(r.PostFormValue("programCode")), PartnerID: strings.TrimSpace(r.PostFormValue("partnerId")),
		Name: strings.TrimSpace(r.PostFormValue("name")), BIN: strings.TrimSpace(r.PostFormValue("bin")),
		AdjustmentTypes: r.PostForm["adjustmentTypes"], Features: r.PostForm["features"], TermsEnforced: terms}
}

func (c *Console) createProgram(w http.ResponseWriter, r *http.Request, v *view) error {
	in := readProgramForm(r)
	p, err := c.Programs.Create(r.Context(), in)
	if err != nil {
		v.Title, v.Data, v.Error = "New program", newProgramForm(in, true), message(err)
		return c.render(w, r, statusOf(err), "program", v)
	}
	return c.redirect(w, r, "/console/programs/"+p.Code, "Program "+p.Code+" created.")
}

func (c *Console) updateProgram(w http.ResponseWriter, r *http.Request, v *view) error {
	code := r.PathValue("programCode")
	cur, err := c.Programs.Get(r.Context(), code)
	if err != nil {
		return err
	}
	in := readProgramForm(r)
	types, feats := nonNil(in.AdjustmentTypes), nonNil(in.Features)
	terms := nonNil(in.TermsEnforced)
	_, err = c.Programs.Update(r.Context(), code, program.Patch{Name: &in.Name, BIN: &in.BIN, AdjustmentTypes: &types,
		Features: &feats, TermsEnforced: &terms})
	if err != nil {
		in.Code, in.PartnerID, in.Currency = cur.Code, cur.PartnerID, cur.Currency
		v.Title, v.Data, v.Error = "Program "+code, newProgramForm(in, false), message(err)
		return c.render(w, r, statusOf(err), "program", v)
	}
	return c.redirect(w, r, "/console/programs/"+code, "Program saved.")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
