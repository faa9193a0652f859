package rqlite

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"magpie/backend/rqlite/rqlitetest"
)

// unquote must give exactly what encoding/json gives for every string it accepts, and
// accept every string encoding/json accepts.
func TestUnquoteMatchesEncodingJSON(t *testing.T) {
	cases := []string{
		``, `plain`, `Zoë Ünïcode 日本`, `quote " inside`, `back \ slash`, "tab\tnew\nline\r",
		"ctrl \x01 \x1f", `<html> & co`, "\u2028\u2029", "emoji 😀 pair", `{"email":"a@b.c","n":1}`,
		`{"s":"with \"quotes\" and \\ slash"}`, "\x7f del",
	}
	for _, s := range cases {
		b, _ := json.Marshal(s)
		got, ok := unquote(b)
		if !ok || got != s {
			t.Errorf("unquote(%s) = %q, %v; want %q", b, got, ok, s)
		}
	}
	// Hand-written escapes, including ones json.Marshal never writes.
	raw := []string{`"\u00e9t\u00E9"`, `"\ud83d\ude00"`, `"\/"`, `"\b\f"`, `"\ud83d"`, `"\ude00x"`, `"a\u0000b"`, "\"\xff\""}
	for _, r := range raw {
		var want string
		werr := json.Unmarshal([]byte(r), &want)
		got, ok := unquote([]byte(r))
		if (werr == nil) != ok || got != want {
			t.Errorf("unquote(%s) = %q, %v; encoding/json %q, %v", r, got, ok, want, werr)
		}
	}
	for _, bad := range []string{`"unterminated`, `x"`, `"bad \q escape"`, `"\u12"`} {
		if _, ok := unquote([]byte(bad)); ok {
			t.Errorf("unquote(%s) accepted a malformed string", bad)
		}
	}
}

// Integers come back exactly at any size; non-integers are refused, never rounded.
func TestRawIntExact(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{`9007199254740993`, 9007199254740993, true}, // 2^53+1: float64 would make it ...992
		{`-9223372036854775808`, -9223372036854775808, true},
		{`"4503599627370497"`, 4503599627370497, true},
		{`1.5`, 0, false},
		{`1e3`, 0, false},
		{`9223372036854775808`, 0, false},
		{`null`, 0, false},
	}
	for _, c := range cases {
		got, err := Raw(c.in).Int()
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Int(%s) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestDecodeRawShapes(t *testing.T) {
	body := `{"results":[{"columns":["a","b","c"],"types":["text","integer",""],"values":[["x",1,null],["y\"z",-2,[1,2,{"k":"]"}]]],"time":0.1},` +
		`{"columns":["n"],"types":["integer"]},{"error":"no such table: t"}],"error":"top","time":1}` + "\n"
	res, top, err := decodeRaw([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if top != "top" || len(res) != 3 || res[2].Error != "no such table: t" || len(res[1].Values) != 0 {
		t.Fatalf("top %q, results %+v", top, res)
	}
	r := res[0]
	if strings.Join(r.Columns, ",") != "a,b,c" || len(r.Values) != 2 {
		t.Fatalf("result 0: %+v", r)
	}
	if s, _ := r.Values[1][0].Str(); s != `y"z` {
		t.Errorf("string with escape: %q", s)
	}
	if n, _ := r.Values[1][1].Int(); n != -2 {
		t.Errorf("int: %d", n)
	}
	if !r.Values[0][2].IsNull() || string(r.Values[1][2]) != `[1,2,{"k":"]"}]` {
		t.Errorf("null / nested: %s %s", r.Values[0][2], r.Values[1][2])
	}
	for _, bad := range []string{``, `{"results":[{"values":[["x"]}]}`, `{"results":[]} x`, `{"results":[{"values":[[1,]]}]}`} {
		if _, _, err := decodeRaw([]byte(bad)); err == nil {
			t.Errorf("decodeRaw(%q) accepted a malformed answer", bad)
		}
	}
}

// QueryRaw returns what Query returns, value for value, from the stand-in.
func TestQueryRawMatchesQuery(t *testing.T) {
	srv := rqlitetest.New(t, rqlitetest.Options{})
	if err := srv.Exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT, n INTEGER, f REAL)`); err != nil {
		t.Fatal(err)
	}
	if err := srv.Exec(`INSERT INTO t VALUES(1, 'a "q" é', 9007199254740993, 1.5), (2, NULL, -1, NULL), (3, '{"k":"v\n"}', 0, 2)`); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{URLs: []string{srv.URL()}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	q := S(`SELECT id, s, n, f FROM t WHERE id >= ? ORDER BY id`, 1)
	want, err := c.Query(ctx, Weak, q, S(`SELECT count(*) FROM t`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.QueryRaw(ctx, Weak, q, S(`SELECT count(*) FROM t`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0].Values) != 3 {
		t.Fatalf("got %+v", got)
	}
	for i, row := range want[0].Values {
		for j, w := range row {
			v := got[0].Values[i][j]
			switch x := w.(type) {
			case nil:
				if !v.IsNull() {
					t.Errorf("row %d col %d: %s, want null", i, j, v)
				}
			case string:
				if s, err := v.Str(); err != nil || s != x {
					t.Errorf("row %d col %d: %q, want %q", i, j, s, x)
				}
			case int64:
				if n, err := v.Int(); err != nil || n != x {
					t.Errorf("row %d col %d: %d, want %d", i, j, n, x)
				}
			case float64:
				if string(v) != "1.5" && string(v) != "2" {
					t.Errorf("row %d col %d: %s, want %v", i, j, v, x)
				}
			}
		}
	}
	if _, err := c.QueryRaw(ctx, Weak, S(`SELECT * FROM missing`)); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a failing statement: %v", err)
	}
}
