package cli

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"magpie/backend/apperr"
)

func TestOpenErrorPage(t *testing.T) {
	cases := []struct {
		name, dir string
		err       error
		want      []string
	}{
		{"not sqlite", "/data/<x>", &apperr.Error{Code: apperr.Invalid, Msg: "/data/<x>/magpie.db is not a Magpie database (not an SQLite file)"},
			[]string{"/data/&lt;x&gt;/magpie.db is not a Magpie database", "<code>/data/&lt;x&gt;</code>", "Magpie ne peut pas ouvrir"}},
		{"default dir", "", errors.New("cannot create data directory /x: permission denied"),
			[]string{"cannot create data directory /x", "Nothing was changed"}},
	}
	for _, c := range cases {
		b, err := fs.ReadFile(openErrorPage(c.dir, c.err), "index.html")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s: page lacks %q", c.name, w)
			}
		}
		if strings.Contains(string(b), "<x>") {
			t.Errorf("%s: unescaped path in the page", c.name)
		}
		if c.dir == "" && strings.Contains(string(b), "Data folder") {
			t.Errorf("%s: shows an empty data folder", c.name)
		}
	}
}
