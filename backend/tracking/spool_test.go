package tracking

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func readAll(t testing.TB, sp *Spool) []Record {
	t.Helper()
	var out []Record
	for {
		recs, err := sp.readAvailable(1000)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if len(recs) == 0 {
			return out
		}
		out = append(out, recs...)
	}
}

func TestSpoolAppendReadCommit(t *testing.T) {
	for _, pre := range []bool{false, true} {
		t.Run(fmt.Sprintf("preallocate=%v", pre), func(t *testing.T) { testSpoolAppendReadCommit(t, pre) })
	}
}

func testSpoolAppendReadCommit(t *testing.T, pre bool) {
	dir := t.TempDir()
	sp, err := OpenSpool(dir, SpoolOptions{SegmentBytes: 200, Preallocate: pre})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := sp.Append(fmt.Appendf(nil, "rec-%02d", i)); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	recs := readAll(t, sp)
	if len(recs) != 50 {
		t.Fatalf("read %d records, want 50", len(recs))
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[string(r.Data)] = true
	}
	if len(seen) != 50 {
		t.Fatalf("%d distinct records, want 50", len(seen))
	}
	// Commit the first 20, reopen: the other 30 are read again.
	if err := sp.Commit(recs[19].End); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	sp, err = OpenSpool(dir, SpoolOptions{SegmentBytes: 200, Preallocate: pre})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	again := readAll(t, sp)
	if len(again) != 30 {
		t.Fatalf("after reopen read %d records, want 30", len(again))
	}
	for i, r := range again {
		if string(r.Data) != string(recs[20+i].Data) {
			t.Fatalf("record %d = %q, want %q", i, r.Data, recs[20+i].Data)
		}
	}
	if sp.Pending() <= 0 {
		t.Fatalf("pending = %d, want > 0", sp.Pending())
	}
	if err := sp.Commit(again[len(again)-1].End); err != nil {
		t.Fatal(err)
	}
	if sp.Pending() != 0 {
		t.Fatalf("pending after full commit = %d, want 0", sp.Pending())
	}
	segs, _ := sp.segments()
	if len(segs) > 2 {
		t.Fatalf("segments left after commit: %v, want the last read one and the live one", segs)
	}
}

func TestSpoolTornTailAndCorruption(t *testing.T) {
	tests := []struct {
		name   string
		damage func(path string)
		want   int
	}{
		{"torn header", func(p string) { appendBytes(p, []byte{5, 0}) }, 3},
		{"torn payload", func(p string) { appendBytes(p, []byte{10, 0, 0, 0, 1, 2, 3, 4, 'a'}) }, 3},
		{"flipped byte in last record", func(p string) { flipLast(p) }, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sp, err := OpenSpool(dir, SpoolOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				if err := sp.Append([]byte(fmt.Sprintf("record-%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			sp.Close()
			segs, _ := filepath.Glob(filepath.Join(dir, "*.spool"))
			tc.damage(segs[0])
			sp, err = OpenSpool(dir, SpoolOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			if got := len(readAll(t, sp)); got != tc.want {
				t.Fatalf("recovered %d records, want %d", got, tc.want)
			}
			// New appends still work after recovery.
			if err := sp.Append([]byte("after")); err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, sp); len(got) != 1 || string(got[0].Data) != "after" {
				t.Fatalf("after recovery read %v", got)
			}
		})
	}
}

func appendBytes(p string, b []byte) {
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(b)
	f.Close()
}

func flipLast(p string) {
	b, _ := os.ReadFile(p)
	b[len(b)-1] ^= 0xff
	os.WriteFile(p, b, 0o600)
}

func TestSpoolLockedAgainstSecondTracker(t *testing.T) {
	dir := t.TempDir()
	sp, err := OpenSpool(dir, SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSpool(dir, SpoolOptions{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open of a spool in use: %v", err)
	}
	sp.Close()
	sp, err = OpenSpool(dir, SpoolOptions{})
	if err != nil {
		t.Fatalf("reopen after close: %v", err)
	}
	sp.Close()
}

func TestSpoolBound(t *testing.T) {
	sp, err := OpenSpool(t.TempDir(), SpoolOptions{MaxBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var full int
	for i := 0; i < 10; i++ {
		if err := sp.Append([]byte("0123456789abcdef")); err == ErrSpoolFull {
			full++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if full == 0 {
		t.Fatal("a 100-byte spool accepted 10 records of 24 bytes")
	}
	recs := readAll(t, sp)
	sp.Commit(recs[len(recs)-1].End)
	if err := sp.Append([]byte("fits again")); err != nil {
		t.Fatalf("after commit: %v", err)
	}
}

// TestSpoolKill appends from a child process that is SIGKILLed mid-run: every record the
// child acknowledged (printed after Append returned) must be in the spool afterwards.
func TestSpoolKill(t *testing.T) {
	if os.Getenv("MAGPIE_SPOOL_CHILD") != "" {
		spoolChild(os.Getenv("MAGPIE_SPOOL_CHILD"))
		return
	}
	if testing.Short() {
		t.Skip("kill test")
	}
	dir := t.TempDir()
	for round := 0; round < 4; round++ {
		// Rounds 1 and 3 preallocate their segments (zero tails left by the kill); 2 and 3
		// hedge nearly every group commit (two fdatasyncs in flight).
		cmd := exec.Command(os.Args[0], "-test.run=^TestSpoolKill$")
		cmd.Env = append(os.Environ(), "MAGPIE_SPOOL_CHILD="+dir, fmt.Sprintf("MAGPIE_SPOOL_ROUND=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[string]bool{}
		sc := bufio.NewScanner(out)
		deadline := time.Now().Add(10 * time.Second)
		for sc.Scan() {
			acked[sc.Text()] = true
			if len(acked) >= 300+round*100 || time.Now().After(deadline) {
				break
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		for sc.Scan() { // acks already written before the kill
			acked[sc.Text()] = true
		}
		cmd.Wait()
		if len(acked) < 100 {
			t.Fatalf("round %d: child acknowledged only %d records", round, len(acked))
		}
		sp, err := OpenSpool(dir, SpoolOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, r := range readAll(t, sp) {
			found[string(r.Data)] = true
		}
		sp.Close()
		for id := range acked {
			if !found[id] {
				t.Fatalf("round %d: acknowledged record %s lost after kill -9 (%d acked, %d found)", round, id, len(acked), len(found))
			}
		}
	}
}

func spoolChild(dir string) {
	round := os.Getenv("MAGPIE_SPOOL_ROUND")
	sp, err := OpenSpool(dir, SpoolOptions{SegmentBytes: 4096, Preallocate: round == "1" || round == "3"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				id := fmt.Sprintf("r%s-g%d-%06d-%s", round, g, i, strings.Repeat("x", i%40))
				if err := sp.Append([]byte(id)); err != nil {
					return
				}
				mu.Lock()
				fmt.Println(id)
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
}
