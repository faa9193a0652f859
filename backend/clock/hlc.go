package clock

import (
	"fmt"
	"sync"
)

// HLC is a hybrid logical clock packed in 52 bits (42 bits of Unix ms, 10 bits of counter) so
// that it survives a trip through float64 JSON decoding (SYNC.md §3.2). Values are totally
// ordered; ties between sites are broken by site id elsewhere.
type HLC struct {
	mu   sync.Mutex
	wall Clock
	last int64
}

const (
	counterBits = 10
	counterMask = 1<<counterBits - 1
	// MaxHLC is the largest packable value (2^52 - 1).
	MaxHLC = 1<<52 - 1
)

// NewHLC returns a clock that never goes below last (persisted by the caller).
func NewHLC(wall Clock, last int64) *HLC { return &HLC{wall: wall, last: last} }

// Pack builds an HLC value from milliseconds and a counter.
func Pack(ms int64, counter int64) int64 { return ms<<counterBits | counter&counterMask }

// Unpack splits an HLC value.
func Unpack(h int64) (ms int64, counter int64) { return h >> counterBits, h & counterMask }

// Now returns a new timestamp for a local event, strictly greater than every earlier one.
func (h *HLC) Now() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tick(Pack(h.wall.Now().UnixMilli(), 0))
}

// Observe folds a remote timestamp in (on pull) so later local events order after it.
func (h *HLC) Observe(remote int64) error {
	if remote < 0 || remote > MaxHLC {
		return fmt.Errorf("clock: remote hlc %d out of range", remote)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if remote > h.last {
		h.last = remote
	}
	return nil
}

// Last returns the greatest timestamp issued or observed, for persistence.
func (h *HLC) Last() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func (h *HLC) tick(wall int64) int64 {
	if wall > h.last {
		h.last = wall
	} else {
		// Same or earlier physical ms: bump the counter; on overflow this carries into
		// the ms part, which is the usual HLC overflow rule.
		h.last++
	}
	return h.last
}

// NowN reserves n consecutive timestamps for n local events written together (a bulk
// insert): it returns the first, the others are first+1 … first+n-1, all strictly greater
// than every earlier one and below every later one.
func (h *HLC) NowN(n int) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	first := h.tick(Pack(h.wall.Now().UnixMilli(), 0))
	if n > 1 {
		h.last += int64(n - 1)
	}
	return first
}
