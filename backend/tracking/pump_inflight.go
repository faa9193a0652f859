package tracking

import (
	"context"
)

// runInFlight is Run with up to p.InFlight batches being stored at once. Batches are read in
// spool order and each is stored by its own goroutine (retrying until the store takes it);
// a committer waits for them in that same order and moves the spool checkpoint, so a crash
// re-sends at most the batches that were in flight (hit ids are idempotency keys). The
// store must accept concurrent StoreHits calls (the rqlite store does; the cluster
// serialises writes through its log).
func (p *Pump) runInFlight(parent context.Context) error {
	ctx, stop := context.WithCancel(parent) // stopped when the checkpoint cannot be written
	defer stop()
	type ticket struct {
		end  Pos
		done chan error
	}
	// The committer holds one ticket while it waits; the queue holds the others.
	order := make(chan *ticket, p.InFlight-1)
	committed := make(chan error, 1)
	go func() {
		var first error
		for t := range order {
			err := <-t.done
			if first != nil {
				continue // a batch before this one was not stored: the checkpoint stays
			}
			if err == nil {
				err = p.commitSynced(ctx, t.end)
			}
			if first = err; err != nil {
				stop()
			}
		}
		committed <- first
	}()
	for {
		recs, err := p.next(ctx)
		if err != nil || len(recs) == 0 {
			if err == nil && ctx.Err() == nil {
				continue
			}
			close(order)
			if cerr := <-committed; cerr != nil {
				return cerr
			}
			if err != nil {
				return err
			}
			return p.drain()
		}
		t := &ticket{end: recs[len(recs)-1].End, done: make(chan error, 1)}
		order <- t // blocks while InFlight batches are outstanding
		go func() { t.done <- p.put(ctx, recs) }()
	}
}
