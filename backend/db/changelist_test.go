package db

import (
	"strings"
	"testing"
)

// A transaction's change list keeps single changes and handed-over slices in the order they
// came, whatever the mix.
func TestChangeListOrder(t *testing.T) {
	ch := func(id string) Change { return Change{Table: "t", ID: id} }
	many := func(ids ...string) []Change {
		out := make([]Change, len(ids))
		for i, id := range ids {
			out[i] = ch(id)
		}
		return out
	}
	tests := []struct {
		name string
		ops  []any // a string adds one change, a []Change hands a slice over
		want string
	}{
		{"empty", nil, ""},
		{"singles", []any{"a", "b"}, "a b"},
		{"one slice", []any{many("a", "b")}, "a b"},
		{"empty slice", []any{"a", many(), "b"}, "a b"},
		{"mixed", []any{"a", many("b", "c"), "d", "e", many("f"), many("g"), "h"}, "a b c d e f g h"},
		{"slice then singles", []any{many("a"), "b"}, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l changeList
			for _, op := range tt.ops {
				switch v := op.(type) {
				case string:
					l.add(ch(v))
				case []Change:
					l.addMany(v)
				}
			}
			all := l.all()
			var ids []string
			for _, c := range all {
				ids = append(ids, c.ID)
			}
			if got := strings.Join(ids, " "); got != tt.want || l.n != len(all) {
				t.Errorf("changes %q (n = %d), want %q", got, l.n, tt.want)
			}
		})
	}
}
