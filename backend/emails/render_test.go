package emails

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/signing"
)

func TestRender_TokensLinksPixelHeaders(t *testing.T) {
	signer, _ := signing.New(testSecret)
	links := SignedLinks{BaseURL: "https://t.example/", Signer: signer}
	e := &Email{Subject: "Hi {contactfield=firstname|friend}", Preheader: "Sale for {contactfield=firstname}",
		HTML: `<html><body><p>Bonjour {contactfield=firstname} de {contactfield=companyname|nowhere}</p>` +
			`<a href="https://shop.example/p?id=1&amp;q=2">Shop</a> <a href="mailto:a@b.c">mail</a> <a href="#top">top</a>` +
			`<a href="https://shop.example/?e={contactfield=email|true}">me</a>` +
			`<a href="{unsubscribe_url}">unsub</a> {webview_text}</body></html>`,
		PlainTextAuto: true, UTMTags: map[string]string{"utm_source": "magpie", "utm_medium": "email"},
		Headers: map[string]string{"X-Campaign": "spring"}}
	rc := Recipient{ContactID: "c1", Address: "eve@example.com", Contact: map[string]string{"firstname": "Ève <3", "email": "eve+1@example.com"},
		Company: map[string]string{"companyname": "Acme & Co"}}
	ref := Ref{MsgID: "m1", EmailID: "e1", ContactID: "c1", Address: "eve@example.com"}
	r := Render(e, rc, ref, links, Options{})
	if r.Subject != "Hi Ève <3" {
		t.Errorf("subject %q (text mode: not escaped)", r.Subject)
	}
	if !strings.Contains(r.HTML, "Bonjour Ève &lt;3 de Acme &amp; Co") {
		t.Errorf("html values must be escaped: %s", r.HTML)
	}
	if !strings.Contains(r.HTML, `display:none;max-height:0`) || !strings.Contains(r.HTML, "Sale for Ève &lt;3") {
		t.Error("preheader missing")
	}
	// Every http link goes through the tracker and the token carries the UTM-tagged destination.
	hrefs := regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(r.HTML, -1)
	var clicks []string
	for _, h := range hrefs {
		u := strings.ReplaceAll(h[1], "&amp;", "&")
		if strings.HasPrefix(u, "https://t.example/r/") {
			fs, err := signer.Verify(PurposeClick, strings.TrimPrefix(u, "https://t.example/r/"))
			if err != nil {
				t.Fatalf("click token: %v", err)
			}
			if fs[0] != "m1" || fs[1] != "e1" || fs[2] != "c1" {
				t.Errorf("click fields %v", fs)
			}
			clicks = append(clicks, fs[3])
		}
	}
	want := []string{"https://shop.example/p?id=1&q=2&utm_source=magpie&utm_medium=email",
		"https://shop.example/?e=eve%2B1%40example.com&utm_source=magpie&utm_medium=email"}
	if strings.Join(clicks, " ") != strings.Join(want, " ") {
		t.Errorf("click destinations\n got %v\nwant %v", clicks, want)
	}
	if !strings.Contains(r.HTML, `href="mailto:a@b.c"`) || !strings.Contains(r.HTML, `href="#top"`) {
		t.Error("mailto and anchors must stay as they are")
	}
	// Unsubscribe link, header and one-click post header; webview text; pixel appended.
	unsub := r.Headers["List-Unsubscribe"]
	if !strings.HasPrefix(unsub, "<https://t.example/e/u/") || r.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers %v", r.Headers)
	}
	tok := strings.TrimSuffix(strings.TrimPrefix(unsub, "<https://t.example/e/u/"), ">")
	if fs, err := signer.Verify(PurposeUnsub, tok); err != nil || fs[3] != "eve@example.com" {
		t.Errorf("unsubscribe token %v %v", fs, err)
	}
	if _, err := signer.Verify(PurposeClick, tok); err == nil {
		t.Error("an unsubscribe token must not verify as a click token")
	}
	if !strings.Contains(r.HTML, `href="`+strings.Trim(unsub, "<>")+`"`) {
		t.Error("the {unsubscribe_url} link must be the tracker URL, not rewritten")
	}
	if !strings.Contains(r.HTML, ">View in your browser</a>") {
		t.Error("webview text")
	}
	if m := regexp.MustCompile(`<img src="https://t.example/e/o/([^"]+)\.gif"[^>]*/></body>`).FindStringSubmatch(r.HTML); m == nil {
		t.Errorf("pixel must be appended before </body>: %s", r.HTML)
	} else if fs, err := signer.Verify(PurposeOpen, m[1]); err != nil || fs[0] != "m1" {
		t.Errorf("pixel token %v %v", fs, err)
	}
	if r.Headers["X-Campaign"] != "spring" {
		t.Error("custom header lost")
	}
	if !strings.Contains(r.Text, "Bonjour Ève <3 de Acme & Co") || !strings.Contains(r.Text, "Shop (https://t.example/r/") {
		t.Errorf("text part:\n%s", r.Text)
	}
	if strings.Contains(r.Text, "Sale for") {
		t.Error("the hidden preheader must not be in the text part")
	}
}

func TestRender_NoTrackingStillTagsLinks(t *testing.T) {
	e := &Email{HTML: `<a href="https://x.example/a?utm_source=own">a</a><a href="https://x.example/b">b</a>`,
		UTMTags: map[string]string{"utm_source": "magpie"}, PlainText: "Hi {contactfield=firstname}"}
	r := Render(e, Recipient{Contact: map[string]string{"firstname": "Bob"}}, Ref{}, nil, Options{NoTracking: true})
	if !strings.Contains(r.HTML, `href="https://x.example/a?utm_source=own"`) || !strings.Contains(r.HTML, `href="https://x.example/b?utm_source=magpie"`) {
		t.Errorf("html %s", r.HTML)
	}
	if r.Text != "Hi Bob" || len(r.Headers) != 0 || strings.Contains(r.HTML, "<img") {
		t.Errorf("text %q headers %v", r.Text, r.Headers)
	}
}

func TestRender_UnknownTokensReported(t *testing.T) {
	r := Render(&Email{Subject: "{nope}", HTML: "<p>{contactfield=firstname} {whatever}</p>"}, Recipient{}, Ref{}, nil, Options{NoTracking: true})
	if len(r.Issues) != 2 || !strings.Contains(r.HTML, "{whatever}") {
		t.Fatalf("issues %v html %s", r.Issues, r.HTML)
	}
}

func TestHTMLToText(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<p>Hello&nbsp;<b>World</b></p><p>Two</p>`, "Hello World\n\nTwo"},
		{`<head><title>T</title><style>p{}</style></head><p>x</p><script>y()</script>`, "x"},
		{`<ul><li>a</li><li>b</li></ul>`, "- a\n- b"},
		{`<a href="https://a.example/">Go</a> <a href="https://b.example/">https://b.example/</a>`, "Go (https://a.example/) https://b.example/"},
		{`line<br>break <img alt="Logo" src="x.png">`, "line\nbreak Logo"},
		{`<div style="display: none">hidden</div><p>shown</p>`, "shown"},
	}
	for _, c := range cases {
		if got := HTMLToText(c.in); got != c.want {
			t.Errorf("HTMLToText(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestAddUTM(t *testing.T) {
	u := addUTM("https://a.example/x?utm_campaign=keep#frag", map[string]string{"utm_campaign": "c", "utm_source": "s e"})
	p, _ := url.Parse(u)
	if p.Query().Get("utm_campaign") != "keep" || p.Query().Get("utm_source") != "s e" || p.Fragment != "frag" {
		t.Errorf("addUTM = %s", u)
	}
}

// {unsubscribe_text} and {webview_text} speak the email's language unless the settings give
// their own text (|URL| is the link); a preview links them to "#"; with no link to give
// (no tracker) they are empty.
func TestRender_UnsubscribeAndWebviewTexts(t *testing.T) {
	signer, _ := signing.New(testSecret)
	links := SignedLinks{BaseURL: "https://t.example/", Signer: signer}
	html := `<p>{unsubscribe_text} · {webview_text}</p>`
	cases := []struct {
		name     string
		lang     string
		links    Links
		opt      Options
		want     []string
		wantNone string
	}{
		{"English by default", "", links, Options{}, []string{`">Unsubscribe</a>`, `">View in your browser</a>`, `href="https://t.example/e/u/`}, "#"},
		{"French email", "fr_FR", links, Options{}, []string{`">Se désabonner</a>`, `">Voir dans le navigateur</a>`}, "Unsubscribe"},
		{"an unknown language falls back to English", "de", links, Options{}, []string{`">Unsubscribe</a>`}, "désabonner"},
		{"the settings' own text", "fr", links, Options{UnsubscribeText: `<a href="|URL|">Stop</a> receiving these.`},
			[]string{`">Stop</a> receiving these.`, `">Voir dans le navigateur</a>`}, "|URL|"},
		{"a preview links to #", "fr", nil, Options{NoTracking: true}, []string{`<a href="#">Se désabonner</a>`, `<a href="#">Voir dans le navigateur</a>`}, "t.example"},
		{"no tracker: no link, no text", "", nil, Options{}, []string{`<p> · </p>`}, "Unsubscribe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &Email{HTML: html, Language: tc.lang}
			r := Render(e, Recipient{Address: "a@b.c"}, Ref{MsgID: "m", EmailID: "e", Address: "a@b.c"}, tc.links, tc.opt)
			for _, w := range tc.want {
				if !strings.Contains(r.HTML, w) {
					t.Errorf("missing %q in %s", w, r.HTML)
				}
			}
			if strings.Contains(r.HTML, tc.wantNone) {
				t.Errorf("unexpected %q in %s", tc.wantNone, r.HTML)
			}
		})
	}
}

// A settings text without |URL| would send emails with no unsubscribe link: refused, naming
// the field; the settings stored before stay.
func TestSettingsLinkTextsNeedTheURL(t *testing.T) {
	f := newFixture(t)
	if err := f.s.SaveSettings(f.ctx, Settings{UnsubscribeText: `<a href="|URL|">Stop</a>`}); err != nil {
		t.Fatal(err)
	}
	err := f.s.SaveSettings(f.ctx, Settings{UnsubscribeText: "Write to us to stop", WebviewText: `<a href="|URL|">Web</a>`})
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Fields["unsubscribeText"] != "emails.errors.urlPlaceholder" || len(ae.Fields) != 1 {
		t.Fatalf("err %v", err)
	}
	st, err := f.s.Settings(f.ctx)
	if err != nil || st.UnsubscribeText != `<a href="|URL|">Stop</a>` {
		t.Errorf("stored %q, %v", st.UnsubscribeText, err)
	}
}
