package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const canaryToken = "kbsync-canary-7f3a9c1e5d"

func TestScrub(t *testing.T) {
	sc := scrubber{token: canaryToken}
	cases := []string{
		"Get \"https://x-access-token:" + canaryToken + "@github.com/o/r.git/info/refs\": 401",
		"https://oauth2:other-secret@gitlab.example.com/g/r.git",
		"GET https://gitlab.example.com/api/v4/projects?private_token=abc123&x=1",
		"https://gitea.example.com/api/v1/repos?access_token=" + canaryToken,
		"Authorization: Bearer ghp_0123456789abcdefghijABCDEFGHIJ012345",
		"PRIVATE-TOKEN: glpat-0123456789abcdefghij",
		`{"authorization":"token abcdef"}`,
		"token " + url.QueryEscape(canaryToken+"/+") + " in a query",
		"leaked github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
	}
	for _, in := range cases {
		got := sc.clean(in)
		for _, secret := range []string{canaryToken, "other-secret", "abc123", "ghp_0123", "glpat-0123", "abcdef", "github_pat_"} {
			if strings.Contains(got, secret) {
				t.Errorf("clean(%q) = %q still holds %q", in, got, secret)
			}
		}
		if !strings.Contains(got, redacted) {
			t.Errorf("clean(%q) = %q; want a redaction mark", in, got)
		}
	}
	if got := sc.clean("line one\nline two\x1b[2J\x07"); strings.ContainsAny(got, "\n\x1b\x07") {
		t.Errorf("control characters kept: %q", got)
	}
	if got := sc.clean(strings.Repeat("é", 400)); len(got) > 304 || !strings.HasSuffix(got, "…") {
		t.Errorf("long message not cut: %d bytes", len(got))
	}
}

// TestFailNeverWrapsRawError: the client error (which may print a URL with
// credentials) is never reachable through the chain.
func TestFailNeverWrapsRawError(t *testing.T) {
	sc := scrubber{token: canaryToken}
	raw := &url.Error{Op: "Get", URL: "https://u:" + canaryToken + "@ghe.example.com/api/v3/?access_token=" + canaryToken,
		Err: errors.New("dial tcp: connection refused")}
	err := error(sc.fail(GitHub, failure{op: "listing pull requests in o/r", err: raw}))
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), canaryToken) {
			t.Errorf("token in chain: %q", e.Error())
		}
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "publish.api_url") {
		t.Errorf("error %q; want the cause and the hint", err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		t.Errorf("the raw *url.Error is reachable")
	}

	timeout := &url.Error{Op: "Get", URL: "https://h/", Err: fmt.Errorf("wrapped: %w", context.DeadlineExceeded)}
	if err := sc.fail(GitLab, failure{op: "x", err: timeout}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a timeout does not unwrap to DeadlineExceeded: %v", err)
	}
}

// TestUnreachableServer: a network failure names the platform and the
// setting to check.
func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	for _, name := range []string{GitHub, Gitea, GitLab} {
		p, err := New(Config{Provider: name, APIURL: addr, Repo: "o/r"}, canaryToken, nil,
			WithSleep(func(context.Context, time.Duration) error { return nil }))
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Ensure(context.Background(), Request{Head: "kbsync/nightly", Base: "main", Title: "t"})
		var fe *Error
		if !errors.As(err, &fe) || fe.Status != 0 || !strings.HasPrefix(err.Error(), name+": listing") ||
			!strings.Contains(err.Error(), "publish.api_url") || strings.Contains(err.Error(), canaryToken) {
			t.Errorf("%s: %v; want a network error naming publish.api_url", name, err)
		}
	}
}

func TestRateLimitHeaders(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cases := []struct {
		status  int
		header  http.Header
		limited bool
		reset   time.Time
	}{
		{429, http.Header{"Retry-After": {"30"}}, true, now.Add(30 * time.Second)},
		{403, http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1700000100"}}, true, time.Unix(1_700_000_100, 0)},
		{403, http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"1700000060"}}, true, time.Unix(1_700_000_060, 0)},
		{403, http.Header{"X-Ratelimit-Remaining": {"12"}}, false, time.Time{}},
		{429, http.Header{"Retry-After": {now.Add(time.Minute).UTC().Format(http.TimeFormat)}}, true, now.Add(time.Minute)},
		{500, http.Header{}, false, time.Time{}},
	}
	for i, tc := range cases {
		if got := rateLimited(tc.status, tc.header, ""); got != tc.limited {
			t.Errorf("case %d: limited %v; want %v", i, got, tc.limited)
		}
		if got := resetTime(tc.header, now); !got.Equal(tc.reset) {
			t.Errorf("case %d: reset %v; want %v", i, got, tc.reset)
		}
	}
}
