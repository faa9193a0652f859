package db

/*
int sqlite3_config(int, ...);
long long sqlite3_memory_used(void);

// magpie_memstatus_off turns off SQLite's accounting of the memory it allocates
// (SQLITE_CONFIG_MEMSTATUS = 9). With it on — the library's default — every sqlite3_malloc
// and sqlite3_free takes one mutex shared by every connection of the process to keep the
// total, which the writer, the checkpointer and the read pools then contend for. Nothing in
// Magpie reads the total or sets a soft heap limit. It must run before the library's first
// use (sqlite3_config answers SQLITE_MISUSE after that).
static int magpie_memstatus_off(void) { return sqlite3_config(9, 0); }

// magpie_stmtjrnl_in_memory keeps statement journals in memory whatever the connection's
// temp_store (SQLITE_CONFIG_STMTJRNL_SPILL = 26, threshold -1), as they are with the
// stores' temp_store = MEMORY: a connection set to FILE so that its sorts spill to disk
// (DB.TempFiles, the index rebuilds) would otherwise also write every statement journal past
// 64 KiB to a temporary file — 10 % of a 1M-row import's profile in pwrite.
static int magpie_stmtjrnl_in_memory(void) { return sqlite3_config(26, -1); }
*/
import "C"

import "fmt"

// libraryErr is the SQLite library's answer to the process-wide configuration made when this
// package is loaded, before any connection is opened; nil when it took effect. A store
// works without it, only slower, so it is reported by tests rather than by Open.
var libraryErr = configureLibrary()

func configureLibrary() error {
	if rc := C.magpie_memstatus_off(); rc != 0 {
		return fmt.Errorf("db: sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0): code %d", int(rc))
	}
	if rc := C.magpie_stmtjrnl_in_memory(); rc != 0 {
		return fmt.Errorf("db: sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1): code %d", int(rc))
	}
	return nil
}

// libraryMemoryUsed is SQLite's count of its allocated bytes: 0 while the accounting is off.
func libraryMemoryUsed() int64 { return int64(C.sqlite3_memory_used()) }
