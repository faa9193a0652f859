package campaigns

import (
	"os"
	"runtime/debug"
	"sync"
)

// backlogGCPercent is the Go GC percent while a backlog runs. The runner's live heap is a
// few MB (one batch's rows and events) but every batch allocates ~15 MB of short-lived
// values (a points step: the changes, the events and their data, ~3 KB per contact), so at
// the default 100 the collector ran more than a thousand times per million contacts, and
// its cycles, write barriers and returned-then-refaulted pages cost ~15 % of the CPU
// (docs/BENCHMARKS.md § Campaigns, branch camp3).
const backlogGCPercent = 400

var gcHold struct {
	sync.Mutex
	users int
	prev  int
	set   bool // prev must be put back when the last user leaves
}

// collectLess raises the GC percent to backlogGCPercent until the returned func is called
// (the backlog is worked through). Runs may overlap (the background runner, a manual run):
// the first raises it, the last puts back what was there. A setting that already collects
// less often (GOGC=off or above backlogGCPercent) and a GOGC from the environment are left
// as they are, as the tracker leaves them.
func collectLess() func() {
	gcHold.Lock()
	defer gcHold.Unlock()
	if gcHold.users == 0 {
		gcHold.set = false
		if os.Getenv("GOGC") == "" {
			prev := debug.SetGCPercent(backlogGCPercent)
			if prev < 0 || prev >= backlogGCPercent {
				debug.SetGCPercent(prev)
			} else {
				gcHold.prev, gcHold.set = prev, true
			}
		}
	}
	gcHold.users++
	return sync.OnceFunc(func() {
		gcHold.Lock()
		defer gcHold.Unlock()
		if gcHold.users--; gcHold.users == 0 && gcHold.set {
			debug.SetGCPercent(gcHold.prev)
		}
	})
}
