package contacts

import (
	"slices"
	"strings"
	"testing"

	"magpie/backend/internal/testenv"
)

// TestContactInsertTriggers: the side-file loads (seed, fresh import) know every insert
// trigger on contacts (DeferInsertTriggers drops them during the load and applies their
// effect once); a new one must be added to contactInsertTriggers by its owner.
func TestContactInsertTriggers(t *testing.T) {
	d, _ := testenv.NewDB(t)
	rows, err := d.R.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'contacts'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToUpper(strings.Join(strings.Fields(sql), " ")), " INSERT ON ") {
			got = append(got, name)
		}
	}
	var want []string
	for name := range contactInsertTriggers {
		want = append(want, name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("insert triggers on contacts: %v; DeferInsertTriggers knows %v (see triggers.go)", got, want)
	}
}
