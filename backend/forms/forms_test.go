package forms

import (
	"errors"
	"strings"
	"testing"

	"magpie/backend/apperr"
)

func testForm() *Form {
	return &Form{ID: "0190aaaa-bbbb-7ccc-8ddd-eeeeffff0001", Name: "Contact us", SubmitLabel: "Send", Fields: []Field{
		{Alias: "email", Label: "Email", Type: Email, MapTo: "contact.email", Required: true},
		{Alias: "firstname", Label: "First name", Type: Text, MapTo: "contact.firstname", Prefill: true},
		{Alias: "city", Label: "City", Type: Text, MapTo: "contact.city", HideIfKnown: true, Required: true},
		{Alias: "phone", Label: "Phone", Type: Tel},
		{Alias: "size", Label: "Size", Type: Number},
		{Alias: "born", Label: "Born", Type: Date},
		{Alias: "site", Label: "Site", Type: URL},
		{Alias: "topic", Label: "Topic", Type: Select, Options: []Option{{"sales", "Sales"}, {"support", "Support"}}},
		{Alias: "plan", Label: "Plan", Type: Radio, Options: []Option{{"a", "A"}, {"b", "B"}}},
		{Alias: "news", Label: "News", Type: Checkbox, Options: []Option{{"x", "X"}, {"y", "Y"}}},
		{Alias: "country", Label: "Country", Type: Country},
		{Alias: "order", Label: "Order number", Type: Text, Required: true, ShowIf: &Condition{Field: "topic", Values: []string{"support"}}},
		{Alias: "code", Label: "Code", Type: Text, Pattern: `[A-Z]{3}`, ErrorMessage: "three capitals"},
		{Alias: "intro", Type: FreeHTML, Text: `<b>Hi</b><script>alert(1)</script><a href="javascript:x" onclick="y">l</a>`},
		{Alias: "hp", Label: "Leave empty", Type: Honeypot},
	}}
}

func TestValidate(t *testing.T) {
	base := map[string][]string{"email": {"ann@example.com"}, "city": {"Lyon"}}
	cases := []struct {
		name  string
		set   map[string][]string
		known map[string]string
		issue string // alias with an issue ("" = none)
		key   string
		want  map[string]string
	}{
		{name: "ok", want: map[string]string{"email": "ann@example.com", "city": "Lyon"}},
		{name: "missing required", set: map[string][]string{"email": {" "}}, issue: "email", key: "forms.validation.required"},
		{name: "bad email", set: map[string][]string{"email": {"ann@"}}, issue: "email", key: "forms.validation.email"},
		{name: "bad phone", set: map[string][]string{"phone": {"call me"}}, issue: "phone", key: "forms.validation.tel"},
		{name: "phone ok", set: map[string][]string{"phone": {"+33 1 23 45 67 89"}}, want: map[string]string{"phone": "+33 1 23 45 67 89"}},
		{name: "bad number", set: map[string][]string{"size": {"12a"}}, issue: "size", key: "forms.validation.number"},
		{name: "bad date", set: map[string][]string{"born": {"31/12/2000"}}, issue: "born", key: "forms.validation.date"},
		{name: "bad url", set: map[string][]string{"site": {"javascript:alert(1)"}}, issue: "site", key: "forms.validation.url"},
		{name: "unknown option", set: map[string][]string{"topic": {"hack"}}, issue: "topic", key: "forms.validation.option"},
		{name: "checkbox group joined", set: map[string][]string{"news": {"x", "y"}}, want: map[string]string{"news": "x|y"}},
		{name: "checkbox bad choice", set: map[string][]string{"news": {"x", "z"}}, issue: "news", key: "forms.validation.option"},
		{name: "country", set: map[string][]string{"country": {"Narnia"}}, issue: "country", key: "forms.validation.country"},
		{name: "pattern", set: map[string][]string{"code": {"abc"}}, issue: "code", key: "forms.validation.pattern"},
		{name: "honeypot", set: map[string][]string{"hp": {"http://spam"}}, issue: "hp", key: "forms.validation.spam"},
		{name: "too long", set: map[string][]string{"firstname": {strings.Repeat("a", 192)}}, issue: "firstname", key: "forms.validation.tooLong"},
		{name: "conditional required when shown", set: map[string][]string{"topic": {"support"}}, issue: "order", key: "forms.validation.required"},
		{name: "conditional ignored when hidden", set: map[string][]string{"topic": {"sales"}, "order": {"42"}},
			want: map[string]string{"topic": "sales"}},
		{name: "progressive profiling: known city not required", set: map[string][]string{"city": nil},
			known: map[string]string{"city": "Paris"}, want: map[string]string{"email": "ann@example.com"}},
		{name: "progressive profiling: unknown city required", set: map[string][]string{"city": {""}}, issue: "city", key: "forms.validation.required"},
	}
	f := testForm()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vals := map[string][]string{}
			for k, v := range base {
				vals[k] = v
			}
			for k, v := range c.set {
				if v == nil {
					delete(vals, k)
				} else {
					vals[k] = v
				}
			}
			sub := f.Validate(vals, c.known)
			if c.issue != "" {
				if is, ok := sub.Issues[c.issue]; !ok || is.Key != c.key {
					t.Fatalf("issues %v, want %s on %s", sub.Issues, c.key, c.issue)
				}
				return
			}
			if len(sub.Issues) > 0 {
				t.Fatalf("unexpected issues %v", sub.Issues)
			}
			for k, v := range c.want {
				if sub.Values[k] != v {
					t.Errorf("%s = %q, want %q (all %v)", k, sub.Values[k], v, sub.Values)
				}
			}
			if _, ok := sub.Values["order"]; ok && c.name == "conditional ignored when hidden" {
				t.Error("a hidden conditional field's value was kept")
			}
		})
	}
}

func TestRender(t *testing.T) {
	f := testForm()
	html := string(f.Render(RenderOptions{Action: "https://t.example.com/form/submit", Token: "tok",
		Known:  map[string]string{"firstname": `Ann"><script>x()</script>`, "city": "Lyon"},
		Values: map[string][]string{"email": {`"><img src=x onerror=alert(1)>`}}}))
	for _, want := range []string{`action="https://t.example.com/form/submit"`, `name="mauticform[ts]" value="tok"`,
		`value="Ann&#34;&gt;&lt;script&gt;x()&lt;/script&gt;"`, `value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"`,
		`data-show-if="topic" data-show-values="support"`, `name="mauticform[news][]"`, `<b>Hi</b>`, `type="email"`,
		`aria-describedby=`, `tabindex="-1"`} {
		if !strings.Contains(html, want) {
			t.Errorf("render lacks %s", want)
		}
	}
	for _, bad := range []string{"<script", "onclick", "javascript:", `name="mauticform[city]"`} {
		if strings.Contains(html, bad) {
			t.Errorf("render contains %s", bad)
		}
	}
	// Paged forms get the page buttons.
	f.Fields = append(f.Fields[:2], append([]Field{{Alias: "pb", Type: PageBreak}}, f.Fields[2:]...)...)
	if html := string(f.Render(RenderOptions{})); !strings.Contains(html, `data-page="2"`) || !strings.Contains(html, "mf-next") {
		t.Error("page break did not make two pages")
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		mut   func(f *Form)
		field string
	}{
		{"no name", func(f *Form) { f.Name = " " }, "name"},
		{"bad alias", func(f *Form) { f.Fields[0].Alias = "E-mail" }, "fields.0"},
		{"duplicate alias", func(f *Form) { f.Fields[1].Alias = "email" }, "fields.1"},
		{"bad type", func(f *Form) { f.Fields[1].Type = "slider" }, "fields.1"},
		{"bad mapping", func(f *Form) { f.Fields[1].MapTo = "lead.firstname" }, "fields.1"},
		{"select without options", func(f *Form) { f.Fields[7].Options = nil }, "fields.7"},
		{"condition on a later field", func(f *Form) { f.Fields[11].ShowIf.Field = "code" }, "fields.11"},
		{"bad pattern", func(f *Form) { f.Fields[12].Pattern = "[" }, "fields.12"},
		{"redirect without URL", func(f *Form) { f.PostAction = "redirect"; f.PostValue = "/thanks" }, "postValue"},
		{"empty tags action", func(f *Form) { f.Actions = []Action{{Type: ActTags}} }, "actions.0"},
		{"webhook URL", func(f *Form) { f.Actions = []Action{{Type: ActWebhook, URL: "ftp://x"}} }, "actions.0"},
		{"dnc choice", func(f *Form) { f.Actions = []Action{{Type: ActDNC}} }, "actions.0"},
		{"unknown action", func(f *Form) { f.Actions = []Action{{Type: "fax"}} }, "actions.0"},
		{"stage without a stage", func(f *Form) { f.Actions = []Action{{Type: ActStage}} }, "actions.0"},
	}
	if err := testForm().Check(); err != nil {
		t.Fatalf("valid form refused: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testForm()
			c.mut(f)
			var ae *apperr.Error
			if err := f.Check(); !errors.As(err, &ae) || ae.Fields[c.field] == "" {
				t.Fatalf("err %v, want a problem on %s", err, c.field)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		`<p>ok</p>`:                             `<p>ok</p>`,
		`<p onmouseover="x()">a</p>`:            `<p>a</p>`,
		`<SCRIPT src=//evil></SCRIPT>b`:         `b`,
		`<a href=" javascript:alert(1)">x</a>`:  `<a href="#">x</a>`,
		`<iframe src="//x"></iframe><i>i</i>`:   `<i>i</i>`,
		`<scr<script></script>ipt>alert(1)</x>`: `alert(1)</x>`,
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}
