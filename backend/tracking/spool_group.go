package tracking

import (
	"time"
)

// The group commit. Requests append into s.buf; once a sync slot is free the loop takes
// whatever accumulated, writes it at the end of the segment and starts an fdatasync for it.
// SyncParallel (default 1) fdatasyncs may be in flight at once. With 2, a group no longer
// waits for the previous group's whole flush — but measured under the tracker's load
// (docs/BENCHMARKS.md § Tracking, 64 connections, 3 alternating runs) groups halved (15 → 8
// records), CPU per hit rose (fdatasync costs ~80 µs of CPU) and req/s fell: 1 is the default.
//
// Ordering: groups are written in order at increasing offsets by this one goroutine, and an
// fdatasync makes durable everything written to the file before it was called (it waits for
// pages another fdatasync is still writing back, then flushes the device cache). So when the
// fdatasync started after group k's write returns, groups 1…k are durable, whatever the order
// in which the syncs finish: the durable end only moves forward, to the largest end whose
// sync returned, and every group up to it is answered.

// inflight is a written group waiting for its fdatasync.
type inflight struct {
	end Pos
	b   *batch
}

func (s *Spool) loop() {
	defer close(s.done)
	par := s.opt.SyncParallel
	if par <= 0 {
		par = 1
	}

	slots := make(chan struct{}, par)
	last := time.Now()
	for {
		// Take a group only once a sync slot is free: requests arriving meanwhile join it
		// (with SyncParallel 1 this is the classic group commit).
		slots <- struct{}{}
		s.mu.Lock()
		for s.waiting == nil && !s.closed {
			s.cond.Wait()
		}
		if s.waiting == nil && s.closed {
			s.mu.Unlock()
			s.syncs.Wait()
			return
		}
		buf, b, nrec := s.buf, s.waiting, s.nrec
		s.buf, s.waiting, s.nrec = nil, nil, 0
		rotate := s.size >= s.opt.SegmentBytes
		s.mu.Unlock()

		var err error
		t0 := time.Now()
		if rotate {
			s.syncs.Wait() // the old segment's syncs use its file
			err = s.rotate()
		}
		if err == nil {
			_, err = s.file.WriteAt(buf, s.size)
		}
		t1 := time.Now()
		s.mu.Lock()
		if cap(buf) <= 4<<20 {
			s.spare = buf[:0] // copied into the page cache: reusable (a huge one goes to the GC)
		}
		if err != nil {
			s.log.Error("tracking: spool write failed", "err", err)
			s.pending.Add(-int64(len(buf)))
			s.mu.Unlock()
			b.err = err
			close(b.done)
			<-slots
			continue
		}
		s.size += int64(len(buf))
		end := Pos{Seg: s.seg, Off: s.size}
		if s.opt.NoSync {
			s.durable = end
			s.cond.Broadcast()
			s.mu.Unlock()
			close(b.done)
			<-slots
			continue
		}
		s.flights = append(s.flights, inflight{end: end, b: b})
		s.mu.Unlock()
		s.syncs.Add(1)
		f, gap := s.file, t0.Sub(last)
		go func() {
			t := time.Now()
			err := syncData(f) // fdatasync: one per group, shared by every request in it
			diag.group(nrec, t1.Sub(t0), time.Since(t), gap)
			s.synced(end, err)
			<-slots
			s.syncs.Done()
		}()
		last = t1
	}
}

// synced records that the fdatasync started after the write ending at end returned: on
// success every group up to end is durable and answered; on failure the groups up to end
// that are not yet durable are refused (their requests get an error; their bytes may still
// become durable with a later sync and be stored — at least once, never lost once answered).
func (s *Spool) synced(end Pos, err error) {
	s.mu.Lock()
	if err == nil {
		if s.durable.less(end) {
			s.durable = end
		}
	} else {
		s.log.Error("tracking: spool sync failed", "err", err)
	}
	n := 0
	for _, f := range s.flights {
		if end.less(f.end) {
			break
		}
		if err != nil {
			f.b.err = err
		}
		close(f.b.done)
		n++
	}
	s.flights = s.flights[n:]
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *Spool) rotate() error {
	if err := s.file.Sync(); err != nil {
		return err
	}
	return s.openSegment(s.seg + 1)
}
