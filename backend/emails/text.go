package emails

import (
	"strings"

	"golang.org/x/net/html"
)

var blockTags = map[string]bool{"p": true, "div": true, "table": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "ul": true, "ol": true, "section": true, "article": true, "header": true,
	"footer": true, "blockquote": true, "center": true, "hr": true}

// HTMLToText makes the plain-text part of an email from its HTML: block elements become
// line breaks, links "text (url)", list items "- ", images their alt text; style, script
// and head content and hidden preheaders are dropped.
func HTMLToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // inside style/script/head/title
	var hrefs []string
	var linkStart []int
	hidden := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if skip == 0 && hidden == 0 {
				b.WriteString(collapse(string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			end := tt == html.EndTagToken
			switch tag {
			case "style", "script", "head", "title":
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if tag == "div" && tt == html.StartTagToken && strings.Contains(strings.ReplaceAll(attrs["style"], " ", ""), "display:none") {
				hidden++
				continue
			}
			if tag == "div" && end && hidden > 0 {
				hidden--
				continue
			}
			if hidden > 0 {
				continue
			}
			switch {
			case tag == "br":
				b.WriteString("\n")
			case tag == "li" && !end:
				b.WriteString("\n- ")
			case tag == "td" && end:
				b.WriteString(" ")
			case blockTags[tag]:
				b.WriteString("\n\n")
			case tag == "img" && attrs["alt"] != "":
				b.WriteString(attrs["alt"])
			case tag == "a" && !end:
				hrefs = append(hrefs, attrs["href"])
				linkStart = append(linkStart, b.Len())
			case tag == "a" && end && len(hrefs) > 0:
				h, st := hrefs[len(hrefs)-1], linkStart[len(linkStart)-1]
				hrefs, linkStart = hrefs[:len(hrefs)-1], linkStart[:len(linkStart)-1]
				label := strings.TrimSpace(b.String()[st:])
				low := strings.ToLower(h)
				if h != "" && label != h && (strings.HasPrefix(low, "http") || strings.HasPrefix(low, "mailto:")) {
					if label == "" {
						b.WriteString(h)
					} else {
						b.WriteString(" (" + h + ")")
					}
				}
			}
		}
	}
}

func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\u00a0' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// tidy trims each line and keeps at most one blank line in a row.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
