package tracking

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"magpie/backend/forms"
)

// formSubmit accepts Mautic-style form posts (mauticform[alias]=value). The submission is a
// hit; Ingest identifies the visitor by the unique-identifier fields (email) and merges the
// anonymous visitor into the known contact.
func (s *Server) formSubmit(w http.ResponseWriter, r *http.Request) error {
	ajax := strings.HasSuffix(r.URL.Path, "/ajax")
	if !s.cors(w, r) {
		return bad(http.StatusForbidden, "origin %.80q is not allowed", r.Header.Get("Origin"))
	}
	limit := s.cfg.MaxFormBody
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/")
	if multipart {
		limit = max(limit, forms.MaxUploadTotal+64<<10) // file fields: the files and the rest of the form
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	switch {
	case multipart:
		err = r.ParseMultipartForm(limit)
	case mediaType(r.Header.Get("Content-Type")) == "application/x-www-form-urlencoded":
		// The usual post: the body alone, parsed once into PostForm (ParseForm also parses
		// the URL's query and copies every value into r.Form, which nothing here reads).
		var body string
		if body, err = readBody(r.Body, r.ContentLength, limit); err == nil {
			r.PostForm, err = url.ParseQuery(body)
		}
	default:
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return bad(http.StatusBadRequest, "malformed form body: %v", err)
	}
	if f, err := s.form(r.Context(), r.PostForm.Get("mauticform[formId]")); err != nil {
		return err
	} else if f != nil {
		return s.definedSubmit(w, r, f, ajax)
	}
	fields := map[string]string{}
	var formID, ret, devParam string
	for k, v := range r.PostForm {
		if len(v) == 0 {
			continue
		}
		name := k
		if inner, ok := strings.CutPrefix(k, "mauticform["); ok {
			name = strings.TrimSuffix(inner, "]")
		}
		val := v[0]
		if len(val) > maxFieldValue {
			return bad(http.StatusBadRequest, "form field %q is %d bytes (limit %d)", name, len(val), maxFieldValue)
		}
		switch name {
		case "formId", "formid":
			formID = val
			continue
		case "return":
			ret = val
			continue
		case "mautic_device_id":
			devParam = val
			continue
		case "formName", "messenger", "submit":
			continue
		}
		if !fieldName.MatchString(name) {
			return bad(http.StatusBadRequest, "form field name %.40q is invalid", name)
		}
		if hasControl(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(val)) {
			return bad(http.StatusBadRequest, "form field %q contains control characters", name)
		}
		fields["field."+name] = val
	}
	if len(fields) == 0 {
		return bad(http.StatusBadRequest, "the form has no fields")
	}
	if len(fields) > maxFields {
		return bad(http.StatusBadRequest, "too many form fields (%d, limit %d)", len(fields), maxFields)
	}
	if len(formID) > 64 || hasControl(formID) {
		return bad(http.StatusBadRequest, "formId is invalid")
	}
	dev, _ := s.device(r, devParam)
	h := s.baseHit(r, KindForm, dev)
	h.Form, h.Data, h.Contact = formID, fields, s.signedContact(r)
	if ref := r.Referer(); ref != "" && len(ref) <= maxURL && !hasControl(ref) {
		h.URL = ref
	}
	if err := s.accept(&h); err != nil {
		return err
	}
	s.setCookies(w, dev, "")
	if ajax {
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(map[string]any{"success": 1, "id": h.ID})
	}
	if dest, ok := s.safeReturn(r, ret); ok {
		http.Redirect(w, r, dest, http.StatusSeeOther)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return thanksTmpl.Execute(w, nil)
}

var thanksTmpl = template.Must(template.New("thanks").Parse(`<!doctype html><html lang="en"><head>
<meta charset="utf-8"><title>Thank you</title></head><body><h1 id="thanks">Thank you</h1>
<p>Your submission was received.</p></body></html>`))

// safeReturn decides whether a form's return URL may be redirected to: only to the tracker
// itself, an allowed origin, or (when no origins are configured) the page the form was
// posted from. Anything else would be an open redirect.
func (s *Server) safeReturn(r *http.Request, ret string) (string, bool) {
	if ret == "" {
		ret = r.Referer()
	}
	if ret == "" {
		return "", false
	}
	u, err := checkURL("return", ret)
	if err != nil {
		return "", false
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	if origin == strings.ToLower(s.base.Scheme+"://"+s.base.Host) || s.origins[origin] {
		return u.String(), true
	}
	if len(s.origins) == 0 {
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host != "" &&
			strings.ToLower(ref.Scheme+"://"+ref.Host) == origin {
			return u.String(), true
		}
	}
	return "", false
}
