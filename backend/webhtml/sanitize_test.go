package webhtml

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	cases := []struct {
		name, in      string
		want, notWant []string
	}{
		{"script removed with content", `<p>a</p><script>alert(1)</script><p>b</p>`, []string{"<p>a</p>", "<p>b</p>"}, []string{"script", "alert"}},
		{"uppercase, parsed like a browser", `<SCRIPT>x<script>y</script>z</SCRIPT>ok`, []string{"zok"}, []string{"x", "y", "SCRIPT", "script"}},
		{"event handlers", `<img src="a.png" onerror="alert(1)" OnLoad=x>`, []string{`src="a.png"`}, []string{"onerror", "alert", "OnLoad"}},
		{"javascript href", `<a href=" JaVa&#09;script:alert(1)">x</a><a href="https://e.com/?q=1">y</a>`, []string{`href="https://e.com/?q=1"`}, []string{"alert"}},
		{"data urls", `<img src="data:image/png;base64,AA"><img src="data:image/svg+xml,<svg onload=x>"><a href="data:text/html,x">d</a>`, []string{"data:image/png"}, []string{"svg", "text/html"}},
		{"iframe srcdoc", `<iframe srcdoc="<script>x</script>"></iframe><div srcdoc="x">k</div>`, []string{"<div>k</div>"}, []string{"iframe", "srcdoc"}},
		{"meta refresh", `<head><meta http-equiv="refresh" content="0;url=javascript:x"><meta charset="utf-8"></head>`, []string{`<meta charset="utf-8">`}, []string{"refresh"}},
		{"style kept", `<style>a > b { color: red }</style><p style="color:blue">x</p>`, []string{"a > b { color: red }", `style="color:blue"`}, nil},
		{"css expression", `<p style="width: expression(alert(1))">x</p>`, []string{"<p>x</p>"}, []string{"expression"}},
		{"forms kept", `<form action="/form/submit" method="post"><input name="mauticform[email]"></form>`, []string{`action="/form/submit"`, "mauticform[email]"}, nil},
		{"form javascript action", `<form action="javascript:x"><button formaction="javascript:y">b</button></form>`, []string{"<form>", "<button>b</button>"}, []string{"javascript"}},
		{"comments dropped", `<!--[if IE]><script>x</script><![endif]-->ok`, []string{"ok"}, []string{"script", "if IE"}},
		{"tokens survive", `<h1>Hi {contactfield=firstname|there}</h1>`, []string{"{contactfield=firstname|there}"}, nil},
		{"svg script", `<svg><script>x</script><a xlink:href="javascript:y">z</a></svg>`, []string{"<svg>"}, []string{"javascript", "<script"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Sanitize(c.in)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("Sanitize(%q) = %q, missing %q", c.in, got, w)
				}
			}
			for _, n := range c.notWant {
				if strings.Contains(got, n) {
					t.Errorf("Sanitize(%q) = %q, still has %q", c.in, got, n)
				}
			}
		})
	}
}

func TestSafeURL(t *testing.T) {
	for v, want := range map[string]bool{"/p/x": true, "#top": true, "https://a": true, "mailto:a@b": true,
		"javascript:x": false, "java\nscript:x": false, "vbscript:x": false, "?a=b:c": true, "page:x": false} {
		if got := SafeURL(v); got != want {
			t.Errorf("SafeURL(%q) = %v, want %v", v, got, want)
		}
	}
}
