package seed

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"magpie/backend/db"
	"magpie/backend/events"
)

// evWriter writes the event log of a side-file seed (lifecycle and behaviour events, their
// aggregates) into a second scratch file, on its own goroutine and connection — so on the
// second core — while the contacts go into the first one; each batch's events follow its
// contacts. At the end it rebuilds the log's deferred indexes there (while the first file
// rebuilds the contacts' ones) and the log is copied into the first file, whose event
// tables are still empty: INSERT … SELECT * into an empty table with the same schema and
// indexes is SQLite's transfer optimisation, which copies the records and the built
// indexes in order instead of inserting them one by one.
type evWriter struct {
	d      *db.DB
	path   string
	in     chan seedBatch
	done   chan struct{}
	failed atomic.Bool
	err    error // set by run before done is closed
	close  sync.Once
}

// startEvWriter makes the second file (a copy of main, whose event tables are empty) and
// starts writing to it; adding is how many events will come.
func startEvWriter(ctx context.Context, main *db.DB, adding int64) (*evWriter, error) {
	path := main.Path + ".events"
	_ = os.Remove(path)
	if _, err := main.W.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("seed: event log file: %w", err)
	}
	ed, err := db.OpenScratch(path, main.Clock)
	if err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	restore, err := events.DeferIndexes(ctx, ed, adding)
	if err != nil {
		ed.Close()
		_ = os.Remove(path)
		return nil, err
	}
	w := &evWriter{d: ed, path: path, in: make(chan seedBatch, 1), done: make(chan struct{})}
	go w.run(ctx, restore)
	return w, nil
}

func (w *evWriter) run(ctx context.Context, restore func(context.Context) error) {
	defer close(w.done)
	var err error
	for b := range w.in {
		if err != nil {
			continue // drain: the writer of the contacts stops at its next batch
		}
		err = w.d.Write(ctx, func(tx *db.Tx) error {
			if err := events.AppendMany(tx, b.life); err != nil {
				return err
			}
			// Behaviour events by shape, so each statement binds only the columns its
			// events fill (events.AppendMany leaves out the ones no event of a call has).
			for _, evs := range b.extra {
				if err := events.AppendMany(tx, evs); err != nil {
					return err
				}
			}
			return writeAggs(tx, b.stats, b.urls)
		})
		if err != nil {
			w.failed.Store(true)
		}
	}
	if err == nil {
		err = restore(ctx)
	}
	if cerr := w.d.Close(); err == nil {
		err = cerr
	}
	w.err = err
}

// send hands the events of a batch whose contacts are written; false once the writer failed.
func (w *evWriter) send(b seedBatch) bool {
	if w.failed.Load() {
		return false
	}
	w.in <- b
	return true
}

// wait ends the input and waits for the writer; its error, if any.
func (w *evWriter) wait() error {
	w.close.Do(func() { close(w.in) })
	<-w.done
	return w.err
}

// finish waits for the writer and, when ok, copies the log into main; the second file is
// removed in every case.
func (w *evWriter) finish(ctx context.Context, main *db.DB, ok bool) (err error) {
	defer os.Remove(w.path)
	if werr := w.wait(); werr != nil || !ok {
		return werr
	}
	if _, err := main.W.ExecContext(ctx, "ATTACH DATABASE ? AS ev", w.path); err != nil {
		return fmt.Errorf("seed: attach the event log: %w", err)
	}
	defer func() {
		if _, derr := main.W.ExecContext(context.WithoutCancel(ctx), "DETACH DATABASE ev"); derr != nil && err == nil {
			err = derr
		}
	}()
	return main.Write(ctx, func(tx *db.Tx) error {
		for _, t := range []string{"events", "contact_stats", "contact_urls"} {
			if _, err := tx.Exec("INSERT INTO main." + t + " SELECT * FROM ev." + t); err != nil {
				return fmt.Errorf("seed: copy %s: %w", t, err)
			}
		}
		return nil
	})
}
