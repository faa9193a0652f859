package db

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// autoCheckpointBytes is the writer's automatic checkpoint threshold: 20,000 pages of
// 4 KiB (~80 MB of WAL). SQLite counts it in pages, so a store with bigger pages gets
// proportionally fewer (autoCheckpointPages), keeping the WAL's size and each checkpoint's
// copy the same whatever the page size. Set when the store opens (db.go check);
// BackgroundCheckpoints puts it back when the last holder releases.
const autoCheckpointBytes = 20000 * 4096

// autoCheckpointPages is autoCheckpointBytes in pages of the given size.
func autoCheckpointPages(pageSize int) int {
	if pageSize <= 0 {
		pageSize = 4096
	}
	return max(autoCheckpointBytes/pageSize, 1000)
}

// WALSizeLimit is the size in bytes the WAL file of a store of pageSize pages is cut back
// to when it restarts (PRAGMA journal_size_limit): twice the automatic checkpoint's
// threshold, so the usual cycle never truncates and regrows it.
func WALSizeLimit(pageSize int) int64 {
	return 2 * int64(autoCheckpointPages(pageSize)) * int64(max(pageSize, 4096))
}

// checkpointEvery is how often the background checkpointer copies the WAL back.
const checkpointEvery = 200 * time.Millisecond

type checkpointer struct {
	mu   sync.Mutex
	n    int
	stop chan struct{}
	done chan struct{}
	// frames is the WAL's length at the last background checkpoint (RestartWALIfBig).
	frames atomic.Int64
}

// BackgroundCheckpoints moves the WAL checkpoints of a long write burst (a campaign run
// working through a backlog) off the writer: while held, the writer's automatic checkpoint
// is off and a goroutine with its own connection runs PRAGMA wal_checkpoint(PASSIVE) every
// 200 ms — it copies committed pages back into the database file and fsyncs it, on another
// core, without waiting for or blocking the writer or the readers; the holder calls
// RestartWALIfBig between its transactions so the WAL stays bounded.
// release runs a last passive checkpoint and turns the writer's automatic checkpoint back
// on; calls nest (the last release does it) and release is idempotent. Call it between
// write transactions, not inside one.
func (d *DB) BackgroundCheckpoints(ctx context.Context) (release func()) {
	if d.W == nil || d.scratch {
		return func() {}
	}
	cp := &d.ckpt
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.n++
	if cp.n == 1 {
		conn, err := d.NewCheckpointer()
		if err != nil {
			cp.n--
			return func() {}
		}
		if _, err := d.W.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
			conn.Close()
			cp.n--
			return func() {}
		}
		cp.stop, cp.done = make(chan struct{}), make(chan struct{})
		go runCheckpoints(conn, &cp.frames, cp.stop, cp.done)
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
			_, _ = d.W.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint = "+strconv.Itoa(d.ckptPages))
		})
	}
}

// RestartWALIfBig is called by the holder of BackgroundCheckpoints between its write
// transactions: the writer starts its next transaction right after each commit, never at a
// moment when every frame is copied back, so it would never restart the WAL by itself. Past
// the automatic threshold (~80 MB of pages) a RESTART checkpoint on the idle writer copies the
// last frames (the passive ones copied the rest) and makes the next transaction start the
// WAL from its beginning, so the WAL stays bounded.
func (d *DB) RestartWALIfBig(ctx context.Context) {
	if d.W == nil || d.ckpt.frames.Load() <= int64(d.ckptPages) {
		return
	}
	var busy, log, copied int
	if err := d.W.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &log, &copied); err == nil && busy == 0 {
		d.ckpt.frames.Store(0)
	}
}

func runCheckpoints(conn *Checkpointer, frames *atomic.Int64, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer conn.Close()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	checkpoint := func() {
		if log, _, err := conn.Run(context.Background()); err == nil {
			frames.Store(int64(log))
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
