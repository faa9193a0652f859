package tracking

import (
	"os"
	"time"
)

// The group commit. Requests append into s.buf; a committer takes whatever accumulated,
// writes it at the end of the segment and fdatasyncs it, then wakes every request of the
// group and takes the next group itself. Normally one fdatasync runs at a time (two always in
// flight were measured worse under the tracker's load: groups halved, CPU per hit rose —
// docs/BENCHMARKS.md § Tracking, "Store off the fsync path"). Two options shape the groups;
// both measured worse on this machine ("Group commit shapes…") and are off in the tracker:
//
//   - Linger: when no sync runs and a group starts smaller than the previous one, the
//     committer waits up to Linger (or until the group is as big as the previous one). In a
//     closed loop the answers of one group come back as new requests tens of µs apart;
//     without it the first of them starts an fdatasync alone.
//   - HedgeAfter: when the fdatasync in flight has run this long (a slow flush of the virtual
//     disk), a second committer writes the next group and starts its own (never more than 2).
//
// Ordering: one committer writes at a time (s.writing), in group order at increasing offsets,
// and an fdatasync makes durable everything written to the file before it was called (it
// waits for pages another fdatasync is still writing back, then flushes the device cache). So
// when the fdatasync started after group k's write returns, groups 1…k are durable, whatever
// the order in which the syncs finish: the durable end only moves forward, to the largest end
// whose sync returned, and every group up to it is answered.

// inflight is a written group waiting for its fdatasync.
type inflight struct {
	end Pos
	b   *batch
}

func (s *Spool) loop() {
	defer close(s.done)
	n := 1
	if s.opt.HedgeAfter > 0 {
		n = 2 // the second committer starts a group only while the first one's sync runs long
	}
	finished := make(chan struct{}, n)
	for range n {
		go func() { s.commitLoop(); finished <- struct{}{} }()
	}
	for range n {
		<-finished
	}
}

// commitLoop takes groups and makes them durable, one at a time: the goroutine that finished
// a group's fdatasync goes on with the next group at once (no hand-off to another goroutine).
// One committer writes at a time (s.writing): groups reach the file in order, and the write
// of a group ends before any later group's fdatasync starts.
func (s *Spool) commitLoop() {
	for {
		s.mu.Lock()
		if !s.waitGroup() {
			s.mu.Unlock()
			return
		}
		buf, b, nrec := s.buf, s.waiting, s.nrec
		s.buf, s.waiting, s.nrec = nil, nil, 0
		s.lastGroup, s.writing = nrec, true
		rotate := s.size >= s.opt.SegmentBytes
		for rotate && len(s.runs) > 0 {
			s.cond.Wait() // the old segment's syncs use its file
		}
		start := time.Now()
		gap := start.Sub(s.lastStart)
		s.lastStart = start
		s.mu.Unlock()

		// Only this committer writes (s.writing), so s.file, s.seg and s.size are its own
		// until it clears the flag.
		var err error
		if rotate {
			err = s.rotate()
		}
		if err == nil {
			_, err = s.file.WriteAt(buf, s.size)
		}
		t1 := time.Now()
		s.mu.Lock()
		s.writing = false
		if cap(buf) <= 4<<20 {
			s.spare = buf[:0] // copied into the page cache: reusable (a huge one goes to the GC)
		}
		if err == nil {
			s.size += int64(len(buf))
		}
		end := Pos{Seg: s.seg, Off: s.size}
		if err != nil || s.opt.NoSync {
			if err != nil {
				s.log.Error("tracking: spool write failed", "err", err)
				s.pending.Add(-int64(len(buf)))
			} else if s.durable.less(end) {
				s.durable = end
			}
			s.cond.Broadcast()
			s.mu.Unlock()
			b.err = err
			close(b.done)
			continue
		}
		s.flights = append(s.flights, inflight{end: end, b: b})
		s.runs = append(s.runs, t1)
		f := s.file
		s.mu.Unlock()
		err = syncData(f) // fdatasync: one per group, shared by every request in it
		diag.group(nrec, t1.Sub(start), time.Since(t1), gap)
		s.synced(t1, end, err)
	}
}

// waitGroup waits (s.mu held) until a group may start: records are waiting, no committer
// is writing, and no fdatasync runs — or one has run for HedgeAfter; a small group first
// lingers (see above). It reports false when the spool is closed with nothing left to write
// and no sync running.
func (s *Spool) waitGroup() bool {
	for {
		switch {
		case s.waiting == nil:
			if s.closed && len(s.runs) == 0 && !s.writing {
				return false
			}
		case s.writing:
		case len(s.runs) == 0:
			if s.closed || s.opt.Linger <= 0 || s.nrec >= s.lastGroup {
				return true
			}
			left := s.opt.Linger - time.Since(s.opened)
			if left <= 0 {
				return true
			}
			s.wakeIn(left)
			s.lingering = true
			s.cond.Wait()
			s.lingering = false
			continue
		case len(s.runs) == 1 && s.opt.HedgeAfter > 0:
			left := s.opt.HedgeAfter - time.Since(s.runs[0])
			if left <= 0 {
				return true
			}
			s.wakeIn(left)
		}
		s.cond.Wait()
	}
}

// wakeIn broadcasts on s.cond after d (at most one timer is armed at a time; s.mu held).
func (s *Spool) wakeIn(d time.Duration) {
	if s.timerArmed {
		return
	}
	s.timerArmed = true
	time.AfterFunc(d, func() {
		s.mu.Lock()
		s.timerArmed = false
		s.cond.Broadcast()
		s.mu.Unlock()
	})
}

// dropRun forgets the running sync that started at start (s.mu held).
func (s *Spool) dropRun(start time.Time) {
	for i, t := range s.runs {
		if t.Equal(start) {
			s.runs = append(s.runs[:i], s.runs[i+1:]...)
			return
		}
	}
}

// synced records that the fdatasync started after the write ending at end returned: on
// success every group up to end is durable and answered; on failure the groups up to end
// that are not yet durable are refused (their requests get an error; their bytes may still
// become durable with a later sync and be stored — at least once, never lost once answered).
func (s *Spool) synced(start time.Time, end Pos, err error) {
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
		n++
	}
	done := s.flights[:n:n]
	s.flights = s.flights[n:]
	s.dropRun(start)
	s.cond.Broadcast()
	s.mu.Unlock()
	for _, f := range done {
		close(f.b.done)
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

// envDuration is v, or when v is 0 the duration in the environment variable name if set (a
// benchmark knob: MAGPIE_SPOOL_LINGER=200us, MAGPIE_SPOOL_HEDGE=0 to compare settings with
// one binary).
func envDuration(name string, v time.Duration) time.Duration {
	if e := os.Getenv(name); e != "" && v == 0 {
		if d, err := time.ParseDuration(e); err == nil {
			return d
		}
	}
	return v
}
