package tracking

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"magpie/backend/assets"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/events"
	"magpie/backend/fields"
	"magpie/backend/forms"
	"magpie/backend/internal/testenv"
	"magpie/backend/segments"
	"magpie/backend/signing"
	"magpie/backend/stages"
)

type formPipeline struct {
	*pipeline
	d      *db.DB
	forms  *forms.Service
	assets *assets.Service
	segs   *segments.Service
	now    time.Time
}

func newFormPipeline(t *testing.T, mut func(*Config)) *formPipeline {
	return buildFormPipeline(t, SpoolOptions{}, mut)
}

func buildFormPipeline(t testing.TB, so SpoolOptions, mut func(*Config)) *formPipeline {
	t.Helper()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	fp := &formPipeline{d: d, forms: forms.New(d), assets: assets.New(d), segs: segments.New(d, fs), now: time.Now()}
	sp, err := OpenSpool(t.TempDir(), so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	sg, _ := signing.New([]byte(strings.Repeat("k", 32)))
	cfg := Config{PublicURL: testBase, Signer: sg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Forms: forms.LocalReader{DB: d}, Assets: assets.LocalReader{DB: d}, Now: func() time.Time { return fp.now }}
	if mut != nil {
		mut(&cfg)
	}
	s, err := NewServer(cfg, sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{srv: s, spool: sp, signer: sg, links: Links{Base: testBase, Signer: sg}}
	fp.pipeline = &pipeline{fixture: fx, cs: cs, store: &SQLiteStore{DB: d}, ing: &Ingester{Contacts: cs, Batch: 50}}
	return fp
}

func (p *formPipeline) saveForm(t *testing.T, f forms.Form) forms.Form {
	t.Helper()
	f.Published = true
	got, err := p.forms.Save(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// token renders the form (as a browser would) and returns its signed render time.
func (p *formPipeline) token(t *testing.T, id string) string {
	t.Helper()
	w := p.do(get("/form/" + id))
	if w.Code != 200 {
		t.Fatalf("form page: %d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	i := strings.Index(body, `name="mauticform[ts]" value="`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`name="mauticform[ts]" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func get(path string) *http.Request {
	r, _ := http.NewRequest("GET", "http://t.example.com"+path, nil)
	return r
}

func TestFormSubmitActions(t *testing.T) {
	ctx := context.Background()
	p := newFormPipeline(t, nil)
	seg, err := p.segs.Save(ctx, segments.Input{Name: "Newsletter", Alias: "newsletter", Filters: json.RawMessage(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	err = p.d.Write(ctx, func(tx *db.Tx) error {
		return tx.Insert("emails", "0190aaaa-0000-7000-8000-00000000e001", db.Cols{"name": "Welcome", "kind": "template",
			"subject": "Hi", "html": "<p>Hi</p>", "date_added": tx.NowMs(), "date_modified": tx.NowMs()})
	})
	if err != nil {
		t.Fatal(err)
	}
	known, err := p.cs.Create(ctx, contacts.Input{Values: map[string]string{"email": "ann@example.com", "lastname": "Martin"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	lead, err := stages.New(p.d).Save(ctx, stages.Input{Name: "Lead", Weight: 10, Published: true})
	if err != nil {
		t.Fatal(err)
	}
	f := p.saveForm(t, forms.Form{Name: "Newsletter signup", MinSeconds: 2, PostAction: "message", PostValue: "Welcome aboard",
		Fields: []forms.Field{
			{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true},
			{Alias: "first", Label: "First name", Type: forms.Text, MapTo: "contact.firstname"},
			{Alias: "topics", Label: "Topics", Type: forms.Checkbox, Options: []forms.Option{{Value: "go", Label: "Go"}, {Value: "sql", Label: "SQL"}}},
			{Alias: "hp", Label: "Leave empty", Type: forms.Honeypot},
		},
		Actions: []forms.Action{
			{Type: forms.ActTags, Add: []string{"lead", "newsletter"}},
			{Type: forms.ActSegments, Add: []string{"newsletter", "gone-segment"}},
			{Type: forms.ActPoints, Points: 15},
			{Type: forms.ActEmail, EmailID: "0190aaaa-0000-7000-8000-00000000e001"},
			{Type: forms.ActWebhook, URL: "https://hooks.example.com/x"},
			{Type: forms.ActDNC, DNC: "add", Channel: "sms"},
			{Type: forms.ActCampaign, Campaign: "camp-1"},
			{Type: forms.ActStage, Stage: lead.ID},
		}})

	// An anonymous visitor (page view first), then the form without JS.
	w := p.do(post("/mtc/event", form(url.Values{"page_url": {"https://www.example.com/"}}), formCT))
	var res map[string]string
	json.Unmarshal(w.Body.Bytes(), &res)
	dev := res["device_id"]
	tok := p.token(t, f.ID)
	if tok == "" {
		t.Fatal("no signed render time in the form")
	}
	p.now = p.now.Add(5 * time.Second)
	body := url.Values{"mauticform[formId]": {f.ID}, "mauticform[ts]": {tok}, "mauticform[email]": {"ANN@example.com"},
		"mauticform[first]": {"Ann"}, "mauticform[topics][]": {"go", "sql"}, "mauticform[hp]": {""},
		"mauticform[mautic_device_id]": {dev}}
	w = p.do(post("/form/submit", form(body), formCT))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Welcome aboard") {
		t.Fatalf("submit: %d %s", w.Code, w.Body)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}
	p.flush(t)

	// Merged into the known contact (which keeps its id), fields written, actions run.
	got, err := p.cs.Get(ctx, known.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Str("firstname") != "Ann" || got.Str("lastname") != "Martin" || got.Points != 15 {
		t.Fatalf("contact after submit: %v points %d", got.Values, got.Points)
	}
	if v, err := p.cs.Get(ctx, VisitorID(dev)); err == nil && !v.Deleted {
		t.Fatal("the anonymous visitor was not merged into the known contact")
	}
	var n int
	q := func(sql string, args ...any) int {
		t.Helper()
		if err := p.d.R.QueryRow(sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if q(`SELECT count(*) FROM contact_tags ct JOIN tags g ON g.id = ct.tag_id WHERE ct.contact_id = ? AND ct.deleted = 0 AND g.name IN ('lead','newsletter')`, known.ID) != 2 {
		t.Error("tags not added")
	}
	if q(`SELECT count(*) FROM segment_members WHERE segment_id = ? AND contact_id = ? AND manually_added = 1`, seg.ID, known.ID) != 1 {
		t.Error("not added to the segment")
	}
	if q(`SELECT count(*) FROM email_sends WHERE contact_id = ? AND source = 'form'`, known.ID) != 1 {
		t.Error("email not queued")
	}
	if q(`SELECT count(*) FROM form_outbox WHERE kind = 'webhook' AND target = 'https://hooks.example.com/x' AND body LIKE '%"topics":"go|sql"%'`) != 1 {
		t.Error("webhook not queued")
	}
	if q(`SELECT count(*) FROM dnc WHERE contact_id = ? AND channel = 'sms' AND deleted = 0`, known.ID) != 1 {
		t.Error("DNC not set")
	}
	if q(`SELECT count(*) FROM contacts WHERE id = ? AND stage_id = ?`, known.ID, lead.ID) != 1 {
		t.Error("stage not changed")
	}
	results, err := p.forms.Results(ctx, f.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(results.Rows) != 1 || results.Rows[0].Values["email"] != "ANN@example.com" || results.Rows[0].ContactID != known.ID ||
		!strings.Contains(strings.Join(results.Rows[0].Issues, ";"), "gone-segment") {
		t.Fatalf("results %+v", results)
	}
	ev := p.events(t, known.ID)[events.FormSubmitted]
	if len(ev) != 1 || ev[0].ObjectID != f.ID || ev[0].Data["campaigns"] != "camp-1" {
		t.Fatalf("form event %+v", ev)
	}
	if vals, _ := ev[0].Data["values"].(map[string]any); vals["first"] != "Ann" {
		t.Fatalf("event values %v", ev[0].Data)
	}
	// Ingesting again changes nothing (the hit id is the idempotency key).
	p.flush(t)
	if r, _ := p.forms.Results(ctx, f.ID, 0, 10); r.Total != 1 {
		t.Fatalf("results after replay: %d", r.Total)
	}
}

func TestFormAntiSpamAndValidation(t *testing.T) {
	p := newFormPipeline(t, func(c *Config) { c.FormRatePerIP, c.FormBurst = 0.001, 4 })
	f := p.saveForm(t, forms.Form{Name: "Spam target", MinSeconds: 3, Fields: []forms.Field{
		{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true},
		{Alias: "website", Label: "Website", Type: forms.Honeypot}}})
	tok := p.token(t, f.ID)
	ajax := func(vals url.Values, ip string) (int, map[string]any) {
		vals.Set("mauticform[formId]", f.ID)
		r := post("/form/submit/ajax", form(vals), formCT)
		r.RemoteAddr = ip + ":1000"
		w := p.do(r)
		var out map[string]any
		json.Unmarshal(w.Body.Bytes(), &out)
		return w.Code, out
	}
	cases := []struct {
		name   string
		after  time.Duration
		vals   url.Values
		code   int
		errKey string
		stored bool
	}{
		{"too fast", time.Second, url.Values{"mauticform[ts]": {tok}, "mauticform[email]": {"a@example.com"}}, 422, "_form", false},
		{"no render time", 10 * time.Second, url.Values{"mauticform[email]": {"a@example.com"}}, 422, "_form", false},
		{"forged render time", 10 * time.Second, url.Values{"mauticform[ts]": {tok + "x"}, "mauticform[email]": {"a@example.com"}}, 422, "_form", false},
		{"honeypot: answered as success, stored nothing", 10 * time.Second, url.Values{"mauticform[ts]": {tok},
			"mauticform[email]": {"a@example.com"}, "mauticform[website]": {"http://spam"}}, 200, "", false},
		{"invalid email", 10 * time.Second, url.Values{"mauticform[ts]": {tok}, "mauticform[email]": {"nope"}}, 422, "email", false},
		{"good", 10 * time.Second, url.Values{"mauticform[ts]": {tok}, "mauticform[email]": {"a@example.com"}}, 200, "", true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p.now = time.Now().Add(c.after)
			code, out := ajax(c.vals, "198.51.100."+string(rune('1'+i)))
			if code != c.code {
				t.Fatalf("code %d (%v), want %d", code, out, c.code)
			}
			if c.errKey != "" {
				errs, _ := out["errors"].(map[string]any)
				if errs[c.errKey] == nil {
					t.Fatalf("errors %v, want one on %s", out["errors"], c.errKey)
				}
			}
			if got := len(p.hits(t)); (got == 1) != c.stored {
				t.Fatalf("%d hits spooled, stored=%v", got, c.stored)
			}
		})
	}
	// A burst from one IP is cut at the form burst.
	p.now = time.Now().Add(time.Minute)
	codes := map[int]int{}
	for i := 0; i < 8; i++ {
		code, _ := ajax(url.Values{"mauticform[ts]": {tok}, "mauticform[email]": {"b@example.com"}}, "192.0.2.99")
		codes[code]++
	}
	if codes[200] != 4 || codes[429] != 4 {
		t.Fatalf("burst answers %v, want 4×200 and 4×429", codes)
	}
	// Without JS, a failed validation shows the form again with the error and the values, escaped.
	r := post("/form/submit", form(url.Values{"mauticform[formId]": {f.ID}, "mauticform[ts]": {tok},
		"mauticform[email]": {`<script>alert(1)</script>`}}), formCT)
	r.RemoteAddr = "192.0.2.200:1"
	w := p.do(r)
	if w.Code != 400 || strings.Contains(w.Body.String(), "<script>alert") || !strings.Contains(w.Body.String(), "&lt;script&gt;") ||
		!strings.Contains(w.Body.String(), "not a valid email") {
		t.Fatalf("plain re-render: %d %s", w.Code, w.Body)
	}
}

func TestFormRoutes(t *testing.T) {
	p := newFormPipeline(t, nil)
	f := p.saveForm(t, forms.Form{Name: "Embed </script><script>alert(1)</script>", Fields: []forms.Field{
		{Alias: "email", Label: "Email", Type: forms.Email}}})
	cases := []struct {
		path, ctype string
		code        int
		has         []string
		hasNot      []string
	}{
		{"/form/" + f.ID, "text/html", 200, []string{`data-magpie-form="` + f.ID + `"`, `/form/forms.js`, "&lt;/script&gt;"}, []string{"<script>alert"}},
		{"/form/" + f.ID + ".js", "application/javascript", 200, []string{"insertBefore", `\u003cform`, "MagpieForms"}, []string{"</script>"}},
		{"/form/forms.js", "application/javascript", 200, []string{"window.MagpieForms"}, nil},
		{"/form/0190aaaa-0000-7000-8000-000000000000", "text/plain", 404, nil, nil},
		{"/form/not-an-id.js", "text/plain", 404, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			w := p.do(get(c.path))
			if w.Code != c.code || !strings.HasPrefix(w.Header().Get("Content-Type"), c.ctype) {
				t.Fatalf("%d %s: %.300s", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			for _, s := range c.has {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("lacks %s", s)
				}
			}
			for _, s := range c.hasNot {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("contains %s", s)
				}
			}
		})
	}
	// An unpublished or trashed form is not served.
	if err := p.forms.Delete(context.Background(), f.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(0)
	p.srv.web.cache = map[string]cachedForm{}
	if w := p.do(get("/form/" + f.ID)); w.Code != 404 {
		t.Fatalf("trashed form served: %d", w.Code)
	}
}

func TestAssetDownloadAndGate(t *testing.T) {
	ctx := context.Background()
	p := newFormPipeline(t, nil)
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0123456789abcdef"), 40000)...) // ~640 KB: 3 chunks
	a, err := p.assets.Upload(ctx, assets.Input{Title: "White paper", Published: true}, "paper.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	w := p.do(get("/asset/" + a.Slug))
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), pdf) || w.Header().Get("Content-Type") != "application/pdf" ||
		!strings.Contains(w.Header().Get("Content-Disposition"), `filename="paper.pdf"`) {
		t.Fatalf("download: %d %v (%d bytes)", w.Code, w.Header(), w.Body.Len())
	}
	hs := p.hits(t)
	if len(hs) != 1 || hs[0].Kind != KindAsset || hs[0].Form != a.ID {
		t.Fatalf("download hits %+v", hs)
	}
	if err := p.store.StoreHits(ctx, hs); err != nil {
		t.Fatal(err)
	}
	p.flush(t)
	got, _ := p.assets.Get(ctx, a.ID)
	if got.Downloads != 1 || got.Unique != 1 {
		t.Fatalf("download counts %d/%d", got.Downloads, got.Unique)
	}
	// Gated: the link shows the form; submitting it answers with a signed download link.
	f := p.saveForm(t, forms.Form{Name: "Gate", Fields: []forms.Field{{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true}}})
	if _, err := p.assets.Save(ctx, assets.Input{ID: a.ID, Title: a.Title, Slug: a.Slug, GateFormID: f.ID, Published: true}); err != nil {
		t.Fatal(err)
	}
	w = p.do(get("/asset/" + a.Slug))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="mauticform[gate]"`) || len(p.hits(t)) != 0 {
		t.Fatalf("gate page: %d %.300s", w.Code, w.Body)
	}
	body := w.Body.String()
	i := strings.Index(body, `name="mauticform[gate]" value="`)
	gate := body[i+len(`name="mauticform[gate]" value="`):]
	gate = gate[:strings.IndexByte(gate, '"')]
	w = p.do(post("/form/submit/ajax", form(url.Values{"mauticform[formId]": {f.ID}, "mauticform[email]": {"reader@example.com"},
		"mauticform[gate]": {gate}}), formCT))
	var res struct {
		Success  int
		Download string
	}
	json.Unmarshal(w.Body.Bytes(), &res)
	if res.Success != 1 || !strings.HasPrefix(res.Download, testBase+"/asset/"+a.Slug+"?t=") {
		t.Fatalf("gate submit: %d %s", w.Code, w.Body)
	}
	u, _ := url.Parse(res.Download)
	w = p.do(get(u.RequestURI()))
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), pdf) {
		t.Fatalf("gated download: %d", w.Code)
	}
	// A grant for another asset does not open this one.
	w = p.do(get("/asset/" + a.Slug + "?t=" + p.signer.Sign("asset.dl", time.Minute, "other")))
	if !strings.Contains(w.Body.String(), "mauticform[gate]") {
		t.Fatal("a grant for another asset opened the gate")
	}
	if w := p.do(get("/asset/missing")); w.Code != 404 {
		t.Fatalf("missing asset: %d", w.Code)
	}
}

func TestPostAlias(t *testing.T) {
	long := "a" + strings.Repeat("b", 63)
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"mauticform[email]", "email", true},
		{"mauticform[topics][]", "topics", true},
		{"mauticform[a_1]", "a_1", true},
		{"mauticform[" + long + "]", long, true},
		{"mauticform[" + long + "c]", "", false},
		{"mauticform[formId]", "", false},
		{"mauticform[1a]", "", false},
		{"mauticform[]", "", false},
		{"mauticform[a]]", "", false},
		{"mauticform[a[]", "", false},
		{"mauticform[a][][]", "", false},
		{"email", "", false},
		{"xmauticform[a]", "", false},
	}
	for _, c := range cases {
		if got, ok := postAlias(c.in); got != c.want || ok != c.ok {
			t.Errorf("postAlias(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
