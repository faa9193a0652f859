package db

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"sync"

	sqlite3 "github.com/mattn/go-sqlite3"

	"magpie/backend/fold"
)

// DriverName is the database/sql driver Magpie opens SQLite with: mattn/go-sqlite3 plus the
// functions the store and the segment compiler rely on.
const DriverName = "magpie_sqlite3"

// MappedDriverName is DriverName whose read-only connections memory-map the file (DB.M).
const MappedDriverName = "magpie_sqlite3_mapped"

func init() {
	sql.Register(DriverName, &sqlite3.SQLiteDriver{ConnectHook: registerFunctions})
	sql.Register(MappedDriverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := registerFunctions(c); err != nil {
			return err
		}
		return mapReads(c)
	}})
}

// registerFunctions adds:
//   - fold(text): Magpie's case- and accent-insensitive key (package fold);
//   - regexp(pattern, text): the REGEXP operator, case-insensitive as MySQL's under Mautic's
//     collation; NULL text never matches.
func registerFunctions(c *sqlite3.SQLiteConn) error {
	if err := c.RegisterFunc("fold", foldSQL, true); err != nil {
		return fmt.Errorf("db: register fold: %w", err)
	}
	if err := c.RegisterFunc("regexp", regexpSQL, true); err != nil {
		return fmt.Errorf("db: register regexp: %w", err)
	}
	return nil
}

// ReadMmapSize is the memory-mapped window of each connection of the mapped read pool DB.M
// (SQLite caps it at its compile-time SQLITE_MAX_MMAP_SIZE, 2 GiB in go-sqlite3's build).
//
// Why: in WAL mode any commit makes every other connection drop its whole page cache at its
// next read transaction, and a running app commits all the time (live segments, dashboard,
// queues). Without a map each read then copies its pages from the OS again (pread + memcpy,
// a third of the CPU of a segment count on 1M contacts); with it, a page of the database file
// is read in place from the OS cache. Pages still in the WAL are read as before.
//
// Why only DB.M: every mapped page a connection touches counts in the process's RSS, once
// per connection (each maps the file on its own), so a full count of 1M contacts on a mapped
// connection adds ~300 MB to `magpie contacts list`, and a grid session that reads every
// sort's index ~3 GB. Only the segment counts and previews, which scan much of the store
// again after every commit, read through the mapped pool (docs/BENCHMARKS.md § Contacts,
// "The read pool's memory map").
const ReadMmapSize = 1 << 31

// mapReads turns on memory-mapped reads on read-only connections (query_only, set by the
// DSN before this hook runs); the writer keeps plain reads.
func mapReads(c *sqlite3.SQLiteConn) error {
	rows, err := c.Query("PRAGMA query_only", nil)
	if err != nil {
		return fmt.Errorf("db: query_only: %w", err)
	}
	v := make([]driver.Value, 1)
	err = rows.Next(v)
	rows.Close()
	if err != nil || v[0] != int64(1) {
		return nil
	}
	if _, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", ReadMmapSize), nil); err != nil {
		return fmt.Errorf("db: mmap_size: %w", err)
	}
	return nil
}

func foldSQL(v any) any {
	s, ok := text(v)
	if !ok {
		return nil
	}
	return fold.String(s)
}

// text reads a SQL argument as text; NULL gives ok = false.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	case nil:
		return "", false
	default:
		return fmt.Sprint(x), true
	}
}

var regexCache sync.Map // pattern -> *regexp.Regexp

// CompileRegexp compiles a user pattern the way REGEXP evaluates it (case-insensitive).
// Segment validation calls it so a bad pattern is refused at save time, not at query time.
func CompileRegexp(pattern string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile("(?i)" + pattern)
	if err != nil {
		return nil, err
	}
	regexCache.Store(pattern, re)
	return re, nil
}

func regexpSQL(pattern string, v any) (bool, error) {
	s, ok := text(v)
	if !ok {
		return false, nil
	}
	re, err := CompileRegexp(pattern)
	if err != nil {
		return false, err
	}
	return re.MatchString(s), nil
}
