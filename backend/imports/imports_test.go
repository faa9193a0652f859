package imports_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"magpie/backend/bus"
	"magpie/backend/contacts"
	"magpie/backend/db"
	"magpie/backend/fields"
	"magpie/backend/imports"
	"magpie/backend/internal/testenv"
	"magpie/backend/jobs"
)

type env struct {
	d   *db.DB
	cs  *contacts.Service
	svc *imports.Service
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d, _ := testenv.NewDB(t)
	fs, err := fields.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	cs := contacts.New(d, fs)
	dir := t.TempDir()
	return &env{d: d, cs: cs, svc: imports.New(cs, jobs.New(d, bus.New()), dir), dir: dir}
}

func (e *env) file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) run(t *testing.T, path string, opt imports.Options) imports.Record {
	t.Helper()
	ctx := context.Background()
	r, err := e.svc.Create(ctx, path, opt)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := e.svc.Run(ctx, r.ID, nil); err != nil {
		t.Fatalf("run: %v", err)
	}
	r, err = e.svc.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) byEmail(t *testing.T, email string) contacts.Detail {
	t.Helper()
	d, err := e.cs.ByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	return d
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name, content, delim, enc string
		cols                      []string
	}{
		{"comma", "email,firstname\na@x.io,Ann\n", ",", imports.UTF8, []string{"email", "firstname"}},
		{"semicolon", "E-mail;Prénom;Nom\na@x.io;Zoé;Müller\n", ";", imports.UTF8, []string{"E-mail", "Prénom", "Nom"}},
		{"tab", "email\tfirst name\na@x.io\tAnn\n", "\t", imports.UTF8, []string{"email", "first name"}},
		{"bom", "\ufeffemail;city\na@x.io;Köln\n", ";", imports.UTF8BOM, []string{"email", "city"}},
		{"cp1252", "email;Prénom\na@x.io;Zoé\n", ";", imports.Windows1252, []string{"email", "Prénom"}},
		{"quoted multiline", "email,notes,city\na@x.io,\"line1\nline2, with comma\",Paris\n", ",", imports.UTF8, []string{"email", "notes", "city"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			content := c.content
			if c.enc == imports.Windows1252 {
				b, _ := charmap.Windows1252.NewEncoder().String(content)
				content = b
			}
			a, err := e.svc.Analyze(context.Background(), e.file(t, c.name+".csv", content))
			if err != nil {
				t.Fatal(err)
			}
			if a.Delimiter != c.delim || a.Encoding != c.enc {
				t.Fatalf("got delimiter %q encoding %s, want %q %s", a.Delimiter, a.Encoding, c.delim, c.enc)
			}
			if strings.Join(a.Columns, "|") != strings.Join(c.cols, "|") {
				t.Fatalf("columns %q, want %q", a.Columns, c.cols)
			}
			if len(a.Preview) != 1 {
				t.Fatalf("preview %q", a.Preview)
			}
		})
	}
}

func TestAutoMap(t *testing.T) {
	e := newEnv(t)
	ts, err := e.svc.Targets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ col, want string }{
		{"Email", "email"}, {"E-mail", "email"}, {"Courriel", "email"}, {"Adresse e-mail", "email"},
		{"First Name", "firstname"}, {"Prénom", "firstname"}, {"firstname", "firstname"},
		{"Nom", "lastname"}, {"Last name", "lastname"}, {"Société", "company"}, {"Code postal", "zipcode"},
		{"Pays", "country"}, {"Ville", "city"}, {"Tags", "tags"}, {"Étiquettes", "tags"}, {"Points", "points"},
		{"Téléphone", "phone"}, {"Fonction", "position"}, {"Whatever", ""},
	}
	for _, c := range cases {
		got := imports.AutoMap([]string{c.col}, ts)[0]
		if got != c.want {
			t.Errorf("AutoMap(%q) = %q, want %q", c.col, got, c.want)
		}
	}
}

func TestImportMerge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// An existing contact, to check update-existing, blank and NULL semantics.
	if _, err := e.cs.Create(ctx, contacts.Input{Values: map[string]string{"email": "old@x.io", "firstname": "Old", "city": "Lyon", "position": "CEO"}}, "test"); err != nil {
		t.Fatal(err)
	}
	content := "Courriel;Prénom;Nom;Ville;Fonction;Société;Points;Tags\n" +
		"zoe@x.io;Zoé;Müller;Köln;;Acme SA;10;vip|b2b\n" +
		"old@x.io;;Neu;;NULL;;50;\n" +
		"ZOE@x.io;;;Berlin;Dev;;99;newsletter\n" +
		"bad@x.io;Bad;;;;;abc;\n" +
		"not-an-email;X;;;;;;\n" +
		";;;;;;;\n" +
		"\"multi\nline\"@x.io;A;;;;;;\n"
	b, _ := charmap.Windows1252.NewEncoder().String(content)
	r := e.run(t, e.file(t, "fr.csv", b), imports.Options{UpdateExisting: true, Tags: []string{"imported"}})
	if r.Status != imports.StatusDone {
		t.Fatalf("status %s (%s)", r.Status, r.Error)
	}
	if r.Inserted != 1 || r.Updated != 2 || r.Failed != 3 || r.Ignored != 1 {
		t.Fatalf("counts ins=%d upd=%d failed=%d ign=%d", r.Inserted, r.Updated, r.Failed, r.Ignored)
	}
	z := e.byEmail(t, "zoe@x.io")
	if z.Str("firstname") != "Zoé" || z.Str("lastname") != "Müller" || z.Str("city") != "Berlin" || z.Str("position") != "Dev" {
		t.Fatalf("zoe = %v", z.Values)
	}
	if z.Points != 10 {
		t.Fatalf("zoe points %d, want 10 (first row: points only for new contacts)", z.Points)
	}
	if strings.Join(z.Tags, ",") != "b2b,imported,newsletter,vip" {
		t.Fatalf("zoe tags %v", z.Tags)
	}
	if len(z.Companies) != 1 || z.Companies[0].Name != "Acme SA" || !z.Companies[0].Primary {
		t.Fatalf("zoe companies %v", z.Companies)
	}
	o := e.byEmail(t, "old@x.io")
	if o.Str("firstname") != "Old" || o.Str("lastname") != "Neu" || o.Str("city") != "Lyon" || o.Str("position") != "" {
		t.Fatalf("old = %v (blank must keep, NULL must clear)", o.Values)
	}
	if o.Points != 0 {
		t.Fatalf("existing contact got points %d", o.Points)
	}
	rej, err := e.svc.Rejected(ctx, r.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int64
	for _, x := range rej {
		lines = append(lines, x.Line)
	}
	if len(rej) != 3 || lines[0] != 5 || lines[1] != 6 || lines[2] != 8 {
		t.Fatalf("rejected %+v", rej)
	}
	if !strings.Contains(rej[0].Reason, "Points") || !strings.Contains(rej[1].Reason, "Email") {
		t.Fatalf("reasons %q / %q", rej[0].Reason, rej[1].Reason)
	}
	var sb strings.Builder
	if err := e.svc.WriteRejectedCSV(ctx, r.ID, &sb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "line,reason,Courriel,Prénom,Nom,Ville,Fonction,Société,Points,Tags\n") ||
		!strings.Contains(sb.String(), "6,\"Email: \"\"not-an-email\"\" is not an email address\",not-an-email,X,,,,,,") {
		t.Fatalf("rejected csv:\n%s", sb.String())
	}
}

func TestSkipExisting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.cs.Create(ctx, contacts.Input{Values: map[string]string{"email": "old@x.io", "firstname": "Old"}}, "test"); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, e.file(t, "a.csv", "email,firstname,address1\nold@x.io,New,\nnew@x.io,N1,\nnew@x.io,N2,\"1 rue X\nBât. B\"\nz@x.io,Z,\n"), imports.Options{})
	if r.Inserted != 2 || r.Updated != 1 || r.Ignored != 1 || r.Line != 6 {
		t.Fatalf("counts %+v", r)
	}
	if e.byEmail(t, "old@x.io").Str("firstname") != "Old" {
		t.Fatal("existing contact changed without update-existing")
	}
	if n := e.byEmail(t, "new@x.io"); n.Str("firstname") != "N2" || n.Str("address1") != "1 rue X\nBât. B" {
		t.Fatalf("duplicate inside the file not merged, or multi-line cell lost: %v", n.Values)
	}
}

func TestBadMapping(t *testing.T) {
	e := newEnv(t)
	p := e.file(t, "a.csv", "email,x\na@x.io,1\n")
	cases := []struct {
		name    string
		mapping []string
		want    string
	}{
		{"unknown field", []string{"email", "nope"}, `column "x" is mapped to "nope"`},
		{"twice", []string{"email", "email"}, "both mapped"},
		{"too long", []string{"email", "", "city"}, "3 entries"},
		{"nothing", []string{"", ""}, "no column is mapped"},
	}
	for _, c := range cases {
		_, err := e.svc.Create(context.Background(), p, imports.Options{Mapping: c.mapping})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := e.svc.Analyze(context.Background(), filepath.Join(e.dir, "missing.csv")); err == nil || !strings.Contains(err.Error(), "no file") {
		t.Errorf("missing file: %v", err)
	}
}

// Two runs of one import at once (two windows, the CLI and the app) never import a row twice.
func TestConcurrentRuns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("email,firstname\n")
	const n = 3000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "c%d@x.io,C%d\n", i, i)
	}
	r, err := e.svc.Create(ctx, e.file(t, "c.csv", b.String()), imports.Options{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() { errs <- e.svc.Run(ctx, r.ID, nil) }()
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil && !strings.Contains(err.Error(), "another process") {
			t.Fatal(err)
		}
	}
	// Finish whatever the stopped run left (a no-op when the other run completed).
	if err := e.svc.Run(ctx, r.ID, nil); err != nil {
		t.Fatal(err)
	}
	var total, distinct int
	e.d.R.QueryRow("SELECT count(*), count(DISTINCT email) FROM contacts").Scan(&total, &distinct)
	got, _ := e.svc.Get(ctx, r.ID)
	if total != n || distinct != n || got.Inserted != n || got.Status != imports.StatusDone {
		t.Fatalf("%d contacts (%d distinct), record %+v", total, distinct, got)
	}
}

// Every wrong type is rejected with its line and a reason naming the field.
func TestRejectReasons(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	fs := e.cs.Fields()
	for _, in := range []fields.Input{
		{Alias: "birthday", Label: "Birthday", Type: fields.Date},
		{Alias: "plan", Label: "Plan", Type: fields.Select, Options: []fields.Option{{Label: "Free", Value: "free"}, {Label: "Pro", Value: "pro"}}},
		{Alias: "optin", Label: "Opt-in", Type: fields.Boolean},
		{Alias: "rating", Label: "Rating", Type: fields.Number},
	} {
		if _, err := fs.Add(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	content := "email,birthday,plan,optin,rating,country,website\n" +
		"ok@x.io,31/12/1990,Pro,oui,\"12,5\",Allemagne,example.com\n" +
		"d@x.io,32/01/1990,,,,,\n" +
		"s@x.io,,gold,,,,\n" +
		"b@x.io,,,maybe,,,\n" +
		"n@x.io,,,,twelve,,\n" +
		"c@x.io,,,,,Atlantis,\n" +
		"w@x.io,,,,,,not a url\n"
	r := e.run(t, e.file(t, "types.csv", content), imports.Options{})
	want := map[int64]string{3: "Birthday", 4: "Plan", 5: "Opt-in", 6: "Rating", 7: "Country", 8: "Website"}
	rej, _ := e.svc.Rejected(ctx, r.ID, 0, 100)
	if r.Inserted != 1 || len(rej) != len(want) {
		t.Fatalf("inserted %d, rejected %+v", r.Inserted, rej)
	}
	// The UI says the same in its language: the field's label and the problem's key.
	wantKey := map[int64]string{3: "date", 4: "option", 5: "boolean", 6: "number", 7: "country", 8: "url"}
	for _, x := range rej {
		if !strings.HasPrefix(x.Reason, want[x.Line]+":") {
			t.Errorf("line %d: reason %q, want it to name %s", x.Line, x.Reason, want[x.Line])
		}
		if len(x.Problems) != 1 || x.Problems[0].Label != want[x.Line] || x.Problems[0].Key != "fields.errors."+wantKey[x.Line] ||
			!strings.Contains(x.Raw, x.Problems[0].Value) || x.Problems[0].Value == "" {
			t.Errorf("line %d: problems %+v, want %s / fields.errors.%s", x.Line, x.Problems, want[x.Line], wantKey[x.Line])
		}
	}
	ok := e.byEmail(t, "ok@x.io")
	if ok.Values["birthday"] != "1990-12-31" || ok.Values["plan"] != "pro" || ok.Values["optin"] != int64(1) ||
		ok.Values["rating"] != 12.5 || ok.Values["country"] != "Germany" || ok.Values["website"] != "https://example.com" {
		t.Fatalf("typed values %v", ok.Values)
	}
}

func TestAnalyzeWith(t *testing.T) {
	e := newEnv(t)
	b, _ := charmap.Windows1252.NewEncoder().String("Courriel|Prénom\na@x.io|Zoé\n")
	p := e.file(t, "pipe.csv", b)
	a, err := e.svc.AnalyzeWith(context.Background(), p, "|", imports.Windows1252)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.Columns, ",") != "Courriel,Prénom" || strings.Join(a.Mapping, ",") != "email,firstname" || a.Preview[0][1] != "Zoé" {
		t.Fatalf("%+v", a)
	}
	if _, err := e.svc.AnalyzeWith(context.Background(), p, "x", imports.UTF8); err == nil || !strings.Contains(err.Error(), "unsupported delimiter") {
		t.Fatalf("bad delimiter: %v", err)
	}
	if _, err := e.svc.AnalyzeWith(context.Background(), p, ",", "latin-9"); err == nil || !strings.Contains(err.Error(), "unknown encoding") {
		t.Fatalf("bad encoding: %v", err)
	}
	r := e.run(t, p, imports.Options{Delimiter: "|", Encoding: imports.Windows1252})
	if r.Inserted != 1 || e.byEmail(t, "a@x.io").Str("firstname") != "Zoé" {
		t.Fatalf("%+v", r)
	}
}
