package tracking

import (
	"context"
	"fmt"

	"magpie/backend/db"
)

// checkpointer copies the WAL into the database file on another goroutine (the second
// core) while catch-up mode writes: the writer's automatic checkpoints are off, so a commit
// only appends its pages to the WAL and the copy, its reads and its fsync run beside the
// next batch instead of inside the commit. A PASSIVE checkpoint never blocks the writer;
// the WAL restarts from its beginning at the first write after a complete checkpoint.
type checkpointer struct {
	conn *db.Checkpointer
	kick chan struct{}
	done chan struct{}
	auto int // the writer's wal_autocheckpoint before catch-up
}

// startCheckpointer turns the writer's automatic checkpoints off and starts the goroutine.
func (g *Ingester) startCheckpointer(ctx context.Context) error {
	w := g.db().W
	conn, err := g.db().NewCheckpointer()
	if err != nil {
		return err
	}
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), done: make(chan struct{})}
	if err := w.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&c.auto); err != nil {
		conn.Close()
		return err
	}
	if _, err := w.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		conn.Close()
		return err
	}
	g.ckpt = c
	go func() {
		defer close(c.done)
		for range c.kick {
			if _, _, err := c.conn.Run(context.Background()); err != nil && g.Log != nil {
				g.Log.Warn("tracking: catch-up checkpoint failed", "err", err)
			}
		}
	}()
	return nil
}

// kickCheckpoint asks for a checkpoint after a commit (one pending at most).
func (g *Ingester) kickCheckpoint() {
	if c := g.ckpt; c != nil {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// stopCheckpointer waits for the goroutine and gives the writer its automatic checkpoints back.
func (g *Ingester) stopCheckpointer(ctx context.Context) error {
	c := g.ckpt
	if c == nil {
		return nil
	}
	close(c.kick)
	<-c.done
	c.conn.Close()
	g.ckpt = nil
	if _, err := g.db().W.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", c.auto)); err != nil {
		return err
	}
	return nil
}
