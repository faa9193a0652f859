package db

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"time"
)

// autoCheckpointPages is the writer's automatic checkpoint threshold (set when the store
// opens, db.go check); BackgroundCheckpoints puts it back when the last holder releases.
const autoCheckpointPages = 20000

// checkpointEvery is how often the background checkpointer copies the WAL back.
const checkpointEvery = 200 * time.Millisecond

type checkpointer struct {
	mu   sync.Mutex
	n    int
	stop chan struct{}
	done chan struct{}
}

// BackgroundCheckpoints moves the WAL checkpoints of a long write burst (a campaign run
// working through a backlog) off the writer: while held, the writer's automatic checkpoint
// is off and a goroutine with its own connection runs PRAGMA wal_checkpoint(PASSIVE) every
// 200 ms — it copies committed pages back into the database file and fsyncs it, on another
// core, without waiting for or blocking the writer or the readers; once the WAL passes the
// automatic threshold (20,000 pages) a RESTART checkpoint makes the writer start it again
// from its beginning (the writer waits for that short last copy only), so the WAL stays
// bounded as with automatic checkpoints.
// release runs a last passive checkpoint and turns the writer's automatic checkpoint back
// on; calls nest (the last release does it) and release is idempotent. Call it between
// write transactions, not inside one.
func (d *DB) BackgroundCheckpoints(ctx context.Context) (release func()) {
	if d.W == nil {
		return func() {}
	}
	cp := &d.ckpt
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.n++
	if cp.n == 1 {
		conn, err := sql.Open(DriverName, dsn(d.Path, false))
		if err != nil {
			cp.n--
			return func() {}
		}
		conn.SetMaxOpenConns(1)
		// A RESTART waits at most 2 s for the writer's transaction in flight and for readers
		// (then it proceeds as a passive one and the next tick tries again).
		if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 2000"); err != nil {
			conn.Close()
			cp.n--
			return func() {}
		}
		if _, err := d.W.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
			conn.Close()
			cp.n--
			return func() {}
		}
		cp.stop, cp.done = make(chan struct{}), make(chan struct{})
		go runCheckpoints(conn, cp.stop, cp.done)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			cp.mu.Lock()
			defer cp.mu.Unlock()
			cp.n--
			if cp.n > 0 {
				return
			}
			close(cp.stop)
			<-cp.done
			_, _ = d.W.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint = "+strconv.Itoa(autoCheckpointPages))
		})
	}
}

func runCheckpoints(conn *sql.DB, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer conn.Close()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	checkpoint := func() {
		var busy, log, copied int
		if err := conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied); err != nil {
			return
		}
		// The writer starts its next transaction right after each commit, never at a moment
		// when every frame is copied back, so it would never restart the WAL: past the
		// automatic threshold, a RESTART checkpoint waits for the transaction in flight,
		// copies the last frames (the passive ones copied the rest) and makes the next
		// transaction start the WAL from its beginning. The writer waits only for that.
		if log > autoCheckpointPages {
			_ = conn.QueryRow("PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &log, &copied)
		}
	}
	for {
		select {
		case <-stop:
			checkpoint()
			return
		case <-t.C:
			checkpoint()
		}
	}
}
