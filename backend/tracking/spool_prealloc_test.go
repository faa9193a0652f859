package tracking

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestSpoolPreallocated: segments are zero-filled ahead of use; a reader that follows the
// writer closely never takes the zeros past the durable end for records, rotation keeps
// working, a reopen cuts the zero tail silently, and no preallocated file is left behind.
func TestSpoolPreallocated(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, nil))
	opt := SpoolOptions{SegmentBytes: 4096, Preallocate: true, Log: log}
	sp, err := OpenSpool(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	const n = 600
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < n; i += 6 {
				if err := sp.Append(fmt.Appendf(nil, "rec-%04d-%s", i, strings.Repeat("y", i%50))); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	// Read while the writers run: every record read must be one that was written.
	seen := map[string]bool{}
	var last Pos
	for len(seen) < n {
		recs, err := sp.Read(100, nil)
		if err != nil {
			t.Fatalf("read after %d records: %v", len(seen), err)
		}
		for _, r := range recs {
			if !strings.HasPrefix(string(r.Data), "rec-") {
				t.Fatalf("read a record that was never written: %q", r.Data)
			}
			seen[string(r.Data)] = true
			last = r.End
		}
	}
	wg.Wait()
	if last.Seg < 3 {
		t.Fatalf("600 records of ~50 bytes in 4 KiB segments ended in segment %d; want rotations", last.Seg)
	}
	// Segment files were preallocated: the one being written is 4 KiB before it is full.
	if fi, err := os.Stat(sp.segPath(sp.seg)); err != nil || fi.Size() < 4096 {
		t.Fatalf("live segment %d: size %v, err %v; want a preallocated 4096 bytes", sp.seg, fi.Size(), err)
	}
	if err := sp.Commit(last); err != nil {
		t.Fatal(err)
	}
	if sp.Pending() != 0 {
		t.Fatalf("pending after committing everything = %d, want 0", sp.Pending())
	}
	if err := sp.Append([]byte("tail")); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	if left, _ := filepath.Glob(filepath.Join(dir, "*.prealloc")); len(left) != 0 {
		t.Fatalf("preallocated files left after Close: %v", left)
	}
	sp, err = OpenSpool(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	got := readAll(t, sp)
	if len(got) != 1 || string(got[0].Data) != "tail" {
		t.Fatalf("after reopen read %d records (%v), want just \"tail\"", len(got), got)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if strings.Contains(logs.String(), "torn tail") {
		t.Fatalf("a preallocated zero tail was reported as damage:\n%s", logs.String())
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
