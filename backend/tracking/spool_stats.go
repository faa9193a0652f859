package tracking

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
)

// Benchmark diagnostics: with MAGPIE_TRACKER_STATS=1 the spool records every group commit
// (records, write and fdatasync time, the gap since the previous one) and the pump every
// store call, and Close prints their distributions to stderr (docs/BENCHMARKS.md § Tracking
// reads the latency tail with them). Off, each hook is one branch on a constant-after-start bool.
var diagOn = os.Getenv("MAGPIE_TRACKER_STATS") != ""

type diagT struct {
	mu                          sync.Mutex
	syncs, writes, gaps, groups []time.Duration
	sizes                       []int
	store, storeSync            []time.Duration
	handler                     []time.Duration // native hit handlers, start to answer ready
	start                       time.Time
	marks                       []mark // the timeline of slow fdatasyncs and disk-heavy events
}

// mark is one event of the timeline: what, when (since the spool opened) and how long.
type mark struct {
	at   time.Duration
	what string
	d    time.Duration
}

// slowSync is the fdatasync time from which a group commit goes into the timeline.
const slowSync = 3 * time.Millisecond

// event records one timeline entry that ended now and lasted d.
func (d *diagT) event(what string, dur time.Duration) {
	if !diagOn {
		return
	}
	d.mu.Lock()
	if d.start.IsZero() {
		d.start = time.Now()
	}
	d.marks = append(d.marks, mark{at: time.Since(d.start) - dur, what: what, d: dur})
	d.mu.Unlock()
}

var diag diagT

func (d *diagT) group(n int, w, s, gap time.Duration) {
	if !diagOn {
		return
	}
	d.mu.Lock()
	d.sizes = append(d.sizes, n)
	d.writes = append(d.writes, w)
	d.syncs = append(d.syncs, s)
	d.gaps = append(d.gaps, gap)
	if d.start.IsZero() {
		d.start = time.Now()
	}
	if s >= slowSync {
		d.marks = append(d.marks, mark{at: time.Since(d.start) - s, what: "fdatasync", d: s})
	}
	d.mu.Unlock()
}

// add records one timing into list (d.store, d.storeSync).
func (d *diagT) add(list *[]time.Duration, t time.Duration) {
	if !diagOn {
		return
	}
	d.mu.Lock()
	*list = append(*list, t)
	d.mu.Unlock()
}

func qs(x []time.Duration) string {
	if len(x) == 0 {
		return "-"
	}
	x = slices.Clone(x)
	slices.Sort(x)
	var sum time.Duration
	for _, v := range x {
		sum += v
	}
	q := func(p float64) time.Duration { return x[min(len(x)-1, int(float64(len(x))*p))] }
	return fmt.Sprintf("n=%d mean=%v p50=%v p90=%v p99=%v p999=%v max=%v sum=%v", len(x), sum/time.Duration(len(x)), q(.5), q(.9), q(.99), q(.999), x[len(x)-1], sum)
}

func (d *diagT) print() {
	if !diagOn {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	tot := 0
	for _, n := range d.sizes {
		tot += n
	}
	fmt.Fprintf(os.Stderr, "STATS group commits=%d mean records=%.1f\n", len(d.sizes), float64(tot)/float64(max(1, len(d.sizes))))
	fmt.Fprintf(os.Stderr, "STATS write %s\nSTATS fdatasync %s\nSTATS gap %s\nSTATS store %s\nSTATS store-sync %s\nSTATS handler %s\n",
		qs(d.writes), qs(d.syncs), qs(d.gaps), qs(d.store), qs(d.storeSync), qs(d.handler))
	if os.Getenv("MAGPIE_TRACKER_STATS") == "timeline" {
		slices.SortFunc(d.marks, func(a, b mark) int { return int(a.at - b.at) })
		for _, m := range d.marks {
			fmt.Fprintf(os.Stderr, "MARK %9.3fms %-14s %v\n", float64(m.at)/1e6, m.what, m.d)
		}
	}
}
