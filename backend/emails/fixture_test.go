package emails

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"

	"magpie/backend/clock"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/internal/smtptest"
	"magpie/backend/internal/testenv"
	"magpie/backend/listing"
	"magpie/backend/sending"
	"magpie/backend/signing"
)

// testAudience reads memberships from a plain table the tests fill.
type testAudience struct{}

func (testAudience) Members(segs []string) (string, []any, error) {
	return `SELECT contact_id FROM test_members WHERE manually_removed = 0 AND segment_id IN (` +
		listing.Placeholders(len(segs)) + `)`, listing.Strings(segs), nil
}

func (testAudience) AnyRow(segs []string) (string, []any, error) {
	return `SELECT contact_id FROM test_members WHERE segment_id IN (` + listing.Placeholders(len(segs)) + `)`,
		listing.Strings(segs), nil
}

type fixture struct {
	t   testing.TB
	ctx context.Context
	db  *db.DB
	clk *clock.Fake
	cs  *contacts.Service
	s   *Service
	dir string
}

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d, clk := testenv.NewDB(t)
	ctx := context.Background()
	fs, err := fields.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	dir := t.TempDir()
	s := New(d, cs, dir)
	s.SetAudience(testAudience{})
	signer, _ := signing.New(testSecret)
	s.SetLinks(SignedLinks{BaseURL: "https://t.example", Signer: signer})
	if _, err := d.W.Exec(`CREATE TABLE test_members(segment_id TEXT, contact_id TEXT, manually_removed INTEGER DEFAULT 0)`); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, db: d, clk: clk, cs: cs, s: s, dir: dir}
}

// contacts creates n contacts firstname "Name<i>", email user<i>@example.com, in segment seg.
func (f *fixture) contacts(n int, seg string, mod func(i int, v db.Cols)) []string {
	f.t.Helper()
	var out []string
	err := f.db.Write(f.ctx, func(tx *db.Tx) error {
		ops := contacts.NewOps(tx, "test")
		for i := 0; i < n; i++ {
			v := db.Cols{"firstname": fmt.Sprintf("Name%d", i), "email": fmt.Sprintf("user%d@example.com", i)}
			if mod != nil {
				mod(i, v)
			}
			id, err := ops.Create(v, contacts.CreateOpts{})
			if err != nil {
				return err
			}
			out = append(out, id)
			if seg != "" {
				if _, err := tx.Exec(`INSERT INTO test_members(segment_id, contact_id) VALUES(?, ?)`, seg, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) member(seg, contact string, removed bool) {
	f.t.Helper()
	if _, err := f.db.W.Exec(`INSERT INTO test_members(segment_id, contact_id, manually_removed) VALUES(?, ?, ?)`, seg, contact, removed); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) smtp(srv *smtptest.Server) {
	f.t.Helper()
	err := f.s.SaveSettings(f.ctx, Settings{SMTP: sending.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", Connections: 2},
		DefaultFrom: "news@magpie.test", DefaultFromName: "Magpie"})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) segmentEmail(html string, segs ...string) Email {
	f.t.Helper()
	e, err := f.s.Save(f.ctx, Email{Name: "Newsletter", Kind: List, Subject: "Hello {contactfield=firstname|friend}",
		HTML: html, Segments: segs, Published: true, PlainTextAuto: true,
		UTMTags: map[string]string{"utm_source": "magpie", "utm_campaign": "spring"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) states(emailID string) map[string]int {
	f.t.Helper()
	rows, err := f.db.R.Query(`SELECT state || coalesce(':' || reason, ''), count(*) FROM email_sends WHERE email_id = ? GROUP BY 1`, emailID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		rows.Scan(&k, &n)
		out[k] = n
	}
	return out
}

const sampleHTML = `<html><body><h1>Hi {contactfield=firstname|friend}</h1>
<p>Read <a href="https://shop.example/sale?x=1">our sale</a> or <a href='mailto:help@example.com'>write</a>.</p>
<p><a href="{unsubscribe_url}">Unsubscribe</a> | <a href="{webview_url}">View online</a></p>
</body></html>`

func distinct(msgs []smtptest.Message) (byID map[string]int, byTo map[string]int) {
	byID, byTo = map[string]int{}, map[string]int{}
	for _, m := range msgs {
		byID[m.Header.Get("Message-Id")]++
		byTo[strings.ToLower(strings.Join(m.To, ","))]++
	}
	return
}

// parts decodes a received message into its text and HTML parts.
func parts(t testing.TB, m smtptest.Message) (text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(ct string, h map[string][]string, r io.Reader)
	walk = func(ct string, h map[string][]string, r io.Reader) {
		mt, params, _ := mime.ParseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					return
				}
				walk(p.Header.Get("Content-Type"), p.Header, p)
			}
		}
		var body io.Reader = r
		if te := textproto.MIMEHeader(h).Get("Content-Transfer-Encoding"); strings.EqualFold(te, "quoted-printable") {
			body = quotedprintable.NewReader(r)
		} else if strings.EqualFold(te, "base64") {
			body = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, _ := io.ReadAll(body)
		switch mt {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header, msg.Body)
	return
}
