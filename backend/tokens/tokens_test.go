package tokens

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func fixture() Data {
	paris, _ := time.LoadLocation("Europe/Paris")
	return Data{
		Contact: map[string]string{"firstname": "Élodie", "lastname": "O'Brien & <Co>", "email": "elodie+news@example.fr",
			"birthday": "1990-04-21", "last_active": "2026-03-02 09:30:00", "city": ""},
		Company:        map[string]string{"companyname": "Acme SA", "companycity": "Lyon"},
		Owner:          map[string]string{"firstname": "Marc", "email": "marc@agency.fr"},
		Specials:       map[string]string{"unsubscribe_url": "https://t.example/u/abc?x=1&y=2", "webview_url": "https://t.example/v/abc", "subject": "Hello <you>", "tracking_pixel": `<img src="https://t.example/p/abc.gif" alt="" width="1" height="1">`, "signature": "Marc"},
		Markup:         map[string]bool{"tracking_pixel": true},
		DateFormat:     "02/01/2006",
		TimeFormat:     "15:04",
		DateTimeFormat: "02/01/2006 15:04",
		Location:       paris,
		Now:            time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC),
	}
}

func TestRender_Golden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.in.*")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			mode := HTML
			if strings.HasSuffix(in, ".txt") {
				mode = Text
			}
			got, issues := Render(string(src), fixture(), mode)
			for _, is := range issues {
				got += "\n-- issue: " + is.Reason + " " + is.Token
			}
			golden := strings.Replace(in, ".in.", ".golden.", 1)
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden (run with -update): %v", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Fatalf("render differs (-want +got):\n%s", d)
			}
		})
	}
}

func TestRender_Cases(t *testing.T) {
	scenarios := []struct {
		name, in, want string
		mode           Mode
	}{
		{"plain field escaped", "Hi {contactfield=lastname}", "Hi O&#39;Brien &amp; &lt;Co&gt;", HTML},
		{"text mode raw", "Hi {contactfield=lastname}", "Hi O'Brien & <Co>", Text},
		{"default when empty", "{contactfield=city|there}", "there", HTML},
		{"company fallback", "{contactfield=companyname}", "Acme SA", HTML},
		{"leadfield alias", "{leadfield=firstname}", "Élodie", Text},
		{"url encode with true", "?e={contactfield=email|true}", "?e=elodie%2Bnews%40example.fr", Text},
		{"encoded braces in href", `<a href="https://x.fr/?e=%7Bcontactfield=email%7D">`, `<a href="https://x.fr/?e=elodie%2Bnews%40example.fr">`, HTML},
		{"date format", "{contactfield=birthday|date}", "21/04/1990", Text},
		{"datetime in zone", "{contactfield=last_active|datetime}", "02/03/2026 10:30", Text},
		{"today in zone", "{today}", "23/11/2026", Text},
		{"owner", "{ownerfield=email}", "marc@agency.fr", Text},
		{"pixel unescaped", "{tracking_pixel}", `<img src="https://t.example/p/abc.gif" alt="" width="1" height="1">`, HTML},
		{"url special escaped in html", `href="{unsubscribe_url}"`, `href="https://t.example/u/abc?x=1&amp;y=2"`, HTML},
		{"css is not a token", "a{color:red} {contactfield=firstname}", "a{color:red} Élodie", Text},
		{"unknown kept", "{nope} {contactfield=firstname}", "{nope} Élodie", Text},
		{"no template execution", "{{.Contact}} {{ printf \"x\" }}", "{{.Contact}} {{ printf \"x\" }}", Text},
		{"unclosed", "{contactfield=firstname", "{contactfield=firstname", Text},
		{"missing field empty", "[{contactfield=nothere}]", "[]", Text},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got, _ := Render(s.in, fixture(), s.mode)
			if got != s.want {
				t.Fatalf("Render(%q) = %q, want %q", s.in, got, s.want)
			}
		})
	}
}

func TestLint(t *testing.T) {
	k := Known{ContactFields: map[string]bool{"firstname": true}, CompanyFields: map[string]bool{"companyname": true},
		OwnerFields: map[string]bool{"email": true}, Specials: map[string]bool{"unsubscribe_url": true}}
	got := Lint("{contactfield=firstname} {contactfield=shoe_size} {contactfield=} {unsubscribe_url} {ownerfield=email} {foo} {today}", k)
	want := []Issue{
		{Token: "{contactfield=shoe_size}", Offset: 25, Reason: "unknown_field"},
		{Token: "{contactfield=}", Offset: 50, Reason: "empty_field_name"},
		{Token: "{foo}", Offset: 103, Reason: "unknown_token"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatal(d)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"{contactfield=a|b}", "%7Bx%7D", "{", "}{", "%7B%7D", "{a=b|c|d}", "%7bcontactfield=email%7d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := Render(s, fixture(), HTML)
		if !strings.Contains(s, "{") && !strings.Contains(strings.ToLower(s), "%7b") && out != s {
			t.Fatalf("text without tokens changed: %q -> %q", s, out)
		}
	})
}
