// Package httpjson is what the adapters of small JSON HTTP APIs (the status
// page, PagerDuty) share: making one call, and what its answer means for
// retries, in the domain's errors.
package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/incident-buddy/ib"
)

// defaultClient is used when an adapter brings none.
var defaultClient = &http.Client{Timeout: 15 * time.Second}

// Do sends in as JSON (nil: no body) with the headers, and decodes the answer
// into out (nil: ignored). A 429 becomes ib.RetryAfterError; 5xx and network
// errors stay plain, retryable errors; other 4xx are bad input (ib.EINVALID)
// that no retry fixes.
func Do(ctx context.Context, client *http.Client, system, method, url string, headers map[string]string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", system, method, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &ib.RetryAfterError{System: system, RetryAfter: time.Duration(max(wait, 1)) * time.Second}
	case resp.StatusCode >= 500:
		return fmt.Errorf("%s %s: %s", system, method, resp.Status)
	case resp.StatusCode >= 400:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return ib.Errorf(ib.EINVALID, "%s refused the request (%s): %s", system, resp.Status, strings.TrimSpace(string(msg)))
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
