package tracking

import (
	"context"
	"strings"
	"sync"

	"magpie/backend/db"
)

// checkpointer copies the WAL into the database file on another goroutine (the second
// core) while catch-up mode writes: the writer's automatic checkpoints are off, so a commit
// only appends its pages to the WAL and the copy, its reads and its fsync run beside the
// next batch instead of inside the commit. A PASSIVE checkpoint never blocks the writer.
//
// SQLite restarts the WAL from its beginning only when a write transaction *begins* with
// every frame already copied; the writer starts its next batch at once, so once the WAL
// holds more than the store's autocheckpoint limit the writer waits for the checkpoint of
// its last commit before beginning (waitIfLong): the WAL stays bounded and the writer waits
// for one batch's copy every few batches instead of a whole checkpoint in each.
type checkpointer struct {
	conn    *db.Checkpointer
	release func() // of db.BackgroundCheckpoints: the writer's automatic checkpoints back
	kick    chan struct{}
	done    chan struct{}

	mu       sync.Mutex
	cond     *sync.Cond
	want     int // commits asked for
	finished int // commits covered by a finished checkpoint
	frames   int // WAL frames at the last checkpoint
}

// startCheckpointer turns the writer's automatic checkpoints off (db.BackgroundCheckpoints,
// which also copies every 200 ms) and starts the goroutine that copies after each commit.
func (g *Ingester) startCheckpointer(ctx context.Context) error {
	conn, err := g.db().NewCheckpointer()
	if err != nil {
		return err
	}
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), done: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	c.release = g.db().BackgroundCheckpoints(ctx)
	g.ckpt = c
	go func() {
		defer close(c.done)
		n := 0
		for range c.kick {
			c.mu.Lock()
			upTo := c.want
			c.mu.Unlock()
			frames, _, err := c.conn.Run(context.Background())
			if err != nil && !strings.Contains(err.Error(), "locked") && g.Log != nil { // busy: the 200 ms one runs
				g.Log.Warn("tracking: catch-up checkpoint failed", "err", err)
			}
			c.mu.Lock()
			c.finished, c.frames = upTo, frames
			c.cond.Broadcast()
			c.mu.Unlock()
			// What SQLite freed back to the OS, every few batches (after the broadcast: a
			// writer waiting for the checkpoint does not wait for this): its statements,
			// sorters and buffers are allocated and freed on whichever threads run the
			// writer, the prefetch and this goroutine, and glibc kept ≈ 55 MB of them in its
			// arenas (1M-hit sessions bench: 288–310 → 227–238 MB peak RSS; docs/BENCHMARKS.md
			// § Desktop ingest, branch ev3).
			if n++; n%trimEvery == 0 {
				trimCHeap()
			}
		}
	}()
	return nil
}

// trimEvery is how many checkpoints the C heap is trimmed after: after every one the
// default stream's CPU looked higher (49.8 and 60.0 s against 42.6–50.4 s; not separable
// from the load), so a trim per 8 batches (238 MB sessions peak instead of 233 MB).
const trimEvery = 8

// kickCheckpoint asks for a checkpoint after a commit (one pending at most).
func (g *Ingester) kickCheckpoint() {
	c := g.ckpt
	if c == nil {
		return
	}
	c.mu.Lock()
	c.want++
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// waitIfLong waits, before the writer begins a batch, for the checkpoint of every commit
// so far when the WAL has grown past the autocheckpoint limit (see checkpointer).
func (g *Ingester) waitIfLong() {
	c := g.ckpt
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frames < walWaitFrames {
		return
	}
	for c.finished < c.want {
		c.cond.Wait()
	}
	c.frames = 0 // the next write restarts the WAL
}

// stopKicks waits for the goroutine that checkpoints after each commit and returns what
// gives the writer its automatic checkpoints back (db.BackgroundCheckpoints' release): until
// it is called, the store's background checkpointer still copies committed pages every
// 200 ms on another goroutine.
func (g *Ingester) stopKicks() (release func()) {
	c := g.ckpt
	if c == nil {
		return func() {}
	}
	close(c.kick)
	<-c.done
	c.conn.Close()
	g.ckpt = nil
	return c.release
}

// walWaitFrames is the WAL length (pages) from which the writer waits for a complete copy
// before its next batch: the store's automatic checkpoint threshold.
const walWaitFrames = 20000
