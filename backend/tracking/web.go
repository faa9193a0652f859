package tracking

import (
	"cmp"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unsafe"
)

//go:embed mtc.js
var mtcSource string

// gif1x1 is a transparent 1×1 GIF.
var gif1x1 = []byte{0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b}

// Snippet is Mautic's standard tracking snippet pointed at base (the tracker's public URL).
func Snippet(base string) string {
	base = strings.TrimRight(base, "/")
	return `<script>
    (function(w,d,t,u,n,a,m){w['MauticTrackingObject']=n;
        w[n]=w[n]||function(){(w[n].q=w[n].q||[]).push(arguments)},a=d.createElement(t),
        m=d.getElementsByTagName(t)[0];a.async=1;a.src=u;m.parentNode.insertBefore(a,m)
    })(window,document,'script','` + base + `/mtc.js','mt');

    mt('send', 'pageview');
</script>`
}

func (s *Server) mtcJS(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(s.base.String())
	w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	io.WriteString(w, strings.Replace(mtcSource, "__MAGPIE_BASE__", string(b), 1))
}

// pageParams are the mtc.js parameters that are not contact fields.
var pageParams = map[string]bool{"page_url": true, "page_title": true, "page_referrer": true, "page_language": true,
	"counter": true, "timezone_offset": true, "resolution": true, "platform": true, "do_not_track": true,
	"mautic_device_id": true, "sid": true, "tags": true, "adblock": true, "fingerprint": true, "preferred_locale": false}

var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// readParams decodes an event body: JSON object or form-urlencoded.
func readParams(r *http.Request, limit int64, w http.ResponseWriter) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	ct := mediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		body, err := readBody(r.Body, r.ContentLength, limit)
		if err != nil {
			return nil, err
		}
		out := make(map[string]string, 8)
		return out, bodyParams(ct, body, out)
	case "application/json", "text/plain":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		return out, bodyParams(ct, string(body), out)
	}
	out := map[string]string{}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, mbe
		}
		return nil, bad(http.StatusBadRequest, "malformed form body: %v", err)
	}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out, nil
}

// bodyParams decodes a whole event body of media type ct (form-urlencoded, JSON or
// text/plain holding JSON) into out (empty): the part of readParams shared with the
// fasthttp front.
func bodyParams(ct, body string, out map[string]string) error {
	if ct == "application/x-www-form-urlencoded" {
		// mtc.js's own payload: parsed by hand (same rules as url.ParseQuery, first value wins),
		// without ParseForm's url.Values and per-value copies.
		if err := parseFormBody(body, out); err != nil {
			return bad(http.StatusBadRequest, "malformed form body: %v", err)
		}
		return nil
	}
	if len(strings.TrimSpace(body)) == 0 {
		return nil
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		return bad(http.StatusBadRequest, "body is not a JSON object: %v", err)
	}
	for k, v := range raw {
		switch t := v.(type) {
		case string:
			out[k] = t
		case float64, bool:
			b, _ := json.Marshal(t)
			out[k] = string(b)
		case nil:
		default:
			return bad(http.StatusBadRequest, "field %q: nested values are not accepted", k)
		}
	}
	return nil
}

// mediaType is the lower-cased media type of a Content-Type header (parameters dropped);
// mime.ParseMediaType for anything unusual.
func mediaType(ct string) string {
	t, _, _ := strings.Cut(ct, ";")
	t = strings.TrimSpace(t)
	for i := 0; i < len(t); i++ {
		if c := t[i]; c >= 'A' && c <= 'Z' || c == ' ' || c == '"' {
			m, _, _ := mime.ParseMediaType(ct)
			return m
		}
	}
	return t
}

// readBody reads a whole (size-limited) body in one allocation when its length is known.
func readBody(r io.Reader, length, limit int64) (string, error) {
	if length <= 0 || length > limit {
		b, err := io.ReadAll(r)
		return string(b), err
	}
	b := make([]byte, length)
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "", bad(http.StatusBadRequest, "body shorter than its Content-Length")
		}
		return "", err
	}
	return unsafe.String(&b[0], len(b)), nil // b is never written again: no copy
}

var errSemicolon = errors.New("invalid semicolon separator in query")

// parseFormBody parses application/x-www-form-urlencoded text into out (first value wins),
// refusing what url.ParseQuery refuses (semicolons, bad escapes).
func parseFormBody(body string, out map[string]string) error {
	var first error
	for body != "" {
		var kv string
		kv, body, _ = strings.Cut(body, "&")
		if strings.Contains(kv, ";") {
			first = cmp.Or(first, errSemicolon)
			continue
		}
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := formUnescape(k)
		v, err2 := formUnescape(v)
		if err := cmp.Or(err1, err2); err != nil {
			first = cmp.Or(first, err)
			continue
		}
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
	return first
}

func formUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// acceptPageHit turns mtc.js parameters into a page hit, refusing bad values by name, and
// accepts it into the spool (durable when it returns). data, when not nil, is an empty map
// the hit's data goes into (a caller's reused one); nil makes one.
func (s *Server) acceptPageHit(r reqView, p, data map[string]string) (Hit, error) {
	h, err := s.pageHitV(r, p, data)
	if err == nil {
		err = s.accept(&h)
	}
	return h, err
}

func (s *Server) pageHitV(r reqView, p, data map[string]string) (Hit, error) {
	if len(p) > maxFields {
		return Hit{}, bad(http.StatusBadRequest, "too many parameters (%d, limit %d)", len(p), maxFields)
	}
	for k, v := range p {
		if len(k) > 64 || hasControl(k) {
			return Hit{}, bad(http.StatusBadRequest, "parameter name %.40q is invalid", k)
		}
		if len(v) > maxFieldValue {
			return Hit{}, bad(http.StatusBadRequest, "parameter %q is %d bytes (limit %d)", k, len(v), maxFieldValue)
		}
		if hasControl(v) {
			return Hit{}, bad(http.StatusBadRequest, "parameter %q contains control characters", k)
		}
	}
	pageURL := p["page_url"]
	if pageURL == "" {
		pageURL = r.header("Referer")
	}
	if pageURL == "" {
		return Hit{}, bad(http.StatusBadRequest, "page_url is missing")
	}
	u, err := checkURL("page_url", pageURL)
	if err != nil {
		return Hit{}, err
	}
	ref := p["page_referrer"] // mtc.js sends the referrer host; full URLs are kept as sent
	dev, _ := s.deviceV(r, p["mautic_device_id"])
	h := s.baseHitV(r, KindPage, dev)
	h.URL, h.Referrer = pageURL, ref
	h.Title = truncate(p["page_title"], 512)
	if l := p["page_language"]; l != "" && len(l) <= 35 {
		h.Lang = l
	}
	h.Contact = s.signedContactV(r)
	if data == nil {
		data = make(map[string]string, len(p)+2)
	}
	if strings.Contains(u.RawQuery, "utm") {
		utmParams(u.RawQuery, data)
	}
	for k, v := range p {
		if v == "" || k == "page_url" || k == "page_title" || k == "page_referrer" || k == "page_language" ||
			k == "mautic_device_id" || k == "sid" {
			continue
		}
		switch {
		case strings.HasPrefix(k, "utm_") || pageParams[k]:
			data[k] = v
		case fieldName.MatchString(k):
			data["field."+k] = v
		default:
			return Hit{}, bad(http.StatusBadRequest, "parameter %.40q is not a field alias", k)
		}
	}
	if len(data) > 0 {
		h.Data = data
	}
	return h, nil
}

// utmParams copies the page URL's UTM parameters into data (≤ 255 bytes each): the first
// value of each, unescaped as url.ParseQuery does, pairs it refuses (semicolons, bad
// escapes) skipped — u.Query().Get without building url.Values.
func utmParams(rawQuery string, data map[string]string) {
	seen := 0
	for q := rawQuery; q != ""; {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if !strings.HasPrefix(kv, "utm") && !strings.HasPrefix(kv, "%") || strings.Contains(kv, ";") {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := formUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		bit := 0
		switch k {
		case "utm_source":
			bit = 1
		case "utm_medium":
			bit = 2
		case "utm_campaign":
			bit = 4
		case "utm_content":
			bit = 8
		case "utm_term":
			bit = 16
		default:
			continue
		}
		if seen&bit != 0 {
			continue
		}
		seen |= bit
		if v != "" {
			data[k] = truncate(v, 255)
		}
	}
}

// checkURL accepts absolute http(s) URLs of bounded length without control characters.
func checkURL(name, raw string) (*url.URL, error) {
	if len(raw) > maxURL {
		return nil, bad(http.StatusBadRequest, "%s is %d bytes (limit %d)", name, len(raw), maxURL)
	}
	if hasControl(raw) {
		return nil, bad(http.StatusBadRequest, "%s contains control characters", name)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad(http.StatusBadRequest, "%s %.80q is not an absolute http(s) URL", name, raw)
	}
	return u, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func (s *Server) mtcEvent(w http.ResponseWriter, r *http.Request) error {
	if !s.cors(w, r) {
		return bad(http.StatusForbidden, "origin %.80q is not allowed", r.Header.Get("Origin"))
	}
	p, err := readParams(r, s.cfg.MaxEventBody, w)
	if err != nil {
		return err
	}
	h, err := s.acceptPageHit(netReq{r}, p, nil)
	if err != nil {
		return err
	}
	contact := h.Contact
	if contact == "" {
		contact = VisitorID(h.Device)
	}
	s.setCookies(w, h.Device, h.Contact)
	hd := w.Header()
	hd["Content-Type"], hd["Cache-Control"] = hvJSON, hvNoStore
	// Ids are UUIDs (checked), so the answer needs no JSON escaping.
	_, err = io.WriteString(w, `{"success":1,"id":"`+contact+`","sid":"`+h.Device+`","device_id":"`+h.Device+`","events":{}}`+"\n")
	return err
}

// mtcLookup answers Mautic's /mtc (which contact and device the browser is).
func (s *Server) mtcLookup(w http.ResponseWriter, r *http.Request) error {
	if !s.cors(w, r) {
		return bad(http.StatusForbidden, "origin %.80q is not allowed", r.Header.Get("Origin"))
	}
	dev, _ := s.device(r, r.URL.Query().Get("mautic_device_id"))
	contact := s.signedContact(r)
	if contact == "" {
		contact = VisitorID(dev)
	}
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = hvJSON, hvNoStore
	return json.NewEncoder(w).Encode(map[string]any{"id": contact, "sid": dev, "device_id": dev})
}

// trackingGIF is mtc.js's image fallback: parameters in the query, or base64 in d.
func (s *Server) trackingGIF(w http.ResponseWriter, r *http.Request) error {
	p, err := gifParams(r.URL.Query())
	if err != nil {
		return err
	}
	h, err := s.acceptPageHit(netReq{r}, p, nil)
	if err != nil {
		return err
	}
	s.setCookies(w, h.Device, h.Contact)
	writeGIF(w)
	return nil
}

// gifParams are the tracking gif's parameters: the query's, and those base64-encoded in d.
func gifParams(q url.Values) (map[string]string, error) {
	p := map[string]string{}
	if d := q.Get("d"); d != "" {
		raw, err := base64.StdEncoding.DecodeString(d)
		if err != nil {
			raw, err = base64.URLEncoding.DecodeString(d)
		}
		if err != nil {
			return nil, bad(http.StatusBadRequest, "d is not base64")
		}
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, bad(http.StatusBadRequest, "d does not decode to parameters: %v", err)
		}
		for k, v := range vals {
			p[k] = v[0]
		}
	}
	for k, v := range q {
		if k != "d" && len(v) > 0 {
			p[k] = v[0]
		}
	}
	return p, nil
}

func writeGIF(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
	h.Set("Pragma", "no-cache")
	w.Write(gif1x1)
}
