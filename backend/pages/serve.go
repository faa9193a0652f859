package pages

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"magpie/backend/contacts"
	"magpie/backend/tokens"
)

// CSP is the Content-Security-Policy landing pages are served with: scripts only from the
// tracker itself (mtc.js, form embeds) — no inline script, so markup injected through a
// submitted value can never run — forms post to the tracker, images and styles from anywhere.
const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; img-src * data:; style-src * 'unsafe-inline'; " +
	"font-src * data:; media-src *; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"

// Find returns the published root page served at path (/p/{alias} or a custom path).
// Variants are never addressed directly; a translation may be, by its own alias.
func (s *Service) Find(ctx context.Context, path string) (Page, bool, error) {
	list, err := s.published(ctx)
	if err != nil {
		return Page{}, false, err
	}
	p, ok := findLive(list, path)
	return p, ok, nil
}

// Visitor is who asks for a page.
type Visitor struct {
	Device         string // tracking device id (variant stickiness)
	AcceptLanguage string // the Accept-Language header
	Lang           string // an explicit choice (?lang=fr, the language switch)
}

// Choose picks what to show for root: the translation matching the visitor's language, then
// one of its A/B variants (weighted, sticky per device). It returns the chosen page and the
// translation family (for the language switch).
func (s *Service) Choose(ctx context.Context, root Page, v Visitor) (Page, []Page, error) {
	list, err := s.published(ctx)
	if err != nil {
		return Page{}, nil, err
	}
	top := root
	if root.TranslationParentID != "" { // addressed by a translation's own alias
		for _, p := range list {
			if p.ID == root.TranslationParentID {
				top = p
			}
		}
	}
	family := append([]Page{top}, children(list, top.ID, false)...)
	chosen := root
	if v.Lang != "" || root.ID == top.ID {
		chosen = PickLanguage(v.Lang, v.AcceptLanguage, family)
	}
	if vars := children(list, chosen.ID, true); len(vars) > 0 {
		if w, ok := winner(chosen, vars); ok {
			chosen = w // the A/B test is decided: only the winner is served
		} else {
			chosen = PickVariant(v.Device, chosen, vars)
		}
	}
	return chosen, family, nil
}

// winner returns the decided A/B winner among parent and its live variants.
func winner(parent Page, vars []Page) (Page, bool) {
	if parent.ABCriteria == "" || parent.ABWinnerID == "" {
		return Page{}, false
	}
	if parent.ABWinnerID == parent.ID {
		return parent, true
	}
	for _, v := range vars {
		if v.ID == parent.ABWinnerID {
			return v, true
		}
	}
	return Page{}, false // the winner went to the trash or was unpublished: split again
}

// PickLanguage returns the page of family (first = the main page) whose language matches an
// explicit choice, else the Accept-Language preferences (by q, exact tag then primary
// language), else the main page.
func PickLanguage(choice, accept string, family []Page) Page {
	if len(family) == 0 {
		return Page{}
	}
	prefs := parseAccept(accept)
	if choice != "" {
		prefs = append([]string{strings.ToLower(choice)}, prefs...)
	}
	for _, want := range prefs {
		for _, p := range family { // exact tag
			if norm(p.Language) == want {
				return p
			}
		}
		prim, _, _ := strings.Cut(want, "-")
		for _, p := range family { // same primary language
			pl, _, _ := strings.Cut(norm(p.Language), "-")
			if pl != "" && pl == prim {
				return p
			}
		}
	}
	return family[0]
}

func norm(l string) string { return strings.ReplaceAll(strings.ToLower(l), "_", "-") }

// parseAccept orders an Accept-Language header's tags by quality (stable), dropping q=0 and *.
func parseAccept(h string) []string {
	type tq struct {
		tag string
		q   float64
	}
	var list []tq
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = norm(strings.TrimSpace(tag))
		if tag == "" || tag == "*" || len(tag) > 35 {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > 0 {
			list = append(list, tq{tag, q})
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].q > list[j].q })
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = t.tag
	}
	return out
}

// PickVariant chooses among parent and its variants by weight, the same way every time for
// one device (a hash of device and parent id), so a visitor always sees one variant. The
// parent's weight is its own, or what the variants leave of 100; all-zero weights are equal.
func PickVariant(device string, parent Page, variants []Page) Page {
	cands := append([]Page{parent}, variants...)
	weights := make([]int, len(cands))
	total, sumVar := 0, 0
	for i, v := range variants {
		weights[i+1] = v.VariantWeight
		sumVar += v.VariantWeight
	}
	weights[0] = parent.VariantWeight
	if weights[0] == 0 {
		weights[0] = max(0, 100-sumVar)
	}
	for _, w := range weights {
		total += w
	}
	if total == 0 {
		for i := range weights {
			weights[i] = 1
		}
		total = len(weights)
	}
	h := fnv.New64a()
	h.Write([]byte(device))
	h.Write([]byte{0})
	h.Write([]byte(parent.ID))
	n := int(h.Sum64() % uint64(total))
	for i, w := range weights {
		if n < w {
			return cands[i]
		}
		n -= w
	}
	return parent
}

// ContactFields loads a contact's field values as token text (nil when unknown or deleted).
func ContactFields(ctx context.Context, cs *contacts.Service, id string) (map[string]string, error) {
	if id == "" || cs == nil {
		return nil, nil
	}
	list, err := cs.Load(ctx, []string{id}, nil)
	if err != nil || len(list) == 0 || list[0].Deleted {
		return nil, err
	}
	m := make(map[string]string, len(list[0].Values)+1)
	for k, v := range list[0].Values {
		m[k] = contacts.Text(v)
	}
	m["id"] = id
	return m, nil
}

// KnownContact returns the live contact a device belongs to ("" when none).
func KnownContact(ctx context.Context, s interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, device string) (string, error) {
	if device == "" {
		return "", nil
	}
	var id string
	err := s.QueryRowContext(ctx, `SELECT d.contact_id FROM tracking_devices d JOIN contacts c ON c.id = d.contact_id AND c.deleted = 0
		WHERE d.device_id = ?`, device).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

var embedRE = regexp.MustCompile(`\{(dwc|form|focus)=([A-Za-z0-9_.-]{1,100})\}`)

// RenderOptions are what a served page is rendered with.
type RenderOptions struct {
	Base    string            // the tracker's public URL
	URL     string            // the page's canonical URL
	Contact map[string]string // the known visitor's fields (tokens); nil = anonymous
	Family  []Page            // translations for {langbar}
	Now     time.Time
}

// Render personalises a page and completes its document: SEO title, meta description, social
// tags, robots, and the tracking script.
func Render(p Page, o RenderOptions) string {
	base := strings.TrimRight(o.Base, "/")
	body := embedRE.ReplaceAllStringFunc(p.HTML, func(m string) string {
		g := embedRE.FindStringSubmatch(m)
		v := html.EscapeString(g[2])
		switch g[1] {
		case "dwc":
			return `<div data-slot="dwc" data-param-slot-name="` + v + `"></div>`
		case "form":
			return `<script src="` + html.EscapeString(base) + `/form/` + v + `.js"></script>`
		default:
			return `<div data-magpie-focus="` + v + `"></div>`
		}
	})
	title := p.SEOTitle
	if title == "" {
		title = p.Title
	}
	data := tokens.Data{Contact: o.Contact, Specials: map[string]string{"pagetitle": title,
		"pagemetadescription": p.MetaDescription, "langbar": langBar(p, o.Family)},
		Markup: map[string]bool{"langbar": true}, Now: o.Now}
	if data.Contact == nil {
		data.Contact = map[string]string{}
	}
	body, _ = tokens.Render(body, data, tokens.HTML)
	var head strings.Builder
	head.WriteString(`<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`)
	if !hasTag(body, "<title") {
		head.WriteString("<title>" + html.EscapeString(title) + "</title>")
	}
	if p.MetaDescription != "" {
		head.WriteString(`<meta name="description" content="` + html.EscapeString(p.MetaDescription) + `">`)
		head.WriteString(`<meta property="og:description" content="` + html.EscapeString(p.MetaDescription) + `">`)
	}
	head.WriteString(`<meta property="og:title" content="` + html.EscapeString(title) + `">`)
	if o.URL != "" {
		head.WriteString(`<meta property="og:url" content="` + html.EscapeString(o.URL) + `">`)
		head.WriteString(`<link rel="canonical" href="` + html.EscapeString(o.URL) + `">`)
	}
	if p.SocialImage != "" {
		head.WriteString(`<meta property="og:image" content="` + html.EscapeString(p.SocialImage) + `">`)
		head.WriteString(`<meta name="twitter:card" content="summary_large_image">`)
	}
	if p.NoIndex || p.PreferenceCenter {
		head.WriteString(`<meta name="robots" content="noindex">`)
	}
	script := `<script src="` + html.EscapeString(base) + `/mtc.js" async></script>`
	return completeDoc(body, p.Language, head.String(), script)
}

func hasTag(s, tag string) bool { return strings.Contains(strings.ToLower(s), tag) }

// completeDoc inserts head tags and the closing script into a document, or wraps a fragment.
func completeDoc(body, lang, head, script string) string {
	low := strings.ToLower(body)
	if i := strings.Index(low, "<head"); i >= 0 {
		if j := strings.IndexByte(low[i:], '>'); j >= 0 {
			at := i + j + 1
			body = body[:at] + head + body[at:]
			low = strings.ToLower(body)
		}
	} else if i := strings.Index(low, "<html"); i >= 0 {
		if j := strings.IndexByte(low[i:], '>'); j >= 0 {
			at := i + j + 1
			body = body[:at] + "<head>" + head + "</head>" + body[at:]
			low = strings.ToLower(body)
		}
	} else {
		l := ""
		if lang != "" {
			l = ` lang="` + html.EscapeString(lang) + `"`
		}
		return "<!doctype html><html" + l + "><head>" + head + "</head><body>" + body + script + "</body></html>"
	}
	if i := strings.LastIndex(low, "</body>"); i >= 0 {
		return body[:i] + script + body[i:]
	}
	return body + script
}

// langBar links the translations of a page (?lang=xx), marking the current one.
func langBar(cur Page, family []Page) string {
	if len(family) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<nav class="magpie-langbar" aria-label="Language">`)
	for i, p := range family {
		if i > 0 {
			b.WriteString(" | ")
		}
		l := p.Language
		if l == "" {
			l = "default"
		}
		if p.ID == cur.ID || p.ID == cur.VariantParentID {
			b.WriteString(`<strong>` + html.EscapeString(l) + `</strong>`)
			continue
		}
		b.WriteString(`<a href="?lang=` + html.EscapeString(p.Language) + `" hreflang="` + html.EscapeString(p.Language) + `">` +
			html.EscapeString(l) + `</a>`)
	}
	b.WriteString(`</nav>`)
	return b.String()
}
