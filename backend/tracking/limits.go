package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash/maphash"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Limiter is a per-IP token bucket (sharded; idle buckets are swept).
type Limiter struct {
	rate   float64 // tokens per second
	burst  float64
	shards [64]limShard
	seed   maphash.Seed
}

type limShard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter allows rate requests/s per key with bursts of burst; rate <= 0 disables it.
func NewLimiter(rate float64, burst int) *Limiter {
	if rate <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	l := &Limiter{rate: rate, burst: float64(burst), seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].buckets = map[string]*bucket{}
	}
	return l
}

// Allow takes one token for key.
func (l *Limiter) Allow(key string, now time.Time) bool {
	if l == nil {
		return true
	}
	sh := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if now.Sub(sh.swept) > time.Minute {
		for k, b := range sh.buckets {
			if now.Sub(b.last) > time.Minute {
				delete(sh.buckets, k)
			}
		}
		sh.swept = now
	}
	b := sh.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		sh.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// IPMode says how visitor IPs are stored.
type IPMode string

// IP storage modes.
const (
	IPTruncate IPMode = "truncate" // IPv4 /24, IPv6 /48 (default)
	IPHash     IPMode = "hash"     // keyed hash: same visitor, same value; not reversible
	IPFull     IPMode = "full"
	IPNone     IPMode = "none"
)

// ParseIPMode validates a mode name.
func ParseIPMode(s string) (IPMode, bool) {
	switch m := IPMode(strings.ToLower(strings.TrimSpace(s))); m {
	case IPTruncate, IPHash, IPFull, IPNone:
		return m, true
	case "":
		return IPTruncate, true
	}
	return "", false
}

// clientIP is the request's remote address (the first X-Forwarded-For entry when the tracker
// runs behind a trusted proxy).
func clientIP(r *http.Request, trustProxy bool) string { return clientIPv(netReq{r}, trustProxy) }

func clientIPv(r reqView, trustProxy bool) string {
	if a := clientAddr(r, trustProxy); a.IsValid() {
		return a.String()
	}
	return r.remoteAddr() // not an IP address: the whole remote address is the key
}

// clientAddr is clientIPv as an address (invalid when the remote address holds no IP).
func clientAddr(r reqView, trustProxy bool) netip.Addr {
	if trustProxy {
		if xff := r.header("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(first)); err == nil {
				return a
			}
		}
	}
	return r.remoteIP()
}

// privacyIP turns an address into what is stored.
func privacyIP(ip string, mode IPMode, key []byte) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	return privacyAddr(a, mode, key)
}

// privacyAddr is privacyIP of a parsed address ("" for an invalid one).
func privacyAddr(a netip.Addr, mode IPMode, key []byte) string {
	if !a.IsValid() {
		return ""
	}
	a = a.Unmap()
	switch mode {
	case IPFull:
		return a.String()
	case IPNone:
		return ""
	case IPHash:
		m := hmac.New(sha256.New, key)
		m.Write(a.AsSlice())
		return "h:" + hex.EncodeToString(m.Sum(nil)[:12])
	default:
		bits := 24
		if a.Is6() {
			bits = 48
		}
		p, _ := a.Prefix(bits)
		return p.Addr().String()
	}
}

// hasControl reports whether s contains ASCII control characters (or DEL).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
