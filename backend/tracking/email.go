package tracking

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"magpie/backend/ids"
	"magpie/backend/signing"
)

// Token purposes and fields of signed email links. They are minted by backend/emails
// (SignedLinks) with these exact purposes and field orders:
//
//	{base}/e/o/{token}.gif  open pixel      fields: msg, email, contact
//	{base}/r/{token}        click redirect  fields: msg, email, contact, destination
//	{base}/e/u/{token}      unsubscribe     fields: msg, email, contact, address
//
// Mautic's paths (/email/{token}.gif, /redirect/{token}, /email/unsubscribe/{token}) answer too.
const (
	PurposeOpen  = "email.open"
	PurposeClick = "email.click"
	PurposeUnsub = "email.unsub"
)

// Links mints the tracker URLs (tests, tools and the desktop's "preview links").
type Links struct {
	Base   string
	Signer *signing.Signer
}

func (l Links) base() string { return strings.TrimRight(l.Base, "/") }

// Open is the open-pixel URL of one message.
func (l Links) Open(msg, email, contact string) string {
	return l.base() + "/e/o/" + l.Signer.Sign(PurposeOpen, 0, msg, email, contact) + ".gif"
}

// Click is the tracked redirect to dest.
func (l Links) Click(msg, email, contact, dest string) string {
	return l.base() + "/r/" + l.Signer.Sign(PurposeClick, 0, msg, email, contact, dest)
}

// Unsubscribe is the unsubscribe page (GET) and RFC 8058 one-click (POST) URL.
func (l Links) Unsubscribe(msg, email, contact, address string) string {
	return l.base() + "/e/u/" + l.Signer.Sign(PurposeUnsub, 0, msg, email, contact, address)
}

// verify checks a token and its field count; failures are 400 (malformed) or 403 (forged,
// expired) and never say which contact was meant.
func (s *Server) verify(purpose, token string, nfields int) ([]string, error) {
	f, err := s.cfg.Signer.Verify(purpose, token)
	switch {
	case errors.Is(err, signing.ErrMalformed):
		return nil, bad(http.StatusBadRequest, "malformed link token")
	case errors.Is(err, signing.ErrExpired):
		return nil, bad(http.StatusGone, "this link has expired")
	case err != nil:
		return nil, bad(http.StatusForbidden, "link signature is not valid")
	case len(f) != nfields:
		return nil, bad(http.StatusBadRequest, "link token has %d fields, want %d", len(f), nfields)
	case !ids.Valid(f[2]):
		return nil, bad(http.StatusBadRequest, "link token names no valid contact")
	}
	return f, nil
}

func (s *Server) openPixel(w http.ResponseWriter, r *http.Request) error {
	tok, ok := strings.CutSuffix(r.PathValue("token"), ".gif")
	if !ok {
		return bad(http.StatusNotFound, "not found")
	}
	f, err := s.verify(PurposeOpen, tok, 3)
	if err != nil {
		return err
	}
	dev, _ := s.device(r, "")
	h := s.baseHit(r, KindOpen, dev)
	h.Send, h.Email, h.Contact = f[0], f[1], f[2]
	if err := s.accept(&h); err != nil {
		return err
	}
	writeGIF(w)
	return nil
}

// PurposeWebview signs "view in your browser" links (fields: msg, email, contact).
const PurposeWebview = "email.view"

// webview shows the message as it was sent, under a CSP that allows no script.
func (s *Server) webview(w http.ResponseWriter, r *http.Request) error {
	f, err := s.verify(PurposeWebview, r.PathValue("token"), 3)
	if err != nil {
		return err
	}
	if s.cfg.Webview == nil {
		return bad(http.StatusNotFound, "the web view is not available on this tracker")
	}
	html, err := s.cfg.Webview(r.Context(), f[0])
	if err != nil {
		return bad(http.StatusNotFound, "this message is not available")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src * data:; style-src 'unsafe-inline' *; font-src * data:")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write([]byte(html))
	return err
}

func (s *Server) click(w http.ResponseWriter, r *http.Request) error {
	f, err := s.verify(PurposeClick, r.PathValue("token"), 4)
	if err != nil {
		return err
	}
	// The destination comes from the signed token only, so the redirect can never be
	// steered elsewhere; it is still checked (a bad URL in an email must not become a
	// javascript: or header-splitting redirect).
	dest, err := checkURL("destination", f[3])
	if err != nil {
		return err
	}
	dev, _ := s.device(r, "")
	h := s.baseHit(r, KindClick, dev)
	h.Send, h.Email, h.Contact, h.URL = f[0], f[1], f[2], dest.String()
	if err := s.accept(&h); err != nil {
		return err
	}
	s.setCookies(w, dev, h.Contact)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, dest.String(), http.StatusFound)
	return nil
}

var unsubTmpl = template.Must(template.New("unsub").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #888;background:#f4f4f4;cursor:pointer}</style>
</head><body><h1>{{.Title}}</h1><p id="message">{{.Message}}</p>
<form method="post"><input type="hidden" name="action" value="{{.Action}}">
<button type="submit" id="{{.Action}}">{{.Button}}</button></form>
{{if .Prefs}}<p><a id="manage-prefs" href="{{.Prefs}}">Manage my preferences (topics, frequency)</a></p>{{end}}</body></html>`))

// unsubView is the plain unsubscribe page; Prefs links to the contact's signed preference
// center (topics, frequency, segments) when the tracker serves it.
type unsubView struct{ Title, Message, Action, Button, Prefs string }

// prefsURL is the signed preference-center link of an unsubscribe token's contact.
func (s *Server) prefsURL(contact, address string) string {
	if s.cfg.Web == nil {
		return ""
	}
	return s.base.String() + "/prefs/" + s.cfg.Signer.Sign(PurposePrefs, 0, contact, address)
}

func (s *Server) unsubPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.verify(PurposeUnsub, r.PathValue("token"), 4)
	if err != nil {
		return err
	}
	if done, err := s.prefCenterOnUnsub(w, r, f[2], f[3]); done || err != nil {
		return err // the preference center page is configured: it is the unsubscribe page
	}
	// GET never unsubscribes: link scanners open links; the button (or RFC 8058 POST) does.
	return s.render(w, unsubView{Title: "Unsubscribe", Message: "Do you want to stop receiving these emails?",
		Action: "unsubscribe", Button: "Unsubscribe", Prefs: s.prefsURL(f[2], f[3])})
}

func (s *Server) unsubPost(w http.ResponseWriter, r *http.Request) error {
	f, err := s.verify(PurposeUnsub, r.PathValue("token"), 4)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return bad(http.StatusBadRequest, "malformed form body")
	}
	oneClick := r.PostForm.Get("List-Unsubscribe") == "One-Click"
	action := r.PostForm.Get("action")
	kind := KindUnsub
	switch {
	case oneClick, action == "unsubscribe":
	case action == "resubscribe":
		kind = KindResub
	default:
		return bad(http.StatusBadRequest, "action must be unsubscribe or resubscribe (or List-Unsubscribe=One-Click)")
	}
	dev, _ := s.device(r, "")
	h := s.baseHit(r, kind, dev)
	h.Send, h.Email, h.Contact = f[0], f[1], f[2]
	if oneClick {
		h.Data = map[string]string{"method": "one-click"}
	}
	if err := s.accept(&h); err != nil {
		return err
	}
	if oneClick {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if kind == KindResub {
		return s.render(w, unsubView{Title: "Subscribed again", Message: "You will receive these emails again.",
			Action: "unsubscribe", Button: "Unsubscribe", Prefs: s.prefsURL(f[2], f[3])})
	}
	return s.render(w, unsubView{Title: "Unsubscribed", Message: "You will not receive these emails any more.",
		Action: "resubscribe", Button: "Resubscribe", Prefs: s.prefsURL(f[2], f[3])})
}

func (s *Server) render(w http.ResponseWriter, v unsubView) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	return unsubTmpl.Execute(w, v)
}
