package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Checkpointer is a connection of its own that only copies the WAL into the database file
// (`PRAGMA wal_checkpoint(PASSIVE)`) when its owner asks: BackgroundCheckpoints' timer, the
// tracker's catch-up ingest after each commit (it can then wait for a complete copy before
// its next transaction so that SQLite restarts the WAL), the tracker pump's store sync. A
// checkpoint writes no rows: the one write path is untouched, and a PASSIVE one never waits
// for, nor blocks, the writer. Close it when done.
type Checkpointer struct{ c *sql.DB }

// NewCheckpointer opens the connection (read-write, small page cache).
func (d *DB) NewCheckpointer() (*Checkpointer, error) {
	if d.W == nil {
		return nil, fmt.Errorf("db: checkpointer: the store is read-only")
	}
	c, err := sql.Open(DriverName, dsn(d.Path, false))
	if err != nil {
		return nil, err
	}
	c.SetMaxOpenConns(1)
	if _, err := c.Exec("PRAGMA cache_size = -1024"); err != nil {
		c.Close()
		return nil, err
	}
	return &Checkpointer{c: c}, nil
}

// Run checkpoints what is committed; it returns the WAL's frames and how many of them are
// now in the database file.
func (k *Checkpointer) Run(ctx context.Context) (frames, copied int, err error) {
	var busy int
	err = k.c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// Close closes the connection.
func (k *Checkpointer) Close() error { return k.c.Close() }
