package tracking

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds (seconds) of the request latency histogram.
var latencyBuckets = []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

// Metrics are the tracker's counters, exposed at /metrics (Prometheus text format) and
// /health (JSON).
type Metrics struct {
	Accepted     atomic.Int64 // hits fsynced into the spool
	Stored       atomic.Int64 // hits written to the store
	Rejected     atomic.Int64 // requests refused for bad input (4xx)
	RateLimited  atomic.Int64 // requests refused with 429
	SpoolFull    atomic.Int64 // hits refused because the spool was full (503)
	Bots         atomic.Int64 // hits flagged as bots
	Forms        atomic.Int64 // defined-form submissions accepted
	FormSpam     atomic.Int64 // form posts dropped or refused as spam (honeypot, too fast)
	StoreErrors  atomic.Int64
	StoreBatches atomic.Int64
	StoreNanos   atomic.Int64
	// StoreSyncs and StoreSyncNanos count the syncs of a Syncer store (pump_sync.go).
	StoreSyncs     atomic.Int64
	StoreSyncNanos atomic.Int64
	buckets        [11]atomic.Int64 // len(latencyBuckets)+1 (+Inf)
	latCount       atomic.Int64
	latSumNanos    atomic.Int64
	started        time.Time
}

// NewMetrics returns zeroed metrics.
func NewMetrics() *Metrics { return &Metrics{started: time.Now()} }

// Observe records one request's latency.
func (m *Metrics) Observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latencyBuckets) && s > latencyBuckets[i] {
		i++
	}
	m.buckets[i].Add(1)
	m.latCount.Add(1)
	m.latSumNanos.Add(d.Nanoseconds())
}

// Write prints the metrics in Prometheus text format; pending is the spool backlog in bytes.
func (m *Metrics) Write(w io.Writer, pending int64, storeFailing bool) {
	c := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	g := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	acc, st := m.Accepted.Load(), m.Stored.Load()
	c("magpie_tracker_hits_accepted_total", "Hits durably accepted into the spool.", acc)
	c("magpie_tracker_hits_stored_total", "Hits written to the store.", st)
	g("magpie_tracker_hits_pending", "Hits accepted by this process and not yet stored.", max(acc-st, 0))
	g("magpie_tracker_spool_pending_bytes", "Bytes in the spool not yet stored.", pending)
	g("magpie_tracker_store_failing", "1 while the store refuses writes.", b2i(storeFailing))
	c("magpie_tracker_store_syncs_total", "Syncs that made stored hits durable (local store checkpoints).", m.StoreSyncs.Load())
	c("magpie_tracker_store_sync_milliseconds_total", "Time spent in those syncs.", m.StoreSyncNanos.Load()/1e6)
	c("magpie_tracker_requests_rejected_total", "Requests refused for bad input.", m.Rejected.Load())
	c("magpie_tracker_requests_rate_limited_total", "Requests refused with 429.", m.RateLimited.Load())
	c("magpie_tracker_hits_refused_spool_full_total", "Hits refused because the spool was full.", m.SpoolFull.Load())
	c("magpie_tracker_bot_hits_total", "Hits flagged as bots.", m.Bots.Load())
	c("magpie_tracker_form_submissions_total", "Defined-form submissions accepted.", m.Forms.Load())
	c("magpie_tracker_form_spam_total", "Form posts dropped or refused as spam.", m.FormSpam.Load())
	c("magpie_tracker_store_errors_total", "Failed store attempts.", m.StoreErrors.Load())
	c("magpie_tracker_store_batches_total", "Batches written to the store.", m.StoreBatches.Load())
	fmt.Fprintf(w, "# HELP magpie_tracker_request_seconds Latency of hit requests.\n# TYPE magpie_tracker_request_seconds histogram\n")
	var cum int64
	for i, b := range latencyBuckets {
		cum += m.buckets[i].Load()
		fmt.Fprintf(w, "magpie_tracker_request_seconds_bucket{le=\"%g\"} %d\n", b, cum)
	}
	cum += m.buckets[len(latencyBuckets)].Load()
	fmt.Fprintf(w, "magpie_tracker_request_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "magpie_tracker_request_seconds_sum %g\n", float64(m.latSumNanos.Load())/1e9)
	fmt.Fprintf(w, "magpie_tracker_request_seconds_count %d\n", m.latCount.Load())
}

// Snapshot is the JSON form of the metrics (health endpoint, desktop status).
type Snapshot struct {
	Accepted     int64   `json:"accepted"`
	Stored       int64   `json:"stored"`
	Pending      int64   `json:"pending"`
	PendingBytes int64   `json:"pendingBytes"`
	Rejected     int64   `json:"rejected"`
	RateLimited  int64   `json:"rateLimited"`
	StoreFailing bool    `json:"storeFailing"`
	MeanLatency  float64 `json:"meanLatencyMs"`
	UptimeSec    int64   `json:"uptimeSec"`
}

// Snap returns the current figures.
func (m *Metrics) Snap(pending int64, storeFailing bool) Snapshot {
	acc, st := m.Accepted.Load(), m.Stored.Load()
	s := Snapshot{Accepted: acc, Stored: st, Pending: max(acc-st, 0), PendingBytes: pending,
		Rejected: m.Rejected.Load(), RateLimited: m.RateLimited.Load(), StoreFailing: storeFailing,
		UptimeSec: int64(time.Since(m.started).Seconds())}
	if n := m.latCount.Load(); n > 0 {
		s.MeanLatency = float64(m.latSumNanos.Load()) / float64(n) / 1e6
	}
	return s
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
