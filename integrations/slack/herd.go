package slack

import (
	"io"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// holdBack keeps a method's callers from coming back as a herd: once Slack
// answers a method with 429 and Retry-After, every call of that method from
// this process (all of a worker's activities share it) is answered at once,
// without reaching Slack, with the same 429 and the time left, until the
// window reopens. Each activity then retries when Slack will take it, instead
// of each finding the limit again on its own.
type holdBack struct {
	next http.RoundTripper
	now  func() time.Time

	mu    sync.Mutex
	until map[string]time.Time // method → when Slack takes it again
}

func newHoldBack(next http.RoundTripper) *holdBack {
	if next == nil {
		next = http.DefaultTransport
	}
	return &holdBack{next: next, now: time.Now, until: map[string]time.Time{}}
}

func (h *holdBack) RoundTrip(r *http.Request) (*http.Response, error) {
	method := path.Base(r.URL.Path)
	h.mu.Lock()
	wait := h.until[method].Sub(h.now())
	h.mu.Unlock()
	if wait > 0 {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return &http.Response{StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Request: r,
			Header: http.Header{"Retry-After": {strconv.Itoa(int(math.Ceil(wait.Seconds())))}},
			Body:   io.NopCloser(strings.NewReader(`{"ok":false,"error":"ratelimited"}`))}, nil
	}
	resp, err := h.next.RoundTrip(r)
	// chat.postMessage is limited per channel, not per method: one busy
	// channel must not hold back the others.
	if err == nil && resp.StatusCode == http.StatusTooManyRequests && method != "chat.postMessage" {
		if secs, convErr := strconv.Atoi(resp.Header.Get("Retry-After")); convErr == nil && secs > 0 {
			h.mu.Lock()
			if until := h.now().Add(time.Duration(secs) * time.Second); until.After(h.until[method]) {
				h.until[method] = until
			}
			h.mu.Unlock()
		}
	}
	return resp, err
}
