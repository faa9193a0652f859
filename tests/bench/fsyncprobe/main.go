// Command fsyncprobe measures what the tracker's spool pays per group commit on this disk: a
// 400-byte write at the end of the data in a preallocated (zero-filled) file followed by
// fdatasync, N times in a row, printing p50/p90/p99/max. Run it next to the form-post load
// figures (tests/bench/web.sh) to tell the disk's flush latency from the tracker's own.
// Usage: go run ./tests/bench/fsyncprobe [-dir DIR] [-n 3000]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "directory on the disk to probe")
	n := flag.Int("n", 3000, "write+fdatasync rounds")
	flag.Parse()
	path := filepath.Join(*dir, fmt.Sprintf("fsyncprobe-%d", os.Getpid()))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.Remove(path)
	defer f.Close()
	size := int64(*n) * 400
	if _, err := f.WriteAt(make([]byte, size), 0); err != nil { // preallocated, as the spool's segments
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Sync()
	rec := make([]byte, 400)
	lat := make([]time.Duration, 0, *n)
	for i := range *n {
		t0 := time.Now()
		if _, err := f.WriteAt(rec, int64(i)*400); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("fsyncprobe: %d × (400 B write + fdatasync) in %s: p50 %s p90 %s p99 %s max %s\n",
		*n, *dir, q(0.5).Round(time.Microsecond), q(0.9).Round(time.Microsecond), q(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
}
