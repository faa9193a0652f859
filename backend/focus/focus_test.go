package focus

import (
	"context"
	"strings"
	"testing"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/internal/testenv"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "anything", true},
		{"https://shop.example.com/*", "https://shop.example.com/a/b?c=d", true},
		{"https://shop.example.com/*", "https://example.com/shop", false},
		{"*/checkout*", "https://x.io/cart/checkout/step2", true},
		{"*/blog/????/*", "https://x.io/blog/2026/hello", true},
		{"*/blog/????/*", "https://x.io/blog/26/hello", false},
		{"HTTPS://X.IO/*", "https://x.io/a", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, c := range cases {
		if got := Glob(c.p, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestURLRules(t *testing.T) {
	it := Item{Published: true, URLInclude: "example.com/shop/*\nhttps://blog.example.com/*", URLExclude: "*/checkout*, */account/*"}
	cases := []struct {
		url  string
		want bool
	}{
		{"https://example.com/shop/shoes", true},
		{"https://www.example.com/shop/shoes", true},
		{"http://example.com/shop/", true},
		{"https://blog.example.com/post", true},
		{"https://example.com/about", false},
		{"https://example.com/shop/checkout", false},
		{"https://blog.example.com/account/x", false},
		{"https://evil.com/example.com/shop/x", false},
	}
	for _, c := range cases {
		if got := it.URLAllowed(c.url); got != c.want {
			t.Errorf("URLAllowed(%q) = %v, want %v", c.url, got, c.want)
		}
	}
	all := Item{Published: true}
	if !all.URLAllowed("https://any.where/x") {
		t.Error("no include rule must mean every page")
	}
}

func TestFrequencyCaps(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) int64 { return now.Add(-d).Unix() }
	url := "https://x.io/"
	cases := []struct {
		name string
		it   Item
		seen Seen
		want bool
	}{
		{"never seen", Item{Frequency: "day"}, Seen{}, true},
		{"every page", Item{Frequency: "everypage"}, Seen{Last: ago(time.Second), Day: 9, Session: true}, true},
		{"once per session, same session", Item{Frequency: "session"}, Seen{Last: ago(time.Hour), Session: true}, false},
		{"once per session, new session", Item{Frequency: "session"}, Seen{Last: ago(time.Minute)}, true},
		{"2 min, too soon", Item{Frequency: "2min"}, Seen{Last: ago(119 * time.Second)}, false},
		{"2 min, later", Item{Frequency: "2min"}, Seen{Last: ago(2 * time.Minute)}, true},
		{"15 min", Item{Frequency: "15min"}, Seen{Last: ago(14 * time.Minute)}, false},
		{"hour", Item{Frequency: "hour"}, Seen{Last: ago(61 * time.Minute)}, true},
		{"day, too soon", Item{Frequency: "day"}, Seen{Last: ago(23 * time.Hour)}, false},
		{"day, later", Item{Frequency: "day"}, Seen{Last: ago(25 * time.Hour)}, true},
		{"daily cap reached", Item{Frequency: "everypage", MaxPerDay: 3}, Seen{Last: ago(time.Hour), Day: 3}, false},
		{"daily cap not reached", Item{Frequency: "everypage", MaxPerDay: 3}, Seen{Last: ago(time.Hour), Day: 2}, true},
		{"closed, stop after close", Item{Frequency: "everypage", StopAfterClose: true}, Seen{Last: ago(time.Hour), Closed: true}, false},
		{"closed, keeps showing", Item{Frequency: "everypage"}, Seen{Last: ago(time.Hour), Closed: true}, true},
		{"unpublished", Item{Frequency: "everypage", Published: false}, Seen{}, false},
		{"url excluded", Item{Frequency: "everypage", URLExclude: "*x.io*"}, Seen{}, false},
	}
	for _, c := range cases {
		if c.name != "unpublished" {
			c.it.Published = true
		}
		if got := c.it.Eligible(url, c.seen, now); got != c.want {
			t.Errorf("%s: Eligible = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseSeen(t *testing.T) {
	got := ParseSeen("a.100.2.1.0,b.5.0.0.1,bad,c.x.1.1.1,d.1.2.3")
	if len(got) != 2 || got["a"] != (Seen{Last: 100, Day: 2, Session: true}) || got["b"] != (Seen{Last: 5, Closed: true}) {
		t.Errorf("ParseSeen = %+v", got)
	}
}

func TestSaveValidatesAndSanitises(t *testing.T) {
	d, _ := testenv.NewDB(t)
	s := New(d)
	ctx := context.Background()
	it, err := s.Save(ctx, Item{Name: "Newsletter", Style: "modal", Position: "middle", ContentType: "link", LinkURL: "https://x.io/join",
		Body: `<p onclick="x()">Join <script>bad()</script>us</p>`, Trigger: "delay", TriggerValue: 3, Frequency: "day",
		Colors: Colors{Background: "#fff", Button: "#0a0a0a"}, Published: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(it.Body, "script") || strings.Contains(it.Body, "onclick") {
		t.Errorf("body not sanitised: %q", it.Body)
	}
	pub := it.Public("https://t.example.com")
	if !strings.Contains(pub.HTML, `href="https://x.io/join"`) || !strings.Contains(pub.CSS, ".mf-modal.mf-middle") || pub.Value != 3 {
		t.Errorf("public render: %+v", pub)
	}
	cases := []struct {
		name  string
		it    Item
		field string
	}{
		{"no name", Item{}, "name"},
		{"style", Item{Name: "x", Style: "popup"}, "style"},
		{"position", Item{Name: "x", Style: "bar", Position: "middle"}, "position"},
		{"form id", Item{Name: "x", ContentType: "form"}, "formId"},
		{"link url", Item{Name: "x", ContentType: "link", LinkURL: "javascript:alert(1)"}, "linkUrl"},
		{"delay", Item{Name: "x", Trigger: "delay"}, "triggerValue"},
		{"scroll", Item{Name: "x", Trigger: "scroll", TriggerValue: 120}, "triggerValue"},
		{"frequency", Item{Name: "x", Frequency: "weekly"}, "frequency"},
		{"colour injection", Item{Name: "x", Colors: Colors{Background: "red;}body{display:none"}}, "colors.background"},
	}
	for _, c := range cases {
		_, err := s.Save(ctx, c.it)
		e, ok := apperr.As(err)
		if !ok || e.Fields[c.field] == "" {
			t.Errorf("%s: err = %v, want a %s field error", c.name, err, c.field)
		}
	}
}

func TestPublishedCacheFollowsEdits(t *testing.T) {
	d, _ := testenv.NewDB(t)
	s := New(d)
	ctx := context.Background()
	if l, _ := s.Published(ctx); len(l) != 0 {
		t.Fatalf("empty store: %d items", len(l))
	}
	it, err := s.Save(ctx, Item{Name: "A", Published: true})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Published(ctx); len(l) != 1 {
		t.Fatalf("after save: %d items", len(l))
	}
	it.Published = false
	if _, err := s.Save(ctx, it); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Published(ctx); len(l) != 0 {
		t.Fatalf("after unpublishing: %d items", len(l))
	}
}

func TestPublicFormItemEmbedsTheForm(t *testing.T) {
	it := Item{ID: "f1", Name: "Join", Style: "notification", Position: "bottom-right", ContentType: "form", FormID: "abc-1"}
	pub := it.Public("https://t.example.com/")
	if pub.Form != "abc-1" || !strings.Contains(pub.HTML, `data-mf-form="abc-1"`) ||
		!strings.Contains(pub.HTML, `href="https://t.example.com/form/abc-1"`) {
		t.Errorf("form item: %+v", pub)
	}
	link := Item{ID: "f2", Name: "L", ContentType: "link", LinkURL: "https://x.io"}
	if p := link.Public("https://t"); p.Form != "" || strings.Contains(p.HTML, "data-mf-form") {
		t.Errorf("link item embeds a form: %+v", p)
	}
}
