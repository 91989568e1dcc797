// Package fakekit is what the FAKE outside systems share: a rate limiter (a
// sliding window per key, on a clock tests can speed up, answering with the
// Retry-After a real API would send), and a lost reply.
package fakekit

import (
	"math"
	"sync"
	"time"
)

// Limiter allows at most n calls per key in any window.
type Limiter struct {
	// Scale speeds up the clock: with 60, a per-minute limit applies per
	// second. Retry-After stays in whole seconds, as APIs send it.
	scale float64

	mu    sync.Mutex
	calls map[string][]time.Time
}

// New makes a limiter whose windows are shortened by scale (≤ 0 means 1).
func New(scale float64) *Limiter {
	if scale <= 0 {
		scale = 1
	}
	return &Limiter{scale: scale, calls: map[string][]time.Time{}}
}

// Take records a call at now if at most n calls per window (scaled) allow it;
// otherwise it returns the Retry-After in whole seconds, at least 1. n ≤ 0
// means no limit.
func (l *Limiter) Take(key string, n int, window time.Duration, now time.Time) int {
	if n <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	window = time.Duration(float64(window) / l.scale)
	recent := l.calls[key]
	for len(recent) > 0 && now.Sub(recent[0]) >= window {
		recent = recent[1:]
	}
	if len(recent) >= n {
		l.calls[key] = recent
		wait := window - now.Sub(recent[0])
		return max(1, int(math.Ceil(wait.Seconds())))
	}
	l.calls[key] = append(recent, now)
	return 0
}
