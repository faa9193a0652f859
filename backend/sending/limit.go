package sending

import (
	"context"
	"sync"
	"time"
)

// Limiter spaces sends to at most perSecond per second and perHour per rolling hour.
type Limiter struct {
	mu        sync.Mutex
	perSecond int
	perHour   int
	next      time.Time   // earliest next send under the per-second rule
	hour      []time.Time // send times in the last hour (ring), only when perHour > 0
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
}

// NewLimiter returns a limiter; zero means unlimited.
func NewLimiter(perSecond, perHour int) *Limiter {
	return &Limiter{perSecond: perSecond, perHour: perHour, now: time.Now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait blocks until one more send is allowed.
func (l *Limiter) Wait(ctx context.Context) error {
	if l.perSecond <= 0 && l.perHour <= 0 {
		return nil
	}
	for {
		l.mu.Lock()
		now := l.now()
		wait := time.Duration(0)
		if l.perHour > 0 {
			cut := now.Add(-time.Hour)
			for len(l.hour) > 0 && !l.hour[0].After(cut) {
				l.hour = l.hour[1:]
			}
			if len(l.hour) >= l.perHour {
				wait = l.hour[0].Add(time.Hour).Sub(now)
			}
		}
		if l.perSecond > 0 && l.next.After(now) {
			if d := l.next.Sub(now); d > wait {
				wait = d
			}
		}
		if wait <= 0 {
			if l.perSecond > 0 {
				base := l.next
				if base.Before(now) {
					base = now
				}
				l.next = base.Add(time.Second / time.Duration(l.perSecond))
			}
			if l.perHour > 0 {
				l.hour = append(l.hour, now)
			}
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if err := l.sleep(ctx, wait); err != nil {
			return err
		}
	}
}
