// Package webhtml cleans HTML that Magpie serves to the public web (landing pages, dynamic
// web content, focus items): scripts, frames, event handlers and script URLs are removed on
// save, and pages are served under a Content-Security-Policy as a second line of defence.
package webhtml

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// dropped elements are removed together with everything inside them.
var dropped = map[string]bool{"script": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "applet": true, "base": true, "noscript": true, "template": true, "portal": true}

// urlAttrs hold URLs; only http(s), mailto, tel, relative and data:image URLs are kept.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "poster": true,
	"background": true, "xlink:href": true, "cite": true, "longdesc": true, "srcset": false, "data": true, "ping": true}

// Sanitize returns s without active content. It keeps the document structure, styles
// (<style>, style attributes), forms and images. Removed: script/iframe/object/embed/base/
// noscript/template elements and their content, on* handlers, srcdoc, script URLs
// (javascript:, vbscript:, data: other than images), meta refresh, and comments.
func Sanitize(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var out bytes.Buffer
	skip := 0 // depth inside a dropped element
	var skipTag string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF {
				break
			}
			break
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			name := t.Data
			if skip > 0 {
				if tt == html.StartTagToken && name == skipTag {
					skip++
				}
				continue
			}
			if dropped[name] {
				if tt == html.StartTagToken {
					skip, skipTag = 1, name
				}
				continue
			}
			if name == "meta" && hasAttr(t, "http-equiv") {
				continue
			}
			t.Attr = cleanAttrs(t.Attr)
			out.WriteString(t.String())
		case html.EndTagToken:
			t := z.Token()
			if skip > 0 {
				if t.Data == skipTag {
					skip--
				}
				continue
			}
			if dropped[t.Data] {
				continue
			}
			out.Write(raw)
		case html.CommentToken:
			// dropped (conditional comments can carry markup)
		case html.TextToken:
			if skip == 0 {
				out.Write(raw)
			}
		default: // doctype
			if skip == 0 {
				out.Write(raw)
			}
		}
	}
	return out.String()
}

func hasAttr(t html.Token, name string) bool {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Key, name) {
			return true
		}
	}
	return false
}

func cleanAttrs(in []html.Attribute) []html.Attribute {
	out := in[:0]
	for _, a := range in {
		k := strings.ToLower(a.Key)
		if a.Namespace != "" {
			k = a.Namespace + ":" + k
		}
		switch {
		case strings.HasPrefix(k, "on"), k == "srcdoc":
			continue
		case k == "srcset":
			if !safeSrcset(a.Val) {
				continue
			}
		case urlAttrs[k]:
			if !SafeURL(a.Val) {
				continue
			}
		case k == "style":
			if unsafeCSS(a.Val) {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// SafeURL reports whether a URL attribute value may be kept: relative, #fragment, http(s),
// mailto, tel, or a data:image (not SVG).
func SafeURL(v string) bool {
	u := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1 // browsers ignore whitespace and controls inside schemes
		}
		return r
	}, v))
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true // relative
	}
	switch u[:i] {
	case "http", "https", "mailto", "tel":
		return true
	case "data":
		return strings.HasPrefix(u, "data:image/") && !strings.HasPrefix(u, "data:image/svg")
	}
	return false
}

func safeSrcset(v string) bool {
	for _, part := range strings.Split(v, ",") {
		f := strings.Fields(part)
		if len(f) > 0 && !SafeURL(f[0]) {
			return false
		}
	}
	return true
}

func unsafeCSS(v string) bool {
	l := strings.ToLower(v)
	return strings.Contains(l, "expression(") || strings.Contains(l, "javascript:") || strings.Contains(l, "behavior:")
}

// Text escapes plain text for HTML.
func Text(s string) string { return html.EscapeString(s) }
