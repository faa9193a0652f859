package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/dwc"
	"magpie/backend/focus"
	"magpie/backend/ids"
	"magpie/backend/pages"
)

// Web is what the tracker serves besides hits: landing pages, the preference center,
// dynamic web content and focus items, read from the local store (docs/TRACKING.md).
type Web struct {
	DB       *db.DB
	Contacts *contacts.Service
	Pages    *pages.Service
	DWC      *dwc.Service
	Focus    *focus.Service
	// DWCDecision says whether a published campaign has a "Request dynamic content" decision
	// waiting for the contact's request of slot, and the item it shows there (campaigns.
	// DWCDecisions.Lookup); nil = slot requests never feed campaigns.
	DWCDecision func(ctx context.Context, contactID, slot string) (item string, waiting bool, err error)
}

// PurposePrefs signs preference-center links (fields: contact, address).
const PurposePrefs = "pages.prefs"

// PrefsLink is a contact's signed preference-center URL.
func (l Links) PrefsLink(contact, address string) string {
	return l.base() + "/prefs/" + l.Signer.Sign(PurposePrefs, 0, contact, address)
}

func (s *Server) webRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /p/{slug}", s.hit(s.landingPage))
	mux.HandleFunc("GET /", s.hit(s.landingPage)) // custom paths; anything else is 404
	mux.HandleFunc("GET /dwc/{slot}", s.hit(s.dwcSlot))
	mux.HandleFunc("GET /focus", s.hit(s.focusItems))
	mux.HandleFunc("POST /focus/{id}/{action}", s.hit(s.focusStat))
	mux.HandleFunc("GET /prefs/{token}", s.hit(s.prefsPage))
	mux.HandleFunc("POST /prefs/{token}", s.hit(s.prefsPost))
}

// visitor returns the device and the contact behind a request: the signed cookie's, else
// the device's known contact in the local store.
func (s *Server) visitor(r *http.Request, devParam string) (dev, contact string, err error) {
	dev, _ = s.device(r, devParam)
	contact = s.signedContact(r)
	if contact == "" && s.cfg.Web != nil {
		contact, err = pages.KnownContact(r.Context(), s.cfg.Web.DB.R, dev)
	}
	return dev, contact, err
}

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pages.CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cache-Control", "private, no-store")
	h.Add("Vary", "Accept-Language, Cookie")
}

// landingPage serves /p/{alias} and custom paths: the chosen translation and variant,
// personalised for a known visitor, with the tracking script; the view is recorded as a
// page hit naming the page.
func (s *Server) landingPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Web == nil || len(r.URL.Path) > 512 {
		return bad(http.StatusNotFound, "not found")
	}
	ctx := r.Context()
	root, ok, err := s.cfg.Web.Pages.Find(ctx, r.URL.Path)
	if err != nil {
		return err
	}
	if !ok {
		return bad(http.StatusNotFound, "not found")
	}
	dev, contact, err := s.visitor(r, "")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	lang := q.Get("lang")
	if len(lang) > 35 || hasControl(lang) {
		lang = ""
	}
	chosen, family, err := s.cfg.Web.Pages.Choose(ctx, root, pages.Visitor{Device: dev, AcceptLanguage: r.Header.Get("Accept-Language"), Lang: lang})
	if err != nil {
		return err
	}
	fields, err := pages.ContactFields(ctx, s.cfg.Web.Contacts, contact)
	if err != nil {
		return err
	}
	pageURL := s.base.String() + r.URL.Path
	out := pages.Render(chosen, pages.RenderOptions{Base: s.base.String(), URL: pageURL, Contact: fields, Family: family, Now: s.cfg.Now()})
	h := s.baseHit(r, KindPage, dev)
	h.URL = s.base.String() + r.URL.RequestURI()
	if len(h.URL) > maxURL {
		h.URL = pageURL
	}
	h.Title = truncate(chosen.Title, 512)
	if ref := r.Referer(); len(ref) <= maxURL && !hasControl(ref) {
		h.Referrer = ref
	}
	h.Contact = s.signedContact(r)
	h.Data = map[string]string{"page_id": chosen.ID}
	if chosen.ID != root.ID {
		h.Data["page_parent"] = root.ID
	}
	for _, k := range []string{"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"} {
		if v := q.Get(k); v != "" && !hasControl(v) {
			h.Data[k] = truncate(v, 255)
		}
	}
	if err := s.accept(&h); err != nil {
		return err
	}
	s.setCookies(w, dev, h.Contact)
	pageHeaders(w)
	_, err = w.Write([]byte(out))
	return err
}

// dwcSlot answers GET /dwc/{slot} with {"slot", "content"} for the visitor (CORS as /mtc).
func (s *Server) dwcSlot(w http.ResponseWriter, r *http.Request) error {
	if !s.cors(w, r) {
		return bad(http.StatusForbidden, "origin %.80q is not allowed", r.Header.Get("Origin"))
	}
	if s.cfg.Web == nil {
		return bad(http.StatusNotFound, "dynamic web content is not available on this tracker")
	}
	slot := r.PathValue("slot")
	if len(slot) > 64 || hasControl(slot) {
		return bad(http.StatusBadRequest, "slot name is invalid")
	}
	dev, contact, err := s.visitor(r, r.URL.Query().Get("mautic_device_id"))
	if err != nil {
		return err
	}
	content, found, err := s.campaignSlot(r, dev, contact, slot)
	if err == nil && !found {
		content, found, err = s.cfg.Web.DWC.Resolve(r.Context(), contact, slot)
	}
	if err != nil {
		return err
	}
	if !found {
		return bad(http.StatusNotFound, "no dynamic content for slot %q", slot)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	return json.NewEncoder(w).Encode(map[string]string{"slot": slot, "content": content})
}

// campaignSlot handles a slot request a campaign waits for (a "Request dynamic content"
// decision): the request is recorded as a hit (→ dwc.requested, which fires the decision at
// ingest) and answered with the content the campaign shows for the slot, when it names one.
// Requests no campaign waits for record nothing (found false: the slot's own content).
func (s *Server) campaignSlot(r *http.Request, dev, contact, slot string) (content string, found bool, err error) {
	if contact == "" || s.cfg.Web.DWCDecision == nil {
		return "", false, nil
	}
	item, waiting, err := s.cfg.Web.DWCDecision(r.Context(), contact, slot)
	if err != nil || !waiting {
		return "", false, err
	}
	h := s.baseHit(r, KindDWC, dev)
	h.Contact = s.signedContact(r)
	h.Data = map[string]string{"slot": slot}
	if ref := r.Referer(); ref != "" && len(ref) <= maxURL && !hasControl(ref) {
		h.URL = ref
	}
	if err := s.accept(&h); err != nil {
		return "", false, err
	}
	if item == "" {
		return "", false, nil
	}
	return s.cfg.Web.DWC.ResolveItem(r.Context(), contact, item)
}

// focusItems answers GET /focus?url=…&seen=… with the items that may show on that page now.
func (s *Server) focusItems(w http.ResponseWriter, r *http.Request) error {
	if !s.cors(w, r) {
		return bad(http.StatusForbidden, "origin %.80q is not allowed", r.Header.Get("Origin"))
	}
	if s.cfg.Web == nil {
		return bad(http.StatusNotFound, "focus items are not available on this tracker")
	}
	q := r.URL.Query()
	u, err := checkURL("url", q.Get("url"))
	if err != nil {
		return err
	}
	items, err := s.cfg.Web.Focus.Published(r.Context())
	if err != nil {
		return err
	}
	seen := focus.ParseSeen(q.Get("seen"))
	now := s.cfg.Now()
	out := []focus.Public{}
	for i := range items {
		if items[i].Eligible(u.String(), seen[items[i].ID], now) {
			out = append(out, items[i].Public(s.base.String()))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	return json.NewEncoder(w).Encode(map[string]any{"items": out})
}

// focusStat records that mtc.js showed a published item (action "view") or that the visitor
// clicked its link or submitted its form ("convert"): a focus hit, counted by ingest as
// focus.viewed / focus.converted for the visitor. The answer is 204 either way it is stored.
func (s *Server) focusStat(w http.ResponseWriter, r *http.Request) error {
	if !s.cors(w, r) {
		return bad(http.StatusForbidden, "origin %.80q is not allowed", r.Header.Get("Origin"))
	}
	if s.cfg.Web == nil {
		return bad(http.StatusNotFound, "focus items are not available on this tracker")
	}
	id, action := r.PathValue("id"), r.PathValue("action")
	if action != "view" && action != "convert" {
		return bad(http.StatusBadRequest, "action %.20q must be view or convert", action)
	}
	items, err := s.cfg.Web.Focus.Published(r.Context())
	if err != nil {
		return err
	}
	found := false
	for i := range items {
		found = found || items[i].ID == id
	}
	if !found {
		return bad(http.StatusNotFound, "no published focus item %.40q", id)
	}
	dev, _ := s.device(r, r.URL.Query().Get("mautic_device_id"))
	h := s.baseHit(r, KindFocus, dev)
	h.Form, h.Contact = id, s.signedContact(r)
	h.Data = map[string]string{"action": action}
	if u := r.URL.Query().Get("url"); u != "" && len(u) <= maxURL && !hasControl(u) {
		h.URL = u
	}
	if err := s.accept(&h); err != nil {
		return err
	}
	s.setCookies(w, dev, h.Contact)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// prefCenterOnUnsub shows the preference center at an unsubscribe link when a page is
// flagged as the preference center; done is false otherwise (the plain page is shown).
func (s *Server) prefCenterOnUnsub(w http.ResponseWriter, r *http.Request, contact, address string) (bool, error) {
	if s.cfg.Web == nil {
		return false, nil
	}
	_, ok, err := s.cfg.Web.Pages.PreferencePage(r.Context())
	if err != nil || !ok {
		return false, err
	}
	tok := s.cfg.Signer.Sign(PurposePrefs, 0, contact, address)
	return true, s.renderPrefs(w, r, contact, tok, "", nil)
}

func (s *Server) renderPrefs(w http.ResponseWriter, r *http.Request, contact, tok, message string, view *pages.PrefView) error {
	ctx := r.Context()
	fields, err := pages.ContactFields(ctx, s.cfg.Web.Contacts, contact)
	if err != nil {
		return err
	}
	action := s.base.String() + "/prefs/" + tok
	out, err := s.cfg.Web.Pages.RenderPrefs(ctx, contact, action, message, r.Header.Get("Accept-Language"), view,
		pages.RenderOptions{Base: s.base.String(), Contact: fields, Now: s.cfg.Now()})
	if err != nil {
		return err
	}
	pageHeaders(w)
	w.Header().Set("X-Robots-Tag", "noindex")
	_, err = w.Write([]byte(out))
	return err
}

func (s *Server) prefsToken(r *http.Request) ([]string, error) {
	f, err := s.cfg.Signer.Verify(PurposePrefs, r.PathValue("token"))
	if err != nil || len(f) != 2 || !ids.Valid(f[0]) {
		return nil, bad(http.StatusForbidden, "this preference link is not valid")
	}
	return f, nil
}

// prefsPage is GET /prefs/{token}: the signed per-contact preference center.
func (s *Server) prefsPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Web == nil {
		return bad(http.StatusNotFound, "the preference center is not available on this tracker")
	}
	f, err := s.prefsToken(r)
	if err != nil {
		return err
	}
	return s.renderPrefs(w, r, f[0], r.PathValue("token"), "", nil)
}

// prefsPost records the visitor's choices as a prefs hit (applied by ingest, like every
// other hit) and shows the page again with what was chosen.
func (s *Server) prefsPost(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Web == nil {
		return bad(http.StatusNotFound, "the preference center is not available on this tracker")
	}
	f, err := s.prefsToken(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return bad(http.StatusBadRequest, "malformed form body")
	}
	view, err := s.cfg.Web.Pages.PrefState(r.Context(), f[0])
	if err != nil {
		return err
	}
	dev, _ := s.device(r, "")
	h := s.baseHit(r, KindPrefs, dev)
	h.Contact = f[0]
	var msg string
	switch r.PostForm.Get("action") {
	case "unsubscribe":
		h.Data = map[string]string{"action": "unsubscribe"}
		view.EmailOK = false
		msg = pages.PrefText(r.Header.Get("Accept-Language"), "unsubscribed")
	case "save":
		checked := map[string]bool{}
		for _, id := range r.PostForm["segment"] {
			if !ids.Valid(id) {
				return bad(http.StatusBadRequest, "segment %.40q is not a segment id", id)
			}
			checked[id] = true
		}
		var in, shown []string
		for i, sg := range view.Segments {
			shown = append(shown, sg.ID)
			view.Segments[i].Member = checked[sg.ID]
			if checked[sg.ID] {
				in = append(in, sg.ID)
			}
		}
		email := r.PostForm.Get("channel_email") == "1"
		view.EmailOK = email
		h.Data = map[string]string{"action": "save", "segments": strings.Join(in, ","), "shown": strings.Join(shown, ","),
			"email": map[bool]string{true: "1", false: "0"}[email]}
		if err := prefsCategoriesAndFrequency(r, &view, h.Data); err != nil {
			return err
		}
		msg = pages.PrefText(r.Header.Get("Accept-Language"), "saved")
	default:
		return bad(http.StatusBadRequest, "action must be save or unsubscribe")
	}
	if err := s.accept(&h); err != nil {
		return err
	}
	return s.renderPrefs(w, r, f[0], r.PathValue("token"), msg, &view)
}

// prefsCategoriesAndFrequency reads the category checkboxes and the frequency fields of a
// preference-center save into the hit data (and the view shown back); bad values are a 400
// naming the field.
func prefsCategoriesAndFrequency(r *http.Request, view *pages.PrefView, data map[string]string) error {
	checked := map[string]bool{}
	for _, c := range r.PostForm["category"] {
		checked[strings.ToLower(c)] = true
	}
	var in, shown []string
	for i, c := range view.Categories {
		shown = append(shown, c.Name)
		view.Categories[i].Subscribed = checked[strings.ToLower(c.Name)]
		if view.Categories[i].Subscribed {
			in = append(in, c.Name)
		}
	}
	data["categories"], data["categories_shown"] = strings.Join(in, "\n"), strings.Join(shown, "\n")
	if _, ok := r.PostForm["freq_time"]; !ok {
		return nil // a custom form without the frequency fields
	}
	num, per := strings.TrimSpace(r.PostForm.Get("freq_number")), r.PostForm.Get("freq_time")
	n := 0
	if num != "" {
		var err error
		if n, err = strconv.Atoi(num); err != nil || n < 0 || n > 10000 {
			return bad(http.StatusBadRequest, "freq_number %.20q is not a number between 0 and 10000", num)
		}
	}
	switch per {
	case "DAY", "WEEK", "MONTH":
	default:
		return bad(http.StatusBadRequest, "freq_time %.20q is not DAY, WEEK or MONTH", per)
	}
	from, to := r.PostForm.Get("pause_from"), r.PostForm.Get("pause_to")
	if (from == "") != (to == "") {
		return bad(http.StatusBadRequest, "a pause needs both pause_from and pause_to")
	}
	if from != "" {
		a, e1 := time.Parse("2006-01-02", from)
		b, e2 := time.Parse("2006-01-02", to)
		if e1 != nil || e2 != nil {
			return bad(http.StatusBadRequest, "pause dates must be YYYY-MM-DD")
		}
		if b.Before(a) {
			return bad(http.StatusBadRequest, "pause_to is before pause_from")
		}
	}
	data["freq"], data["freq_number"], data["freq_time"], data["pause_from"], data["pause_to"] = "1", strconv.Itoa(n), per, from, to
	view.Frequency = pages.PrefFrequency{Number: n, Time: per, PauseFrom: from, PauseTo: to}
	return nil
}
