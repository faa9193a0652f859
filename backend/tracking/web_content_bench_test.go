package tracking

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"magpie/backend/contacts"
	"magpie/backend/dwc"
	"magpie/backend/focus"
	"magpie/backend/pages"
)

// BenchmarkLandingPage serves /p/{alias} (find, choose among 2 variants, render, spool the hit).
func BenchmarkLandingPage(b *testing.B) {
	f := newWebFixture(b)
	ctx := context.Background()
	p, err := f.web.Pages.Save(ctx, pages.Page{Title: "Bench", Alias: "bench", Published: true,
		HTML: `<h1>Hello {contactfield=firstname|there}</h1>{dwc=hero}<p>Offer</p>`})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.web.Pages.Save(ctx, pages.Page{Title: "Bench B", VariantParentID: p.ID, VariantWeight: 50, Published: true, HTML: "<h1>B</h1>"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest("GET", "/p/bench", nil)
		r.AddCookie(&http.Cookie{Name: cookieDevice, Value: fmt.Sprintf("0190b8a0-0000-7000-8000-%012d", i%1000)})
		if w := f.do(r); w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		if i%500 == 499 {
			f.hits(b) // keep the spool small
		}
	}
}

// BenchmarkDWCResolve resolves a slot with 3 filter variants (tag, field, segment) for a known
// contact among 5,000, through GET /dwc/{slot}.
func BenchmarkDWCResolve(b *testing.B) {
	f := newWebFixture(b)
	ctx := context.Background()
	var last string
	for i := 0; i < 5000; i++ {
		c, err := f.cs.Create(ctx, contacts.Input{Values: map[string]string{"firstname": fmt.Sprint("P", i),
			"email": fmt.Sprintf("p%d@x.io", i), "city": []string{"Paris", "Lyon", "Nice"}[i%3]}}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		last = c.ID
	}
	leaf := func(field, op string, v any) json.RawMessage {
		j, _ := json.Marshal(v)
		return json.RawMessage(fmt.Sprintf(`[{"glue":"and","field":%q,"object":"lead","operator":%q,"properties":{"filter":%s}}]`, field, op, j))
	}
	_, err := f.web.DWC.Save(ctx, dwc.Slot{Name: "Hero", Slot: "hero", Published: true, DefaultContent: "<p>Hi</p>",
		Variants: []dwc.Variant{
			{Name: "vip", Filters: leaf("tags", "in", []string{"vip"}), Content: "<p>VIP</p>"},
			{Name: "nice", Filters: leaf("city", "=", "Nice"), Content: "<p>Nice</p>"},
			{Name: "named", Filters: leaf("firstname", "startsWith", "P"), Content: "<p>Hello {contactfield=firstname}</p>"},
		}})
	if err != nil {
		b.Fatal(err)
	}
	cookie := &http.Cookie{Name: cookieSigned, Value: f.signer.Sign("ct", 0, last)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest("GET", "/dwc/hero", nil)
		r.AddCookie(cookie)
		if w := f.do(r); w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkFocusList answers GET /focus with 20 published items and a seen history.
func BenchmarkFocusList(b *testing.B) {
	f := newWebFixture(b)
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		if _, err := f.web.Focus.Save(ctx, focus.Item{Name: fmt.Sprint("F", i), Headline: "Hi", Published: true, Frequency: "hour",
			URLInclude: fmt.Sprintf("*example.com/section%d/*\n*example.com/shop/*", i), URLExclude: "*/checkout*"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest("GET", "/focus?url=https%3A%2F%2Fwww.example.com%2Fshop%2Fshoes&seen=a.1.1.1.0", nil)
		if w := f.do(r); w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
