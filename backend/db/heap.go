package db

import "sync"

// heap counts the callers of KeepHeap.
var heap struct {
	sync.Mutex
	n int
}

// KeepHeap asks the C allocator (glibc's; elsewhere a no-op) to keep up to 64 MiB of
// freed memory at the top of its heap instead of handing it back to the system at every
// free, until the returned function is called (it is then trimmed). SQLite's statement
// journal — a copy of every page a multi-row statement modifies, allocated and freed per
// statement — otherwise makes the kernel fault fresh pages in for every statement of a
// write into a big store (100k rows imported into 1M contacts: 9.5 s of CPU with the hold
// against 10.5 s without, 11 against 16 s before migration 0093 slimmed the indexes;
// docs/BENCHMARKS.md § Import into a store with 1M contacts).
func KeepHeap() (release func()) {
	heap.Lock()
	if heap.n++; heap.n == 1 {
		keepHeap(true)
	}
	heap.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			heap.Lock()
			if heap.n--; heap.n == 0 {
				keepHeap(false)
			}
			heap.Unlock()
		})
	}
}
