package tracking

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"magpie/backend/assets"
	"magpie/backend/forms"
	"magpie/backend/ids"
)

//go:embed forms.js
var formsJS string

// Defaults of the form anti-spam limits: per IP, 1 submission per 6 s on average with bursts
// of 10 (a person never needs more; a script posting in a loop is refused with 429).
const (
	DefaultFormRate  = 1.0 / 6
	DefaultFormBurst = 10
	defCacheTTL      = 5 * time.Second
)

// formCSP is the Content-Security-Policy of every page the tracker renders for forms and
// assets: no inline script at all (submitted or contact values are escaped, and even an
// injected <script> would not run), scripts only from the tracker itself.
const formCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
	"connect-src 'self'; base-uri 'none'; object-src 'none'"

// web is the forms and assets part of the server (nil readers: the routes answer 404).
type web struct {
	forms   forms.Reader
	assets  assets.Reader
	limiter *Limiter
	mu      sync.Mutex
	cache   map[string]cachedForm
}

type cachedForm struct {
	f   *forms.Form
	exp time.Time
}

// formRoutes serves forms and assets (script, iframe and plain-HTML embeds, gated downloads).
func (s *Server) formRoutes(mux *http.ServeMux) {
	rate, burst := s.cfg.FormRatePerIP, s.cfg.FormBurst
	if rate == 0 {
		rate, burst = DefaultFormRate, DefaultFormBurst
	}
	if rate < 0 {
		rate = 0
	}
	s.web = &web{forms: s.cfg.Forms, assets: s.cfg.Assets, limiter: NewLimiter(rate, burst), cache: map[string]cachedForm{}}
	mux.HandleFunc("GET /form/{file}", s.hit(s.formGet))
	mux.HandleFunc("GET /asset/{slug}", s.hit(s.assetGet))
}

// form returns a published form definition, cached for a few seconds (nil when none).
func (s *Server) form(ctx context.Context, id string) (*forms.Form, error) {
	if s.web == nil || s.web.forms == nil || !ids.Valid(id) {
		return nil, nil
	}
	now := time.Now()
	s.web.mu.Lock()
	c, ok := s.web.cache[id]
	s.web.mu.Unlock()
	if ok && now.Before(c.exp) {
		return c.f, nil
	}
	f, err := s.web.forms.Form(ctx, id)
	if err != nil {
		return nil, err
	}
	s.web.mu.Lock()
	if len(s.web.cache) > 10000 {
		clear(s.web.cache)
	}
	s.web.cache[id] = cachedForm{f: f, exp: now.Add(defCacheTTL)}
	s.web.mu.Unlock()
	return f, nil
}

// known returns the signed visitor's contact values when the form uses them.
func (s *Server) known(r *http.Request, f *forms.Form) map[string]string {
	if f.Kiosk {
		return nil
	}
	need := false
	for _, fd := range f.Fields {
		need = need || fd.Prefill || fd.HideIfKnown
	}
	if !need {
		return nil // no HMAC check for forms that use nothing of the contact
	}
	c := s.signedContact(r)
	if c == "" {
		return nil
	}
	vals, err := s.web.forms.Contact(r.Context(), c)
	if err != nil {
		s.log.Warn("tracking: form prefill failed", "err", err)
		return nil
	}
	return vals
}

func (s *Server) renderForm(r *http.Request, f *forms.Form, o forms.RenderOptions) template.HTML {
	o.Action = s.base.String() + "/form/submit"
	if f.MinSeconds > 0 {
		o.Token = s.cfg.Signer.Sign("form.ts", 24*time.Hour, f.ID, strconv.FormatInt(s.cfg.Now().UnixMilli(), 10))
	}
	if o.Known == nil {
		o.Known = s.known(r, f)
	}
	return f.Render(o)
}

// formGet serves /form/forms.js (the behaviour), /form/{id}.js (the script embed) and
// /form/{id} (the page an iframe shows).
func (s *Server) formGet(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	if file == "forms.js" {
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		io.WriteString(w, formsJS)
		return nil
	}
	id, script := strings.CutSuffix(file, ".js")
	f, err := s.form(r.Context(), id)
	if err != nil {
		return err
	}
	if f == nil {
		return bad(http.StatusNotFound, "no published form %.40q", id)
	}
	html := s.renderForm(r, f, forms.RenderOptions{Return: r.URL.Query().Get("return")})
	w.Header().Set("Cache-Control", "no-store")
	if script {
		b, _ := json.Marshal(string(html)) // escapes <, > and & as \u003c…: safe inside a script
		base, _ := json.Marshal(s.base.String())
		w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
		io.WriteString(w, `(function(){var s=document.currentScript,d=document.createElement("div");d.className="magpie-form-embed";d.innerHTML=`+
			string(b)+`;if(!document.getElementById("magpie-form-css")){var c=document.createElement("style");c.id="magpie-form-css";c.textContent=`+
			jsString(FormCSS)+`;document.head.appendChild(c)}s.parentNode.insertBefore(d,s);if(window.MagpieForms){window.MagpieForms.bind(d)}else{var j=document.createElement("script");j.src=`+
			string(base)+`+"/form/forms.js";document.head.appendChild(j)}})();`)
		return nil
	}
	return s.page(w, http.StatusOK, f.Name, html)
}

// hasControlText reports control characters other than line breaks and tabs (no allocation).
func hasControlText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// page writes a complete HTML page under the forms CSP.
func (s *Server) page(w http.ResponseWriter, status int, title string, body template.HTML) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", formCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	w.WriteHeader(status)
	return pageTmpl.Execute(w, map[string]any{"Title": title, "Body": body, "CSS": template.CSS(FormCSS), "Script": s.base.String() + "/form/forms.js"})
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title><style>{{.CSS}}</style></head>
<body class="magpie-form-page"><main>{{.Body}}</main><script src="{{.Script}}" defer></script></body></html>`))

var msgTmpl = template.Must(template.New("msg").Parse(`<div class="mf-done"><p id="mf-done" role="status">{{.Message}}</p>{{if .Download}}<p><a id="mf-download" href="{{.Download}}">Download {{.Name}}</a></p>{{end}}</div>`))

// FormCSS is the forms stylesheet (tracker pages, script embeds, the builder's preview).
const FormCSS = `.magpie-form-page{font:16px/1.5 system-ui,sans-serif;margin:0;padding:16px;color:#1a1b1e}
.mf-form{max-width:560px}.mf-row{margin:0 0 12px}.mf-row label{display:block;font-weight:600;margin-bottom:4px}
.mf-row input:not([type=checkbox]):not([type=radio]),.mf-row select,.mf-row textarea{box-sizing:border-box;width:100%;padding:8px;border:1px solid #868e96;border-radius:4px;font:inherit}
.mf-row .mf-choice{font-weight:400}.mf-group{border:0;padding:0;margin:0}.mf-group legend{font-weight:600;padding:0}
.mf-error{display:block;color:#c92a2a;font-size:14px}.mf-has-error input,.mf-has-error select,.mf-has-error textarea{border-color:#c92a2a}
.mf-page{border:0;padding:0;margin:0}.mf-req{color:#c92a2a}.mf-message:empty{display:none}.mf-message{padding:8px 0}.mf-message-error{color:#c92a2a}
.mf-submit,.mf-next,.mf-prev{padding:8px 16px;border:0;border-radius:4px;background:#1c7ed6;color:#fff;font:inherit;cursor:pointer}
.mf-prev{background:#868e96}:focus-visible{outline:2px solid #1c7ed6;outline-offset:2px}[hidden]{display:none!important}`

// postAlias returns the field alias of a posted name mauticform[alias] or mauticform[alias][]
// (alias: a lower-case letter, then up to 63 lower-case letters, digits or _). Hand-written:
// it runs for every posted value (a regular expression cost more than the rest of parsing).
func postAlias(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "mauticform[")
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "[]")
	alias, ok := strings.CutSuffix(rest, "]")
	if !ok || len(alias) == 0 || len(alias) > 64 || alias[0] < 'a' || alias[0] > 'z' {
		return "", false
	}
	for i := 1; i < len(alias); i++ {
		if c := alias[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return "", false
		}
	}
	return alias, true
}

// definedSubmit handles a post to a defined form: anti-spam (per-IP limit, honeypot, signed
// minimum time), validation, the hit (values, mapped contact fields, campaigns), then the
// post action (message, redirect, asset download) as JSON for the script or as a page.
func (s *Server) definedSubmit(w http.ResponseWriter, r *http.Request, f *forms.Form, ajax bool) error {
	ip := clientIP(r, s.cfg.TrustProxy)
	if !s.web.limiter.Allow("form:"+ip, time.Now()) {
		s.metrics.RateLimited.Add(1)
		w.Header().Set("Retry-After", "6")
		return bad(http.StatusTooManyRequests, "too many form submissions from this address")
	}
	vals := map[string][]string{}
	var ts, ret, devParam, gate string
	for k, v := range r.PostForm {
		alias, ok := postAlias(k)
		if !ok || len(v) == 0 {
			continue
		}
		for _, x := range v {
			if len(x) > maxFieldValue {
				return bad(http.StatusBadRequest, "form field %q is %d bytes (limit %d)", alias, len(x), maxFieldValue)
			}
			if hasControlText(x) {
				return bad(http.StatusBadRequest, "form field %q contains control characters", alias)
			}
		}
		switch alias {
		case "formid":
			continue
		case "ts":
			ts = v[0]
		case "return":
			ret = v[0]
		case "mautic_device_id":
			devParam = v[0]
		case "gate":
			gate = v[0]
		default:
			vals[alias] = v
		}
	}
	files, err := readUploads(r)
	if err != nil {
		return err
	}
	for alias, u := range files {
		vals[alias] = []string{u.Name}
	}
	if len(vals) > maxFields {
		return bad(http.StatusBadRequest, "too many form fields (%d, limit %d)", len(vals), maxFields)
	}
	known := s.known(r, f)
	sub := f.Validate(vals, known)
	uploads, total := []forms.Upload{}, 0
	for alias, u := range files {
		fd, ok := f.Field(alias)
		if _, kept := sub.Values[alias]; !ok || fd.Type != forms.File || !kept {
			continue // not a file field, or hidden: dropped like any hidden value
		}
		if is := forms.CheckUpload(fd, u.Name, u.Data); is != nil {
			sub.Issues[alias] = *is
			continue
		}
		total += len(u.Data)
		uploads = append(uploads, forms.Upload{Field: alias, Name: u.Name, Data: u.Data})
	}
	if total > forms.MaxUploadTotal {
		sub.Issues["_form"] = forms.Issue{Key: "forms.validation.filesTotal",
			Msg: fmt.Sprintf("The files add up to %d KB; at most %d KB can be sent at once.", total>>10, forms.MaxUploadTotal>>10)}
	}
	for alias, is := range sub.Issues {
		if is.Key == "forms.validation.spam" {
			// A bot filled the honeypot: answer as if it worked, store nothing.
			s.metrics.FormSpam.Add(1)
			s.log.Info("tracking: form spam dropped", "form", f.ID, "field", alias, "ip", privacyIP(ip, IPTruncate, nil))
			return s.formDone(w, r, f, ajax, "", "")
		}
	}
	if f.MinSeconds > 0 {
		fs, err := s.cfg.Signer.Verify("form.ts", ts)
		ms := int64(0)
		if err == nil && len(fs) == 2 && fs[0] == f.ID {
			ms, _ = strconv.ParseInt(fs[1], 10, 64)
		}
		if ms == 0 {
			sub.Issues["_form"] = forms.Issue{Key: "forms.validation.reload", Msg: "This form has expired: reload the page and submit it again."}
		} else if s.cfg.Now().UnixMilli()-ms < int64(f.MinSeconds)*1000 {
			s.metrics.FormSpam.Add(1)
			sub.Issues["_form"] = forms.Issue{Key: "forms.validation.tooFast", Msg: "That was very quick: please check the form and submit it again."}
		}
	}
	if len(sub.Issues) > 0 {
		s.metrics.Rejected.Add(1)
		if ajax {
			errs := map[string]string{}
			for a, is := range sub.Issues {
				errs[a] = is.Msg
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			return json.NewEncoder(w).Encode(map[string]any{"success": 0, "errors": errs})
		}
		msg := ""
		if is, ok := sub.Issues["_form"]; ok {
			msg = is.Msg
		} else {
			msg = "Please correct the fields marked below."
		}
		html := s.renderForm(r, f, forms.RenderOptions{Return: ret, Known: known, Values: vals, Issues: sub.Issues, Message: msg})
		return s.page(w, http.StatusBadRequest, f.Name, html)
	}
	dev, _ := s.device(r, devParam)
	contact := s.signedContact(r)
	if f.Kiosk {
		dev, contact = ids.New(), "" // kiosk: never the tracked visitor, no cookies
	}
	h := s.baseHit(r, KindForm, dev)
	h.Form, h.Contact = f.ID, contact
	h.Data = map[string]string{}
	var campaigns []string
	for _, a := range f.Actions {
		if a.Type == forms.ActCampaign && a.Campaign != "" {
			campaigns = append(campaigns, a.Campaign)
		}
	}
	if len(campaigns) > 0 {
		h.Data["campaigns"] = strings.Join(campaigns, ",")
	}
	for alias, v := range sub.Values {
		h.Data["form."+alias] = v
		if fd, ok := f.Field(alias); ok && fd.Contact() != "" {
			h.Data["field."+fd.Contact()] = v
		}
	}
	for _, u := range uploads {
		h.Data["file."+u.Field] = base64.StdEncoding.EncodeToString(u.Data)
	}
	if ref := r.Referer(); ref != "" && len(ref) <= maxURL && !hasControl(ref) {
		h.URL = ref
	}
	if err := s.accept(&h); err != nil {
		return err
	}
	s.metrics.Forms.Add(1)
	if !f.Kiosk {
		s.setCookies(w, dev, "")
	}
	return s.formDone(w, r, f, ajax, ret, gate)
}

// readUploads reads the posted files (one per field) of a multipart form: name and bytes,
// at most MaxUpload+1 bytes each (CheckUpload then refuses what is too large).
func readUploads(r *http.Request) (map[string]forms.Upload, error) {
	out := map[string]forms.Upload{}
	if r.MultipartForm == nil {
		return out, nil
	}
	for k, fhs := range r.MultipartForm.File {
		alias, ok := postAlias(k)
		if !ok || len(fhs) == 0 || fhs[0].Filename == "" {
			continue
		}
		name := filepath.Base(strings.ReplaceAll(fhs[0].Filename, "\\", "/"))
		if len(name) > 255 || hasControlText(name) {
			return nil, bad(http.StatusBadRequest, "file name of %q is not acceptable", alias)
		}
		fh, err := fhs[0].Open()
		if err != nil {
			return nil, bad(http.StatusBadRequest, "file %q: %v", alias, err)
		}
		data, err := io.ReadAll(io.LimitReader(fh, forms.MaxUpload+1))
		fh.Close()
		if err != nil {
			return nil, bad(http.StatusBadRequest, "file %q: %v", alias, err)
		}
		out[alias] = forms.Upload{Field: alias, Name: name, Data: data}
	}
	return out, nil
}

// formAnswer is the script's JSON answer to an accepted post (a struct: no map to sort).
type formAnswer struct {
	Success  int    `json:"success"`
	Message  string `json:"message"`
	Redirect string `json:"redirect"`
	Download string `json:"download"`
}

// appendJSON is json.Marshal's text of the answer (and its newline, as Encoder wrote it),
// without reflection: this answers every accepted AJAX post.
func (a formAnswer) appendJSON(b []byte) []byte {
	b = append(b, `{"success":`...)
	b = strconv.AppendInt(b, int64(a.Success), 10)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, a.Message)
	b = append(b, `,"redirect":`...)
	b = appendJSONString(b, a.Redirect)
	b = append(b, `,"download":`...)
	b = appendJSONString(b, a.Download)
	return append(b, "}\n"...)
}

// formDone answers a stored (or silently dropped) submission with the form's post action.
func (s *Server) formDone(w http.ResponseWriter, r *http.Request, f *forms.Form, ajax bool, ret, gate string) error {
	msg, redirect, download, name := "", "", "", ""
	if f.PostAction == "redirect" {
		redirect = f.PostValue
	} else {
		msg = f.PostValue
	}
	var assetID string
	for _, a := range f.Actions {
		switch a.Type {
		case forms.ActRedirect:
			redirect, msg = a.URL, ""
		case forms.ActMessage:
			msg, redirect = a.Message, ""
		case forms.ActAsset:
			assetID = a.AssetID
		}
	}
	if gate != "" {
		if fs, err := s.cfg.Signer.Verify("asset.gate", gate); err == nil && len(fs) == 1 {
			assetID = fs[0]
		}
	}
	if assetID != "" && s.web.assets != nil {
		if a, err := s.web.assets.ByID(r.Context(), assetID); err == nil && a != nil {
			download = s.base.String() + "/asset/" + a.Slug + "?t=" + s.cfg.Signer.Sign("asset.dl", 30*time.Minute, a.ID)
			name = a.Title
		}
	}
	if msg == "" && redirect == "" {
		msg = "Thank you, your submission was received."
	}
	if ajax {
		h := w.Header()
		h["Content-Type"] = hvJSON
		_, err := w.Write(formAnswer{Success: 1, Message: msg, Redirect: redirect, Download: download}.appendJSON(make([]byte, 0, 128)))
		return err
	}
	if redirect != "" && download == "" {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return nil
	}
	if download == "" && ret != "" {
		if dest, ok := s.safeReturn(r, ret); ok {
			http.Redirect(w, r, dest, http.StatusSeeOther)
			return nil
		}
	}
	var b strings.Builder
	if err := msgTmpl.Execute(&b, map[string]any{"Message": msg, "Download": download, "Name": name}); err != nil {
		return err
	}
	return s.page(w, http.StatusOK, f.Name, template.HTML(b.String()))
}

// assetGet streams an asset (or redirects to its remote URL) and records the download; a
// gated asset first shows its form, whose submission leads back here with a signed grant.
func (s *Server) assetGet(w http.ResponseWriter, r *http.Request) error {
	if s.web == nil || s.web.assets == nil {
		return bad(http.StatusNotFound, "no assets here")
	}
	slug := strings.ToLower(r.PathValue("slug"))
	a, err := s.web.assets.BySlug(r.Context(), slug)
	if err != nil {
		return err
	}
	if a == nil {
		return bad(http.StatusNotFound, "no asset %.60q", slug)
	}
	if a.GateFormID != "" {
		fs, err := s.cfg.Signer.Verify("asset.dl", r.URL.Query().Get("t"))
		if err != nil || len(fs) != 1 || fs[0] != a.ID {
			f, err := s.form(r.Context(), a.GateFormID)
			if err != nil {
				return err
			}
			if f != nil {
				html := s.renderForm(r, f, forms.RenderOptions{Message: "Fill in this form to download " + a.Title + "."})
				gate := `<input type="hidden" name="mauticform[gate]" value="` + template.HTMLEscapeString(s.cfg.Signer.Sign("asset.gate", 24*time.Hour, a.ID)) + `">`
				html = template.HTML(strings.Replace(string(html), `<input type="hidden" name="mauticform[formId]"`, gate+`<input type="hidden" name="mauticform[formId]"`, 1))
				return s.page(w, http.StatusOK, a.Title, html)
			}
		}
	}
	dev, _ := s.device(r, "")
	h := s.baseHit(r, KindAsset, dev)
	h.Form, h.Contact = a.ID, s.signedContact(r)
	if ref := r.Referer(); ref != "" && len(ref) <= maxURL && !hasControl(ref) {
		h.URL = ref
	}
	if err := s.accept(&h); err != nil {
		return err
	}
	s.setCookies(w, dev, "")
	if a.Kind == "remote" {
		http.Redirect(w, r, a.RemoteURL, http.StatusFound)
		return nil
	}
	hd := w.Header()
	hd.Set("Content-Type", a.Mime)
	hd.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	hd.Set("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(a.FileName)+`"`)
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	if err := assets.WriteTo(r.Context(), s.web.assets, a, w); err != nil {
		s.log.Error("tracking: asset stream failed", "asset", a.ID, "err", err)
	}
	return nil
}
