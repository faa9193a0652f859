package db

import "testing"

// The library's memory accounting is off before the first connection opens: a store opened,
// written and read leaves SQLite's allocation counter at zero (it counts every allocation
// when the accounting is on).
func TestLibraryMemoryAccountingOff(t *testing.T) {
	if libraryErr != nil {
		t.Fatal(libraryErr)
	}
	d, err := Open(t.TempDir()+"/m.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.Exec("CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(100000))"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count %d, %v", n, err)
	}
	if used := libraryMemoryUsed(); used != 0 {
		t.Fatalf("SQLite counts %d bytes: its memory accounting is on", used)
	}
}
