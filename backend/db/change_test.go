package db_test

import (
	"maps"
	"testing"

	"magpie/backend/db"
)

// Col and Columns read a change's columns the same way in both of its forms.
func TestChangeCol(t *testing.T) {
	want := db.Cols{"n": int64(3), "name": "x", "gone": nil}
	for _, tc := range []struct {
		name string
		ch   db.Change
	}{
		{"map", db.Change{Cols: db.Cols{"n": int64(3), "name": "x", "gone": nil}}},
		{"keys and values", db.Change{Keys: []string{"gone", "n", "name"}, Values: []any{nil, int64(3), "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range want {
				if got, ok := tc.ch.Col(k); !ok || got != v {
					t.Errorf("Col(%q) = %v, %v; want %v, true", k, got, ok, v)
				}
			}
			if got, ok := tc.ch.Col("other"); ok || got != nil {
				t.Errorf("Col(other) = %v, %v; want nil, false", got, ok)
			}
			if got := tc.ch.Columns(); !maps.Equal(got, want) {
				t.Errorf("Columns() = %v, want %v", got, want)
			}
		})
	}
}
