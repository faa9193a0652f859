package tracking

import (
	"time"
)

// loop is the group commit: it writes whatever accumulated while the previous fdatasync ran,
// fdatasyncs it, then wakes every request of that group. (Two fdatasyncs in flight were
// measured under the tracker's load — docs/BENCHMARKS.md § Tracking, "Store off the fsync
// path": groups halved, CPU per hit rose, req/s fell — so there is one.)
func (s *Spool) loop() {
	defer close(s.done)
	last := time.Now()
	for {
		s.mu.Lock()
		for s.waiting == nil && !s.closed {
			s.cond.Wait()
		}
		if s.waiting == nil && s.closed {
			s.mu.Unlock()
			return
		}
		buf, b, nrec := s.buf, s.waiting, s.nrec
		s.buf, s.waiting, s.nrec = nil, nil, 0
		rotate := s.size >= s.opt.SegmentBytes
		s.mu.Unlock()

		var err error
		t0 := time.Now()
		if rotate {
			err = s.rotate()
		}
		if err == nil {
			_, err = s.file.WriteAt(buf, s.size)
		}
		t1 := time.Now()
		if err == nil && !s.opt.NoSync {
			err = syncData(s.file) // fdatasync: one per group, shared by every request in it
			diag.group(nrec, t1.Sub(t0), time.Since(t1), t0.Sub(last))
		}
		last = t1
		s.mu.Lock()
		if err == nil {
			s.size += int64(len(buf))
			s.durable = Pos{Seg: s.seg, Off: s.size}
		} else {
			s.log.Error("tracking: spool write failed", "err", err)
			s.pending.Add(-int64(len(buf)))
		}
		if cap(buf) <= 4<<20 {
			s.spare = buf[:0] // written out: reusable (a huge one goes to the GC)
		}
		s.cond.Broadcast()
		s.mu.Unlock()
		b.err = err
		close(b.done)
	}
}

func (s *Spool) rotate() error {
	if err := s.file.Sync(); err != nil {
		return err
	}
	return s.openSegment(s.seg + 1)
}
