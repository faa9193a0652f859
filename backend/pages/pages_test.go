package pages

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/internal/testenv"
)

func TestFindRouting(t *testing.T) {
	d, _ := testenv.NewDB(t)
	s := New(d)
	ctx := context.Background()
	mk := func(p Page) Page {
		t.Helper()
		p.Published = !strings.HasPrefix(p.Title, "draft")
		got, err := s.Save(ctx, p)
		if err != nil {
			t.Fatalf("save %q: %v", p.Title, err)
		}
		return got
	}
	spring := mk(Page{Title: "Spring Offer!", CustomPath: "/offers/spring", HTML: "<h1>Spring</h1>"})
	mk(Page{Title: "draft page", Alias: "draft"})
	v := mk(Page{Title: "Spring B", VariantParentID: spring.ID, VariantWeight: 50})
	if spring.Alias != "spring-offer" {
		t.Fatalf("alias from title = %q", spring.Alias)
	}
	if v.Alias != "" {
		t.Fatalf("a variant gets no alias of its own, got %q", v.Alias)
	}
	cases := []struct {
		path string
		want string
	}{
		{"/p/spring-offer", spring.ID},
		{"/p/spring-offer/", spring.ID},
		{"/p/SPRING-OFFER", spring.ID},
		{"/offers/spring", spring.ID},
		{"/offers/spring/", spring.ID},
		{"/OFFERS/Spring", spring.ID},
		{"/offers", ""},
		{"/p/draft", ""}, // unpublished
		{"/p/", ""},
		{"/p/spring-offer/x", ""},
		{"/p/nope", ""},
	}
	for _, c := range cases {
		p, ok, err := s.Find(ctx, c.path)
		if err != nil {
			t.Fatal(err)
		}
		if (c.want == "") == ok || (ok && p.ID != c.want) {
			t.Errorf("Find(%q) = %q, %v; want %q", c.path, p.ID, ok, c.want)
		}
	}
	if err := s.Delete(ctx, spring.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Find(ctx, "/p/spring-offer"); ok {
		t.Error("a trashed page is still served")
	}
	if got, _ := s.Get(ctx, v.ID); !got.Deleted {
		t.Error("deleting a page did not trash its variant")
	}
	if err := s.Restore(ctx, spring.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Find(ctx, "/p/spring-offer"); !ok {
		t.Error("a restored page is not served")
	}
}

func TestValidate(t *testing.T) {
	d, _ := testenv.NewDB(t)
	s := New(d)
	ctx := context.Background()
	if _, err := s.Save(ctx, Page{Title: "Taken", Alias: "taken", CustomPath: "/taken"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		p     Page
		field string
	}{
		{"no title", Page{}, "title"},
		{"bad alias", Page{Title: "x", Alias: "Hello World"}, "alias"},
		{"alias taken", Page{Title: "x", Alias: "taken"}, "alias"},
		{"path taken", Page{Title: "x", CustomPath: "/TAKEN"}, "customPath"},
		{"reserved path", Page{Title: "x", CustomPath: "/mtc.js"}, "customPath"},
		{"reserved path 2", Page{Title: "x", CustomPath: "/dwc/hero"}, "customPath"},
		{"path shape", Page{Title: "x", CustomPath: "offers"}, "customPath"},
		{"language", Page{Title: "x", Language: "french!"}, "language"},
		{"weight", Page{Title: "x", VariantWeight: 150}, "variantWeight"},
		{"social image", Page{Title: "x", SocialImage: "javascript:x"}, "socialImage"},
		{"mode", Page{Title: "x", Mode: "mjml"}, "mode"},
	}
	for _, c := range cases {
		_, err := s.Save(ctx, c.p)
		e, ok := apperr.As(err)
		if !ok || e.Fields[c.field] == "" {
			t.Errorf("%s: err = %v, want a %s field error", c.name, err, c.field)
		}
	}
}

func TestSanitiseOnSave(t *testing.T) {
	d, _ := testenv.NewDB(t)
	s := New(d)
	p, err := s.Save(context.Background(), Page{Title: "x", Mode: HTML,
		HTML: `<h1 onclick="steal()">Hi</h1><script>alert(document.cookie)</script><a href="javascript:x">l</a>`})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"script", "onclick", "javascript", "alert"} {
		if strings.Contains(p.HTML, bad) {
			t.Errorf("stored HTML %q still has %q", p.HTML, bad)
		}
	}
}

func TestVariantStickyAndWeighted(t *testing.T) {
	parent := Page{ID: "p", VariantWeight: 0}
	vars := []Page{{ID: "a", VariantWeight: 30}, {ID: "b", VariantWeight: 20}}
	counts := map[string]int{}
	for i := 0; i < 4000; i++ {
		dev := fmt.Sprintf("device-%d", i)
		got := PickVariant(dev, parent, vars)
		for j := 0; j < 3; j++ {
			if again := PickVariant(dev, parent, vars); again.ID != got.ID {
				t.Fatalf("device %s saw %s then %s", dev, got.ID, again.ID)
			}
		}
		counts[got.ID]++
	}
	// parent gets 100-50 = 50 %, a 30 %, b 20 % (±4 points).
	for id, want := range map[string]float64{"p": .5, "a": .3, "b": .2} {
		if got := float64(counts[id]) / 4000; got < want-.04 || got > want+.04 {
			t.Errorf("variant %s share = %.3f, want ≈ %.2f (counts %v)", id, got, want, counts)
		}
	}
	zero := PickVariant("d", Page{ID: "p"}, []Page{{ID: "a"}, {ID: "b"}})
	if zero.ID == "" {
		t.Error("all-zero weights must still pick one")
	}
}

func TestPickLanguage(t *testing.T) {
	fam := []Page{{ID: "en", Language: "en"}, {ID: "fr", Language: "fr"}, {ID: "ptbr", Language: "pt_BR"}, {ID: "de", Language: "de-CH"}}
	cases := []struct{ choice, accept, want string }{
		{"", "", "en"},
		{"", "fr-FR,fr;q=0.9,en;q=0.8", "fr"},
		{"", "de;q=0.2, fr;q=0.7", "fr"},
		{"", "pt-BR", "ptbr"},
		{"", "pt-PT", "ptbr"},
		{"", "de", "de"},
		{"", "es, *", "en"},
		{"", "fr;q=0", "en"},
		{"fr", "de", "fr"},
		{"xx", "de", "de"},
		{"", "garbage;;;q=abc", "en"},
	}
	for _, c := range cases {
		if got := PickLanguage(c.choice, c.accept, fam); got.ID != c.want {
			t.Errorf("PickLanguage(%q, %q) = %s, want %s", c.choice, c.accept, got.ID, c.want)
		}
	}
}

func TestChooseTranslationThenVariant(t *testing.T) {
	d, _ := testenv.NewDB(t)
	s := New(d)
	ctx := context.Background()
	en, _ := s.Save(ctx, Page{Title: "Offer", Language: "en", Published: true})
	fr, err := s.Save(ctx, Page{Title: "Offre", Alias: "offre", Language: "fr", TranslationParentID: en.ID, Published: true})
	if err != nil {
		t.Fatal(err)
	}
	frB, _ := s.Save(ctx, Page{Title: "Offre B", Language: "fr", VariantParentID: fr.ID, VariantWeight: 100, Published: true})
	got, fam, err := s.Choose(ctx, en, Visitor{Device: "d1", AcceptLanguage: "fr-CA,fr;q=0.9"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != frB.ID || len(fam) != 2 {
		t.Errorf("fr visitor got %q (family %d), want the French variant %q", got.Title, len(fam), frB.Title)
	}
	got, _, _ = s.Choose(ctx, en, Visitor{Device: "d1", AcceptLanguage: "en-US"})
	if got.ID != en.ID {
		t.Errorf("en visitor got %q", got.Title)
	}
	got, _, _ = s.Choose(ctx, en, Visitor{Device: "d1", AcceptLanguage: "fr", Lang: "en"})
	if got.ID != en.ID {
		t.Errorf("the language switch (?lang=en) got %q", got.Title)
	}
}

func TestRender(t *testing.T) {
	p := Page{ID: "x", Title: "T <1>", SEOTitle: "SEO & co", MetaDescription: `Say "hi"`, SocialImage: "https://i/x.png",
		HTML: `<h1>Hello {contactfield=firstname|friend}</h1>{dwc=hero}{form=12}`}
	out := Render(p, RenderOptions{Base: "https://t.example.com/", URL: "https://t.example.com/p/x",
		Contact: map[string]string{"firstname": "<Ann>"}})
	for _, want := range []string{"<!doctype html>", "<title>SEO &amp; co</title>", `content="Say &#34;hi&#34;"`,
		`og:image" content="https://i/x.png"`, "Hello &lt;Ann&gt;", `data-slot="dwc" data-param-slot-name="hero"`,
		`<script src="https://t.example.com/form/12.js"></script>`, `<script src="https://t.example.com/mtc.js" async></script></body>`,
		`rel="canonical" href="https://t.example.com/p/x"`} {
		if !strings.Contains(out, want) {
			t.Errorf("render misses %q:\n%s", want, out)
		}
	}
	anon := Render(p, RenderOptions{Base: "https://t"})
	if !strings.Contains(anon, "Hello friend") {
		t.Errorf("anonymous visitor: %s", anon)
	}
	doc := Render(Page{Title: "D", HTML: `<html><head><title>Own</title></head><body><p>x</p></body></html>`, NoIndex: true}, RenderOptions{Base: "https://t"})
	if strings.Count(doc, "<title>") != 1 || !strings.Contains(doc, `name="robots" content="noindex"`) ||
		!strings.Contains(doc, `<p>x</p><script src="https://t/mtc.js" async></script></body>`) {
		t.Errorf("full document render: %s", doc)
	}
}

func TestPrefFormLanguage(t *testing.T) {
	v := PrefView{Segments: []PrefSegment{{ID: "s1", Name: "News <weekly>", Member: true}}, EmailOK: true}
	cases := []struct{ accept, want string }{
		{"fr-CA,fr;q=0.9", "Enregistrer mes préférences"},
		{"de, fr;q=0.5", "Enregistrer mes préférences"},
		{"en-GB", "Save preferences"},
		{"", "Save preferences"},
		{"es", "Save preferences"},
	}
	for _, c := range cases {
		out := PrefForm(v, "https://t/prefs/tok", "", c.accept)
		if !strings.Contains(out, c.want) || !strings.Contains(out, "News &lt;weekly&gt;") || !strings.Contains(out, `value="s1" id="seg-s1" checked`) {
			t.Errorf("PrefForm(%q) = %s", c.accept, out)
		}
	}
}
