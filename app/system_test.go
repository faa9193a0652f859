package app

import (
	"reflect"
	"strings"
	"testing"
)

// Preferences keep the grid's column widths; out-of-range widths are refused naming the column.
func TestPreferencesColumnWidths(t *testing.T) {
	sys := &System{newShell(t, "")}
	good := Preferences{Theme: "dark", GridColumns: []string{"name", "email"}, GridWidths: map[string]int{"email": 320, "name": 48}}
	if err := sys.SetPreferences(good); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		width int
		want  string
	}{
		{"too narrow", 10, `width 10 of column "city" is out of range (48–2000)`},
		{"too wide", 5000, `width 5000 of column "city" is out of range`},
		{"negative", -1, `column "city"`},
	}
	for _, tc := range cases {
		p := good
		p.GridWidths = map[string]int{"city": tc.width}
		err := sys.SetPreferences(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	got, err := sys.GetPreferences()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, good) {
		t.Fatalf("after refused saves: %+v, want %+v", got, good)
	}
}
