package tracking

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The spool is the tracker's durable buffer: a hit is appended (and fsynced, in a group commit
// shared by every request that arrived meanwhile) before the browser gets its answer, and the
// pump later moves it to the store in batches. The spool is a directory of segment files
//
//	<seq>.spool   records: uint32 length | uint32 CRC-32C | payload
//	checkpoint    "<seq> <offset>": everything before it is stored
//
// On open, a torn tail (a crash mid-write) is cut at the last whole record, and reading resumes
// at the checkpoint: records stored but not yet checkpointed are sent again, which is harmless
// because hit ids are idempotency keys.

// Spool errors.
var (
	ErrSpoolFull   = errors.New("tracking: spool is full (the store is not keeping up or is unreachable)")
	ErrSpoolClosed = errors.New("tracking: spool is closed")
	errRecordSize  = errors.New("tracking: record too large")
)

const (
	recHeader     = 8
	maxRecord     = 1 << 20
	checkpointNam = "checkpoint"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Pos is a place in the spool.
type Pos struct {
	Seg int64
	Off int64
}

func (p Pos) less(q Pos) bool { return p.Seg < q.Seg || (p.Seg == q.Seg && p.Off < q.Off) }

// SpoolOptions tune a spool.
type SpoolOptions struct {
	SegmentBytes int64 // rotate after this size (default 32 MiB)
	MaxBytes     int64 // refuse new records beyond this many unstored bytes (default 1 GiB)
	NoSync       bool  // skip fsync (benchmarks of the non-durable path only)
	// Preallocate zero-fills each segment file in the background before it is used, so the
	// per-batch fsync only flushes data (no file-size change to journal): ~2–4× shorter
	// fsyncs on ext4 here (spool_prealloc.go). The tracker turns it on.
	Preallocate bool
	Log         *slog.Logger
}

// Spool is a durable append-only queue with one writer loop and one reader.
type Spool struct {
	dir string
	opt SpoolOptions
	log *slog.Logger

	mu      sync.Mutex
	cond    *sync.Cond // signalled when a batch becomes durable
	buf     []byte
	spare   []byte // the previous group's buffer, reused by the next one
	waiting *batch
	nrec    int // records in buf
	closed  bool

	lastStart time.Time // when the previous group was taken (statistics)
	seg       int64     // segment being written (committer-owned, like file and size)
	file      *os.File
	size      int64 // bytes written to the current segment
	durable   Pos   // end of the last fdatasynced record

	pending   atomic.Int64 // bytes appended but not yet checkpointed
	warned    atomic.Bool
	readPos   Pos // next record to read (reader-owned)
	rfile     *os.File
	rsrc      *segReader
	rbuf      *bufio.Reader
	rfileSeg  int64
	committed Pos
	cpWritten time.Time // when the checkpoint file was last written (reader-owned, like committed)
	cpDirty   bool      // committed is ahead of the checkpoint file
	done      chan struct{}
	unlock    func()
	prep      chan prepared // the next segment being zero-filled (Preallocate), or nil
}

type batch struct {
	done chan struct{}
	err  error
}

// OpenSpool opens (creating) the spool in dir and recovers it.
func OpenSpool(dir string, opt SpoolOptions) (*Spool, error) {
	if opt.SegmentBytes <= 0 {
		opt.SegmentBytes = 32 << 20
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 1 << 30
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tracking: spool dir %s: %w", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			unlock()
		}
	}()
	s := &Spool{dir: dir, opt: opt, log: opt.Log, done: make(chan struct{}), rfileSeg: -1, unlock: unlock}
	s.cond = sync.NewCond(&s.mu)
	s.removePrepared()
	segs, err := s.segments()
	if err != nil {
		return nil, err
	}
	cp, err := s.readCheckpoint()
	if err != nil {
		return nil, err
	}
	// Cut torn tails and count what is still to be stored.
	var pending int64
	for _, seg := range segs {
		end, err := s.validEnd(seg)
		if err != nil {
			return nil, err
		}
		if seg < cp.Seg {
			os.Remove(s.segPath(seg))
			continue
		}
		from := int64(0)
		if seg == cp.Seg {
			from = min(cp.Off, end)
		}
		pending += end - from
	}
	if cp.Seg == 0 && len(segs) > 0 {
		cp = Pos{Seg: segs[0]}
	}
	s.readPos, s.committed = cp, cp
	s.pending.Store(pending)
	next := int64(1)
	if len(segs) > 0 {
		next = segs[len(segs)-1] + 1
	}
	if next <= cp.Seg {
		next = cp.Seg + 1
	}
	if opt.Preallocate {
		// The first segment is zero-filled now rather than grown by appending: otherwise
		// every group commit of the first SegmentBytes pays a file-size change (an ext4
		// journal commit inside each fdatasync) — half of a 10 s load run.
		s.prepareNow(next)
	}
	if err := s.openSegment(next); err != nil {
		return nil, err
	}
	s.durable = Pos{Seg: next}
	if s.readPos.Seg == 0 {
		s.readPos = Pos{Seg: next}
		s.committed = s.readPos
	}
	go s.loop()
	ok = true
	return s, nil
}

func (s *Spool) segPath(seg int64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%016d.spool", seg))
}

func (s *Spool) segments() ([]int64, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range ents {
		n, ok := strings.CutSuffix(e.Name(), ".spool")
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(n, 10, 64)
		if err == nil && v > 0 {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func (s *Spool) readCheckpoint() (Pos, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, checkpointNam))
	if errors.Is(err, os.ErrNotExist) {
		return Pos{}, nil
	}
	if err != nil {
		return Pos{}, err
	}
	var p Pos
	if _, err := fmt.Sscanf(string(b), "%d %d", &p.Seg, &p.Off); err != nil {
		s.log.Warn("tracking: unreadable spool checkpoint; replaying the whole spool", "err", err)
		return Pos{}, nil
	}
	return p, nil
}

// validEnd scans a segment and truncates it after its last whole record.
func (s *Spool) validEnd(seg int64) (int64, error) {
	f, err := os.OpenFile(s.segPath(seg), os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	var off int64
	for {
		n, _, err := readRecord(r)
		if err != nil {
			break
		}
		off += int64(n)
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if fi.Size() != off {
		if !zeroFrom(f, off) { // a zero tail is what preallocation leaves, not damage
			s.log.Warn("tracking: spool segment had a torn tail; cut", "segment", seg, "kept", off, "dropped", fi.Size()-off)
		}
		if err := f.Truncate(off); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
	}
	return off, nil
}

// readRecord reads one record; it returns the bytes consumed and the payload.
func readRecord(r *bufio.Reader) (int, []byte, error) {
	var h [recHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.LittleEndian.Uint32(h[:4])
	if n == 0 || n > maxRecord {
		return 0, nil, errRecordSize
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	if crc32.Checksum(p, castagnoli) != binary.LittleEndian.Uint32(h[4:]) {
		return 0, nil, errors.New("tracking: spool record checksum mismatch")
	}
	return recHeader + int(n), p, nil
}

func (s *Spool) openSegment(seg int64) error {
	path := s.segPath(seg)
	if s.opt.Preallocate {
		s.usePrepared(seg, path)
	}
	// Written at explicit offsets (WriteAt), so a preallocated file keeps its size.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("tracking: spool segment: %w", err)
	}
	if s.file != nil {
		s.file.Close()
	}
	s.file, s.seg, s.size = f, seg, 0
	if !s.opt.NoSync {
		syncDir(s.dir)
	}
	if s.opt.Preallocate && s.prep == nil {
		s.startPrepare(seg + 1)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Append adds a record and returns once it is on disk (fsynced).
func (s *Spool) Append(rec []byte) error {
	if len(rec) == 0 || len(rec) > maxRecord {
		return errRecordSize
	}
	if p := s.pending.Load(); p+int64(len(rec)) > s.opt.MaxBytes {
		return ErrSpoolFull
	} else if p > s.opt.MaxBytes/10*8 && s.warned.CompareAndSwap(false, true) {
		s.log.Warn("tracking: spool above 80% of its bound; hits will be refused when full",
			"pending_bytes", p, "max_bytes", s.opt.MaxBytes)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrSpoolClosed
	}
	var h [recHeader]byte
	binary.LittleEndian.PutUint32(h[:4], uint32(len(rec)))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(rec, castagnoli))
	if s.buf == nil {
		s.buf, s.spare = s.spare, nil
	}
	s.buf = append(s.buf, h[:]...)
	s.buf = append(s.buf, rec...)
	s.nrec++
	b := s.waiting
	if b == nil {
		b = &batch{done: make(chan struct{})}
		s.waiting = b
		s.cond.Broadcast()
	}
	s.mu.Unlock()
	s.pending.Add(int64(len(rec) + recHeader))
	<-b.done
	return b.err
}

// Pending is the number of bytes accepted but not yet checkpointed as stored.
func (s *Spool) Pending() int64 { return s.pending.Load() }

// Record is one spooled payload and the position just after it.
type Record struct {
	Data []byte
	End  Pos
}

// Read returns up to max durable records after the reader's position, waiting until at least
// one exists or stop is closed (then it returns what it has, possibly nothing).
func (s *Spool) Read(max int, stop <-chan struct{}) ([]Record, error) {
	for {
		recs, err := s.readAvailable(max)
		if err != nil || len(recs) > 0 {
			return recs, err
		}
		s.mu.Lock()
		for !s.readPos.less(s.durable) && !s.closed && s.readPos.Seg == s.durable.Seg {
			select {
			case <-stop:
				s.mu.Unlock()
				return nil, nil
			default:
			}
			waitWithStop(s.cond, stop)
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return s.readAvailable(max)
		}
	}
}

// waitWithStop waits on c (locked) but also wakes when stop closes.
func waitWithStop(c *sync.Cond, stop <-chan struct{}) {
	if stop == nil {
		c.Wait()
		return
	}
	fin := make(chan struct{})
	go func() {
		select {
		case <-stop:
			c.L.Lock()
			c.Broadcast()
			c.L.Unlock()
		case <-fin:
		}
	}()
	c.Wait()
	close(fin)
}

func (s *Spool) readAvailable(max int) ([]Record, error) {
	s.mu.Lock()
	dur := s.durable
	s.mu.Unlock()
	var out []Record
	for len(out) < max {
		if !s.readPos.less(dur) {
			return out, nil
		}
		if s.rfileSeg != s.readPos.Seg {
			if s.rfile != nil {
				s.rfile.Close()
				s.rfile = nil
			}
			f, err := os.Open(s.segPath(s.readPos.Seg))
			if errors.Is(err, os.ErrNotExist) && s.readPos.Seg < dur.Seg {
				s.readPos = Pos{Seg: s.readPos.Seg + 1}
				continue
			}
			if err != nil {
				return out, err
			}
			s.rfile, s.rfileSeg = f, s.readPos.Seg
			s.rsrc = &segReader{f: f, off: s.readPos.Off}
			s.rbuf = bufio.NewReaderSize(s.rsrc, 1<<16)
		}
		// Never read (nor buffer) past the durable end of the segment being written: beyond
		// it lie records in flight or preallocated zeros.
		s.rsrc.end = math.MaxInt64
		if s.readPos.Seg == dur.Seg {
			s.rsrc.end = dur.Off
		}
		if s.readPos.Seg == dur.Seg && s.readPos.Off >= dur.Off {
			return out, nil
		}
		n, p, err := readRecord(s.rbuf)
		if err != nil {
			if s.readPos.Seg < dur.Seg {
				// A sealed segment ends here (EOF, or damage past the recovered tail).
				if !errors.Is(err, io.EOF) {
					s.log.Error("tracking: damaged spool segment skipped past this point", "segment", s.readPos.Seg, "offset", s.readPos.Off, "err", err)
				}
				s.readPos = Pos{Seg: s.readPos.Seg + 1}
				continue
			}
			return out, fmt.Errorf("tracking: spool read at %d/%d: %w", s.readPos.Seg, s.readPos.Off, err)
		}
		s.readPos.Off += int64(n)
		out = append(out, Record{Data: p, End: s.readPos})
	}
	return out, nil
}

// checkpointEvery bounds how often Commit rewrites the checkpoint file within one segment
// (a write and a rename per stored batch were a visible share of the pump's cost). After a
// crash at most this much of stored hits is sent again, which the stores ignore (hit ids
// are idempotency keys). Moving to another segment always writes it, before the finished
// segments are deleted, and Close writes the last one.
const checkpointEvery = 250 * time.Millisecond

// Commit records that everything before p is stored: the checkpoint moves and finished
// segments are deleted.
func (s *Spool) Commit(p Pos) error {
	if !s.committed.less(p) {
		return nil
	}
	if p.Seg != s.committed.Seg || time.Since(s.cpWritten) >= checkpointEvery {
		if err := s.writeCheckpoint(p); err != nil {
			return err
		}
	} else {
		s.cpDirty = true
	}
	var freed int64
	if p.Seg == s.committed.Seg {
		freed = p.Off - s.committed.Off
	} else {
		freed = s.segSizeFrom(s.committed) + p.Off
		for seg := s.committed.Seg; seg < p.Seg; seg++ {
			if seg != s.committed.Seg {
				freed += s.segSizeFrom(Pos{Seg: seg})
			}
			t := time.Now()
			os.Remove(s.segPath(seg))
			diag.event("remove", time.Since(t))
		}
	}
	s.committed = p
	if s.pending.Add(-freed) < s.opt.MaxBytes/2 {
		s.warned.Store(false)
	}
	return nil
}

func (s *Spool) writeCheckpoint(p Pos) error {
	tmp := filepath.Join(s.dir, checkpointNam+".tmp")
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", p.Seg, p.Off), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, checkpointNam)); err != nil {
		return err
	}
	s.cpWritten, s.cpDirty = time.Now(), false
	return nil
}

func (s *Spool) segSizeFrom(p Pos) int64 {
	fi, err := os.Stat(s.segPath(p.Seg))
	if err != nil {
		return 0
	}
	return max(fi.Size()-p.Off, 0)
}

// Close flushes what is waiting and closes the files.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
	<-s.done
	diag.print()
	s.dropPrepare()
	if s.cpDirty {
		if err := s.writeCheckpoint(s.committed); err != nil {
			s.log.Warn("tracking: spool checkpoint not written on close; stored hits will be sent again", "err", err)
		}
	}
	if s.rfile != nil {
		s.rfile.Close()
	}
	err := s.file.Close()
	s.unlock()
	return err
}
