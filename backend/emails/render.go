package emails

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"

	"magpie/backend/sending"
	"magpie/backend/signing"
	"magpie/backend/tokens"
)

// Ref identifies one message for the public links in it.
type Ref struct {
	MsgID     string // the send's stable id (Message-ID local part)
	EmailID   string // the variant/translation actually sent
	ContactID string
	Address   string
}

// Links makes the public URLs of a message (served by the tracker).
type Links interface {
	Pixel(r Ref) string
	Click(r Ref, dest string) string
	Unsubscribe(r Ref) string
	Webview(r Ref) string
	// Base is the tracker's public URL prefix: links already under it are not rewritten.
	Base() string
}

// Token purposes of the signed links; the tracker verifies with the same purposes.
const (
	PurposeOpen    = "email.open"
	PurposeClick   = "email.click"
	PurposeUnsub   = "email.unsub"
	PurposeWebview = "email.view"
)

// SignedLinks mints tracker URLs carrying signed tokens:
//
//	{base}/e/o/{token}.gif  open pixel      fields: msg, email, contact
//	{base}/r/{token}        click redirect  fields: msg, email, contact, destination
//	{base}/e/u/{token}      unsubscribe     fields: msg, email, contact, address
//	{base}/e/v/{token}      web view        fields: msg, email, contact
type SignedLinks struct {
	BaseURL string
	Signer  *signing.Signer
}

// Base returns the URL prefix.
func (l SignedLinks) Base() string { return strings.TrimRight(l.BaseURL, "/") }

// Pixel is the open-tracking image URL.
func (l SignedLinks) Pixel(r Ref) string {
	return l.Base() + "/e/o/" + l.Signer.Sign(PurposeOpen, 0, r.MsgID, r.EmailID, r.ContactID) + ".gif"
}

// Click is the tracked redirect to dest.
func (l SignedLinks) Click(r Ref, dest string) string {
	return l.Base() + "/r/" + l.Signer.Sign(PurposeClick, 0, r.MsgID, r.EmailID, r.ContactID, dest)
}

// Unsubscribe is the one-click unsubscribe URL (GET shows a page, POST unsubscribes: RFC 8058).
func (l SignedLinks) Unsubscribe(r Ref) string {
	return l.Base() + "/e/u/" + l.Signer.Sign(PurposeUnsub, 0, r.MsgID, r.EmailID, r.ContactID, r.Address)
}

// Webview is the "view in your browser" URL.
func (l SignedLinks) Webview(r Ref) string {
	return l.Base() + "/e/v/" + l.Signer.Sign(PurposeWebview, 0, r.MsgID, r.EmailID, r.ContactID)
}

// Recipient is what a message is personalised with.
type Recipient struct {
	ContactID string
	Address   string
	Name      string
	Locale    string
	Contact   map[string]string
	Company   map[string]string
	Owner     map[string]string
}

// Rendered is one personalised message before it becomes a sending.Message.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
	Headers map[string]string
	Issues  []tokens.Issue
}

// Options are the site-wide rendering settings.
type Options struct {
	Signature      string
	DateFormat     string
	TimeFormat     string
	DateTimeFormat string
	Location       *time.Location
	Now            time.Time
	// UnsubscribeText and WebviewText are the HTML of {unsubscribe_text} and {webview_text},
	// |URL| standing for the link (Mautic's unsubscribe_text / webview_text settings); ""
	// is the default in the email's language.
	UnsubscribeText string
	WebviewText     string
	// NoTracking leaves links, pixel and unsubscribe link out (test sends to a colleague
	// still get them; previews do not: their unsubscribe and web view texts link to "#").
	NoTracking bool
}

// defaultLinkTexts are {unsubscribe_text} and {webview_text} by email language.
var defaultLinkTexts = map[string][2]string{
	"en": {`<a href="|URL|">Unsubscribe</a>`, `<a href="|URL|">View in your browser</a>`},
	"fr": {`<a href="|URL|">Se désabonner</a>`, `<a href="|URL|">Voir dans le navigateur</a>`},
}

// linkText is text (or the default for lang when "") with its |URL| set to u; "" when
// there is no link to give.
func linkText(text, lang string, which int, u string) string {
	if u == "" {
		return ""
	}
	if strings.TrimSpace(text) == "" {
		lang, _, _ = strings.Cut(strings.ToLower(lang), "_")
		lang, _, _ = strings.Cut(lang, "-")
		d, ok := defaultLinkTexts[lang]
		if !ok {
			d = defaultLinkTexts["en"]
		}
		text = d[which]
	}
	return strings.ReplaceAll(text, "|URL|", html.EscapeString(u))
}

var hrefRE = regexp.MustCompile(`(?i)(<a\b[^>]*?\shref\s*=\s*)("([^"]*)"|'([^']*)')`)

// Render personalises e for one recipient: tokens, tracked links with the email's UTM
// tags, the open pixel, the preheader, the plain-text part and the unsubscribe headers.
func Render(e *Email, rc Recipient, ref Ref, links Links, opt Options) Rendered {
	data := tokens.Data{Contact: rc.Contact, Company: rc.Company, Owner: rc.Owner,
		Specials: map[string]string{}, Markup: map[string]bool{"tracking_pixel": true, "unsubscribe_text": true,
			"webview_text": true, "signature": true},
		DateFormat: opt.DateFormat, TimeFormat: opt.TimeFormat, DateTimeFormat: opt.DateTimeFormat,
		Location: opt.Location, Now: opt.Now}
	subject, subjIssues := tokens.Render(e.Subject, data, tokens.Text)
	data.Specials["subject"] = subject
	data.Specials["signature"] = opt.Signature
	unsub, web, pixel := "", "", ""
	textURL := func(u string) string { return u }
	if links != nil && !opt.NoTracking {
		unsub, web, pixel = links.Unsubscribe(ref), links.Webview(ref), links.Pixel(ref)
	} else if opt.NoTracking {
		textURL = func(string) string { return "#" } // a preview shows where the texts go
	}
	data.Specials["unsubscribe_url"] = unsub
	data.Specials["dnc_url"] = unsub
	data.Specials["webview_url"] = web
	pixelTag := ""
	if pixel != "" {
		pixelTag = `<img src="` + html.EscapeString(pixel) + `" alt="" width="1" height="1" style="display:none" />`
	}
	data.Specials["tracking_pixel"] = pixelTag
	data.Specials["unsubscribe_text"] = linkText(opt.UnsubscribeText, e.Language, 0, textURL(unsub))
	data.Specials["webview_text"] = linkText(opt.WebviewText, e.Language, 1, textURL(web))

	body, issues := tokens.Render(e.HTML, data, tokens.HTML)
	issues = append(subjIssues, issues...)
	if links != nil && !opt.NoTracking {
		body = rewriteLinks(body, e.UTMTags, links, ref)
	} else if len(e.UTMTags) > 0 {
		body = rewriteLinks(body, e.UTMTags, nil, ref)
	}
	if e.Preheader != "" {
		pre, _ := tokens.Render(e.Preheader, data, tokens.HTML)
		body = insertAfterBody(body, `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">`+pre+`</div>`)
	}
	if pixelTag != "" && !strings.Contains(e.HTML, "{tracking_pixel}") {
		body = insertBeforeBodyEnd(body, pixelTag)
	}
	var text string
	if e.PlainTextAuto || strings.TrimSpace(e.PlainText) == "" {
		text = HTMLToText(body)
	} else {
		text, _ = tokens.Render(e.PlainText, data, tokens.Text)
	}
	hdr := map[string]string{}
	for k, v := range e.Headers {
		hdr[k] = v
	}
	if unsub != "" {
		hdr["List-Unsubscribe"] = "<" + unsub + ">"
		hdr["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return Rendered{Subject: subject, HTML: body, Text: text, Headers: hdr, Issues: issues}
}

// rewriteLinks routes http(s) links through the tracker (links nil: only adds UTM tags).
func rewriteLinks(body string, utm map[string]string, links Links, ref Ref) string {
	base := ""
	if links != nil {
		base = links.Base()
	}
	return hrefRE.ReplaceAllStringFunc(body, func(m string) string {
		sub := hrefRE.FindStringSubmatch(m)
		raw := sub[3]
		quote := `"`
		if strings.HasPrefix(sub[2], "'") {
			raw, quote = sub[4], `'`
		}
		dest := html.UnescapeString(strings.TrimSpace(raw))
		low := strings.ToLower(dest)
		if !(strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://")) ||
			(base != "" && strings.HasPrefix(dest, base)) {
			return m
		}
		dest = addUTM(dest, utm)
		out := dest
		if links != nil {
			out = links.Click(ref, dest)
		}
		return sub[1] + quote + html.EscapeString(out) + quote
	})
}

// addUTM appends the email's UTM tags the URL does not already carry.
func addUTM(dest string, utm map[string]string) string {
	if len(utm) == 0 {
		return dest
	}
	u, err := url.Parse(dest)
	if err != nil {
		return dest
	}
	q := u.Query()
	var add []string
	for _, k := range utmKeys {
		if v := utm[k]; v != "" && q.Get(k) == "" {
			add = append(add, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	if len(add) == 0 {
		return dest
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += strings.Join(add, "&")
	return u.String()
}

var bodyOpenRE = regexp.MustCompile(`(?i)<body\b[^>]*>`)

func insertAfterBody(body, s string) string {
	if loc := bodyOpenRE.FindStringIndex(body); loc != nil {
		return body[:loc[1]] + s + body[loc[1]:]
	}
	return s + body
}

func insertBeforeBodyEnd(body, s string) string {
	if i := strings.LastIndex(strings.ToLower(body), "</body>"); i >= 0 {
		return body[:i] + s + body[i:]
	}
	return body + s
}

// Message turns a rendered message into what the mailer sends.
func Message(e *Email, rc Recipient, r Rendered, msgID string, atts []sending.Attachment) *sending.Message {
	return &sending.Message{ID: msgID, From: sending.Address{Name: e.FromName, Email: e.FromAddress},
		ReplyTo: e.ReplyTo, To: sending.Address{Name: rc.Name, Email: rc.Address}, BCC: splitList(e.BCC),
		Subject: r.Subject, HTML: r.HTML, Text: r.Text, Headers: r.Headers, Attachments: atts}
}
