package forge

import (
	"context"
	"io"
	"net/http"
	"time"
)

// wrapClient copies hc (never modifying the caller's) and puts the retry
// transport under it, so the three client libraries share one policy.
func wrapClient(hc *http.Client, o options) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &retryTransport{base: base, o: o, now: time.Now}
	return c
}

// retryTransport retries idempotent calls on 5xx and network errors, and
// any call refused by a rate limit (the server did not act on it), with a
// short bounded backoff. Each attempt gets its own timeout.
type retryTransport struct {
	base http.RoundTripper
	o    options
	now  func() time.Time
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete,
		// kbsync's PATCHes set absolute values (title, body, state), so
		// sending one twice changes nothing.
		http.MethodPatch:
		return true
	}
	return false
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.Body != nil && req.Body != http.NoBody {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(parent)
			r.Body = body
		}
		ctx, cancel := context.WithTimeout(parent, t.o.callTimeout)
		resp, err := t.base.RoundTrip(r.WithContext(ctx))

		wait, again := t.retry(req, resp, err, attempt)
		if !again || !rewindable || parent.Err() != nil {
			if err != nil {
				cancel()
				return nil, err
			}
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		cancel()
		if err := t.o.sleep(parent, wait); err != nil {
			return nil, err
		}
	}
}

// retry decides whether attempt should be repeated, and after how long.
func (t *retryTransport) retry(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.o.attempts {
		return 0, false
	}
	backoff := 500 * time.Millisecond << (attempt - 1)
	if backoff > 8*time.Second {
		backoff = 8 * time.Second
	}
	if err != nil {
		return backoff, idempotent(req.Method)
	}
	switch {
	case rateLimited(resp.StatusCode, resp.Header, ""):
		wait := backoff
		if reset := resetTime(resp.Header, t.now()); !reset.IsZero() {
			wait = reset.Sub(t.now()) + time.Second
		}
		// A limit that resets far away is reported, not slept through.
		if wait > t.o.maxWait {
			return 0, false
		}
		return max(wait, 0), true
	case resp.StatusCode == 500 || resp.StatusCode == 502 || resp.StatusCode == 503 || resp.StatusCode == 504:
		if !idempotent(req.Method) {
			return 0, false
		}
		if reset := resetTime(resp.Header, t.now()); !reset.IsZero() {
			if wait := reset.Sub(t.now()); wait > 0 && wait <= t.o.maxWait {
				return wait, true
			}
		}
		return backoff, true
	}
	return 0, false
}

// cancelBody releases the attempt's timeout once the caller is done reading.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
