package db

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The SQLite library is the one github.com/mattn/go-sqlite3 compiles into the binary; only
// the few functions used here are declared.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
int sqlite3_prepare_v3(sqlite3*, const char*, int, unsigned int, sqlite3_stmt**, const char**);
int sqlite3_bind_null(sqlite3_stmt*, int);
int sqlite3_bind_int64(sqlite3_stmt*, int, long long);
int sqlite3_bind_double(sqlite3_stmt*, int, double);
int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*));
int sqlite3_bind_blob(sqlite3_stmt*, int, const void*, int, void(*)(void*));
int sqlite3_bind_parameter_count(sqlite3_stmt*);
int sqlite3_step(sqlite3_stmt*);
int sqlite3_changes(sqlite3*);
int sqlite3_get_autocommit(sqlite3*);
typedef struct sqlite3_mutex sqlite3_mutex;
sqlite3_mutex *sqlite3_db_mutex(sqlite3*);
void sqlite3_mutex_enter(sqlite3_mutex*);
void sqlite3_mutex_leave(sqlite3_mutex*);
int sqlite3_reset(sqlite3_stmt*);
int sqlite3_clear_bindings(sqlite3_stmt*);
int sqlite3_finalize(sqlite3_stmt*);
sqlite3 *sqlite3_db_handle(sqlite3_stmt*);
const char *sqlite3_errmsg(sqlite3*);

// magpie_exec_packed binds n values — kinds[i]: 0 NULL, 1 integer nums[i], 2 double (the
// bits of nums[i]), 3 text and 4 blob of lens[i] bytes at buf + nums[i] — runs the
// statement once and resets it, its bindings cleared (the text and blob values are bound
// without a copy and must not outlive this call), with the rows it changed in *changes. It holds the connection's mutex
// throughout and runs only inside a transaction: database/sql may roll the transaction back
// from another goroutine (its context ended), and a statement stepped after that would
// commit on its own (-1, nothing run). On an error the message is copied to msg.
static int magpie_exec_packed(sqlite3_stmt *st, int n, const unsigned char *kinds, const int64_t *nums,
		const int32_t *lens, const char *buf, int *changes, char *msg, int msglen) {
	sqlite3 *db = sqlite3_db_handle(st);
	sqlite3_mutex *mu = sqlite3_db_mutex(db);
	sqlite3_mutex_enter(mu);
	if (sqlite3_get_autocommit(db)) {
		sqlite3_mutex_leave(mu);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		switch (kinds[i]) {
		case 0: rc = sqlite3_bind_null(st, i + 1); break;
		case 1: rc = sqlite3_bind_int64(st, i + 1, nums[i]); break;
		case 2: { double d; memcpy(&d, &nums[i], sizeof d); rc = sqlite3_bind_double(st, i + 1, d); break; }
		case 3: rc = sqlite3_bind_text(st, i + 1, buf + nums[i], lens[i], (void(*)(void*))0); break;
		default: rc = sqlite3_bind_blob(st, i + 1, buf + nums[i], lens[i], (void(*)(void*))0); break;
		}
	}
	if (rc == 0) {
		rc = sqlite3_step(st);
		if (rc == 101) rc = 0; // SQLITE_DONE
	}
	*changes = rc == 0 ? sqlite3_changes(db) : 0;
	if (rc != 0) {
		strncpy(msg, sqlite3_errmsg(db), msglen - 1);
		msg[msglen - 1] = 0;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_mutex_leave(mu);
	return rc;
}
*/
import "C"

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// rawConn runs the multi-row statements of bulk writes (InsertMany, ExecMany, ExecChunk,
// InsertChunk) on the SQLite handle of the writer's connection directly, inside the
// transaction database/sql began on it: values are bound in one cgo call without
// database/sql's conversion and copy of every argument (for the ingest's event rows 1.3 GB
// per 1M hits). A scratch store (OpenScratch) keeps one for its life, its statements
// prepared once: its pool holds its single connection until Close. A normal store's writer
// connection may be replaced by the pool, so each Write takes the handle of the connection
// its transaction holds (Tx.rawConn) and finalizes what it prepared before giving the
// connection back.
type rawConn struct {
	db    *C.sqlite3
	pin   *C.sqlite3_stmt // keeps db allocated until close (rawHandle)
	stmts map[string]*C.sqlite3_stmt
	packed
	msg [256]byte
}

// packed is a statement's arguments laid out for magpie_exec_packed.
type packed struct {
	kinds []byte
	nums  []int64
	lens  []int32
	buf   []byte
}

// rawHandle returns the SQLite handle of conn, or nil when the driver's connection does not
// expose one the way this build knows (the caller then keeps database/sql's path).
//
// The handle is pinned by a statement prepared while database/sql holds the connection's
// lock, and finalized only by close: database/sql closes the connection when a
// transaction's context ends (after rolling it back, on another goroutine), and SQLite keeps
// a closed handle with statements alive (a "zombie") instead of freeing it, so a bulk
// statement run after that finds no transaction open (magpie_exec_packed) rather than
// freed memory.
func rawHandle(conn *sql.Conn) *rawConn {
	var r *rawConn
	_ = conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return nil
		}
		f := reflect.ValueOf(c).Elem().FieldByName("db")
		if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
			return nil
		}
		h := (*C.sqlite3)(f.UnsafePointer())
		q := C.CString("SELECT 1")
		defer C.free(unsafe.Pointer(q))
		var pin *C.sqlite3_stmt
		if C.sqlite3_prepare_v3(h, q, -1, 0, &pin, nil) != 0 || pin == nil {
			return nil
		}
		r = &rawConn{db: h, pin: pin, stmts: map[string]*C.sqlite3_stmt{}}
		return nil
	})
	return r
}

// dbHandle is rawHandle of w's one connection (a scratch store's).
func dbHandle(ctx context.Context, w *sql.DB) *rawConn {
	conn, err := w.Conn(ctx)
	if err != nil {
		return nil
	}
	defer conn.Close()
	return rawHandle(conn)
}

// errUnpackable says a value has a type the packed path does not bind (the caller uses
// database/sql's path, which converts it).
var errUnpackable = errors.New("db: value not packable")

// errNoTx says a raw statement found no transaction open on its connection (database/sql
// rolled it back: its context ended); nothing ran.
var errNoTx = errors.New("db: the transaction is no longer open")

// exec runs q once with args and returns the rows it changed. keep says q will run again (a full chunk of a bulk insert): its statement is
// kept prepared; otherwise it is finalized after the run.
func (r *rawConn) exec(q string, args []any, keep bool) (int64, error) {
	if err := r.pack(args); err != nil {
		return 0, err
	}
	return r.run(q, &r.packed, keep)
}

// run runs q once with the arguments pk (see exec).
func (r *rawConn) run(q string, pk *packed, keep bool) (int64, error) {
	st, ok := r.stmts[q]
	if !ok {
		cq := C.CString(q)
		defer C.free(unsafe.Pointer(cq))
		flags := C.uint(0)
		if keep {
			flags = 1 // SQLITE_PREPARE_PERSISTENT
		}
		if rc := C.sqlite3_prepare_v3(r.db, cq, C.int(len(q)), flags, &st, nil); rc != 0 {
			return 0, fmt.Errorf("sqlite: prepare: %s (%d)", C.GoString(C.sqlite3_errmsg(r.db)), int(rc))
		}
		if st == nil {
			return 0, errors.New("sqlite: prepare: empty statement")
		}
		if keep {
			r.stmts[q] = st
		} else {
			defer C.sqlite3_finalize(st)
		}
	}
	n := len(pk.kinds)
	if want := int(C.sqlite3_bind_parameter_count(st)); want != n {
		return 0, fmt.Errorf("sqlite: %d values for %d parameters", n, want)
	}
	kinds, nums, lens, buf := pk.kinds, pk.nums, pk.lens, pk.buf
	if n == 0 {
		kinds, nums, lens = []byte{0}, []int64{0}, []int32{0}
	}
	if len(buf) == 0 {
		buf = []byte{0}
	}
	var changes C.int
	rc := C.magpie_exec_packed(st, C.int(n), (*C.uchar)(&kinds[0]), (*C.int64_t)(&nums[0]),
		(*C.int32_t)(&lens[0]), (*C.char)(unsafe.Pointer(&buf[0])), &changes, (*C.char)(unsafe.Pointer(&r.msg[0])), C.int(len(r.msg)))
	if rc == -1 {
		return 0, errNoTx
	}
	if rc != 0 {
		return 0, fmt.Errorf("sqlite: %s (%d)", C.GoString((*C.char)(unsafe.Pointer(&r.msg[0]))), int(rc))
	}
	return int64(changes), nil
}

// pack lays args out for magpie_exec_packed, replacing what r held. The slices are grown
// once for all of args and kept in locals until the end (a store of a slice header in the
// heap costs a write barrier while the GC marks: 4 per value).
func (r *packed) pack(args []any) error {
	kinds, nums, lens, buf := slices.Grow(r.kinds[:0], len(args)), slices.Grow(r.nums[:0], len(args)),
		slices.Grow(r.lens[:0], len(args)), r.buf[:0]
	for _, a := range args {
		var k byte
		var n int64
		var l int32
		switch v := a.(type) {
		case nil:
		case string:
			if len(v) > math.MaxInt32 {
				return errUnpackable
			}
			k, n, l = 3, int64(len(buf)), int32(len(v))
			buf = append(buf, v...)
		case *string: // a pointer boxes without an allocation (the tracker's hit rows)
			if len(*v) > math.MaxInt32 {
				return errUnpackable
			}
			k, n, l = 3, int64(len(buf)), int32(len(*v))
			buf = append(buf, *v...)
		case *int64:
			k, n = 1, *v
		case []byte:
			if v == nil {
				break
			}
			if len(v) > math.MaxInt32 {
				return errUnpackable
			}
			k, n, l = 4, int64(len(buf)), int32(len(v))
			buf = append(buf, v...)
		case int64:
			k, n = 1, v
		case int:
			k, n = 1, int64(v)
		case int32:
			k, n = 1, int64(v)
		case bool:
			k = 1
			if v {
				n = 1
			}
		case float64:
			k, n = 2, int64(math.Float64bits(v))
		default:
			return errUnpackable
		}
		kinds, nums, lens = append(kinds, k), append(nums, n), append(lens, l)
	}
	r.kinds, r.nums, r.lens, r.buf = kinds, nums, lens, buf
	return nil
}

// close finalizes the kept statements and the pin (the connection may close after).
func (r *rawConn) close() {
	for q, st := range r.stmts {
		C.sqlite3_finalize(st)
		delete(r.stmts, q)
	}
	C.sqlite3_finalize(r.pin)
	r.pin = nil
}
