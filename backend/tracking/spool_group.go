package tracking

import "time"

// The group commit. Requests append into s.buf; one committer takes whatever accumulated,
// writes it at the end of the segment and fdatasyncs it, then wakes every request of the
// group and takes the next group itself (no hand-off to another goroutine). One fdatasync
// runs at a time: two in flight were measured worse under the tracker's load (groups halved,
// CPU per hit rose — docs/BENCHMARKS.md § Tracking, "Store off the fsync path"), and so were
// a committer that lingers for a small group to grow and a second committer hedging a slow
// fdatasync ("Group commit shapes and the spool's write amplification").
func (s *Spool) loop() {
	defer close(s.done)
	for {
		s.mu.Lock()
		for s.waiting == nil && !s.closed {
			s.cond.Wait()
		}
		if s.waiting == nil { // closed with nothing left to write
			s.mu.Unlock()
			return
		}
		buf, b, nrec := s.buf, s.waiting, s.nrec
		s.buf, s.waiting, s.nrec = nil, nil, 0
		start := time.Now()
		gap := start.Sub(s.lastStart)
		s.lastStart = start
		s.mu.Unlock()

		// Only the committer touches s.file, s.seg and s.size after the spool opened.
		var err error
		if s.size >= s.opt.SegmentBytes {
			err = s.rotate()
		}
		if err == nil {
			_, err = s.file.WriteAt(buf, s.size)
		}
		t1 := time.Now()
		written := err == nil
		if written {
			s.size += int64(len(buf))
			if !s.opt.NoSync {
				err = syncData(s.file) // fdatasync: one per group, shared by every request in it
			}
		}
		diag.group(nrec, t1.Sub(start), time.Since(t1), gap)

		s.mu.Lock()
		if cap(buf) <= 4<<20 { // copied into the page cache: reusable (a huge one goes to the GC)
			switch {
			case s.spare == nil:
				s.spare = buf[:0]
			case s.buf == nil:
				// No request arrived during the write (closed-loop clients all waited in this
				// group): this buffer takes the next group and the spare stays, rather than one
				// of the two going to the GC and the next group regrowing a buffer from nothing.
				s.buf = buf[:0]
			}
		}
		switch {
		case err == nil:
			s.durable = Pos{Seg: s.seg, Off: s.size}
		case written:
			// The group is refused (its requests get the error), but its bytes are in the
			// file: a later fdatasync makes them durable and they are stored — at least once,
			// never lost once answered.
			s.log.Error("tracking: spool sync failed", "err", err)
		default:
			s.log.Error("tracking: spool write failed", "err", err)
			s.pending.Add(-int64(len(buf)))
		}
		s.cond.Broadcast()
		s.mu.Unlock()
		b.err = err
		close(b.done)
	}
}

func (s *Spool) rotate() error {
	start := time.Now()
	defer func() { diag.event("rotate", time.Since(start)) }()
	if err := s.file.Sync(); err != nil {
		return err
	}
	return s.openSegment(s.seg + 1)
}
