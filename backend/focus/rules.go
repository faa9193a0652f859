package focus

import (
	"html"
	"strconv"
	"strings"
	"time"
)

// patterns splits a rule list (one per line or comma-separated), dropping blanks.
func patterns(list string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(list, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Glob matches s against a wildcard pattern: * is any run of characters (slashes included),
// ? one character; case-insensitive.
func Glob(pattern, s string) bool {
	p, t := []rune(strings.ToLower(pattern)), []rune(strings.ToLower(s))
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// urlMatch tests a pattern against a page URL; a pattern without a scheme is also tried
// against the URL without its scheme (so "example.com/shop/*" works).
func urlMatch(pattern, url string) bool {
	if Glob(pattern, url) {
		return true
	}
	if !strings.Contains(pattern, "://") {
		if _, rest, ok := strings.Cut(url, "://"); ok {
			return Glob(pattern, rest) || Glob(pattern, strings.TrimPrefix(rest, "www."))
		}
	}
	return false
}

// URLAllowed applies the include (empty = every page) and exclude rules.
func (it *Item) URLAllowed(url string) bool {
	inc := patterns(it.URLInclude)
	ok := len(inc) == 0
	for _, p := range inc {
		if urlMatch(p, url) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for _, p := range patterns(it.URLExclude) {
		if urlMatch(p, url) {
			return false
		}
	}
	return true
}

// Seen is what the visitor's browser remembers about one item (mtc.js keeps it in local and
// session storage and sends it with the request; the server decides).
type Seen struct {
	Last    int64 // last shown, Unix seconds (0 = never)
	Day     int   // times shown on the visitor's current day
	Session bool  // shown in this browser session
	Closed  bool  // the visitor closed it
}

// ParseSeen reads the "seen" parameter: comma-separated id.last.day.session.closed entries.
// Malformed entries are ignored (a visitor can only hurt their own caps).
func ParseSeen(s string) map[string]Seen {
	out := map[string]Seen{}
	for i, e := range strings.Split(s, ",") {
		if i >= 200 {
			break
		}
		f := strings.Split(e, ".")
		if len(f) != 5 || len(f[0]) > 64 {
			continue
		}
		last, err1 := strconv.ParseInt(f[1], 10, 64)
		day, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			continue
		}
		out[f[0]] = Seen{Last: last, Day: day, Session: f[3] == "1", Closed: f[4] == "1"}
	}
	return out
}

// Eligible decides whether an item may show on url now, given what the visitor has seen.
func (it *Item) Eligible(url string, seen Seen, now time.Time) bool {
	if !it.Published || it.Deleted || !it.URLAllowed(url) {
		return false
	}
	if it.StopAfterClose && seen.Closed {
		return false
	}
	if it.MaxPerDay > 0 && seen.Day >= it.MaxPerDay {
		return false
	}
	if seen.Last == 0 {
		return true
	}
	switch it.Frequency {
	case "everypage":
		return true
	case "session":
		return !seen.Session
	}
	return now.Sub(time.Unix(seen.Last, 0)) >= intervals[it.Frequency]
}

// Public is what mtc.js receives for one item.
type Public struct {
	ID       string `json:"id"`
	Style    string `json:"style"`
	Position string `json:"position"`
	Trigger  string `json:"trigger"`
	Value    int    `json:"value"`
	HTML     string `json:"html"`
	CSS      string `json:"css"`
	Form     string `json:"form,omitempty"` // form id: mtc.js embeds the form served at /form/{id}.js
}

// Public renders an item for the page: markup and a stylesheet scoped to its shadow root.
func (it *Item) Public(base string) Public {
	base = strings.TrimRight(base, "/")
	var b strings.Builder
	b.WriteString(`<div class="mf mf-` + it.Style + ` mf-` + it.Position + `" role="dialog" aria-label="` + html.EscapeString(it.Name) + `">`)
	b.WriteString(`<button type="button" class="mf-close" aria-label="Close">×</button>`)
	if it.Headline != "" {
		b.WriteString(`<p class="mf-headline">` + html.EscapeString(it.Headline) + `</p>`)
	}
	if it.Body != "" {
		b.WriteString(`<div class="mf-body">` + it.Body + `</div>`)
	}
	switch it.ContentType {
	case "link":
		text := it.LinkText
		if text == "" {
			text = "Learn more"
		}
		b.WriteString(`<a class="mf-button" data-mf-convert href="` + html.EscapeString(it.LinkURL) + `">` + html.EscapeString(text) + `</a>`)
	case "form":
		text := it.LinkText
		if text == "" {
			text = "Open the form"
		}
		// mtc.js replaces the link with the form itself (from the forms feature's /form/{id}.js,
		// moved into the shadow root); the link to the form's own page is the fallback.
		b.WriteString(`<div class="mf-form" data-mf-form="` + html.EscapeString(it.FormID) + `"><a class="mf-button" data-mf-convert target="_blank" rel="noopener" href="` +
			html.EscapeString(base+"/form/"+it.FormID) + `">` + html.EscapeString(text) + `</a></div>`)
	}
	b.WriteString(`</div>`)
	pub := Public{ID: it.ID, Style: it.Style, Position: it.Position, Trigger: it.Trigger, Value: it.TriggerValue,
		HTML: b.String(), CSS: it.css()}
	if it.ContentType == "form" {
		pub.Form = it.FormID
	}
	return pub
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (it *Item) css() string {
	bg, fg := or(it.Colors.Background, "#1f2937"), or(it.Colors.Text, "#ffffff")
	btn, btnText := or(it.Colors.Button, "#f59e0b"), or(it.Colors.ButtonText, "#111827")
	c := `:host{all:initial}` +
		`.mf{box-sizing:border-box;position:fixed;z-index:2147483000;font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;` +
		`background:` + bg + `;color:` + fg + `;padding:14px 44px 14px 18px;box-shadow:0 4px 24px rgba(0,0,0,.25)}` +
		`.mf-headline{font-weight:700;font-size:1.1em;margin:0 0 6px}.mf-body{margin:0 0 8px}.mf-body p{margin:0}` +
		`.mf-button{display:inline-block;background:` + btn + `;color:` + btnText + `;padding:8px 16px;border-radius:6px;text-decoration:none;font-weight:600}` +
		`.mf-close{position:absolute;top:6px;right:8px;background:none;border:0;color:inherit;font-size:22px;cursor:pointer;line-height:1}` +
		`.mf-close:focus-visible,.mf-button:focus-visible{outline:3px solid ` + btn + `;outline-offset:2px}`
	switch it.Style {
	case "bar":
		c += `.mf-bar{left:0;right:0;display:flex;gap:16px;align-items:center;justify-content:center;flex-wrap:wrap}` +
			`.mf-bar .mf-headline,.mf-bar .mf-body{margin:0}.mf-top{top:0}.mf-bottom{bottom:0}`
	case "modal":
		c += `.mf-modal{left:50%;transform:translateX(-50%);width:min(480px,92vw);border-radius:10px;padding:24px 44px 24px 24px;text-align:center}` +
			`.mf-modal.mf-top{top:8vh}.mf-modal.mf-middle{top:50%;transform:translate(-50%,-50%)}.mf-modal.mf-bottom{bottom:8vh}`
	case "notification":
		c += `.mf-notification{width:min(340px,92vw);border-radius:10px}.mf-top-left{top:16px;left:16px}.mf-top-right{top:16px;right:16px}` +
			`.mf-bottom-left{bottom:16px;left:16px}.mf-bottom-right{bottom:16px;right:16px}`
	case "page":
		c += `.mf-page{inset:0;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;font-size:18px}`
	}
	return c
}
