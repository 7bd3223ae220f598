package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Error is a failed forge call, with the platform, what was being done,
// the HTTP status (0 when no answer came), and what to fix.
//
// Error never unwraps to the client library's error, whose text may hold
// URLs with credentials; it unwraps only to context.Canceled or
// context.DeadlineExceeded when the call ran out of time.
type Error struct {
	Platform string // github, gitea, gitlab
	Op       string // e.g. "creating pull request in o/r"
	Status   int    // HTTP status; 0 for network errors and bad configuration
	Detail   string // what the server or the network said, scrubbed
	Hint     string // what to fix
	// RetryAfter is when a rate limit resets, when the platform said.
	RetryAfter time.Time
	ctxErr     error
	exists     bool // a create refused because the request already exists
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Platform)
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d %s ", e.Status, http.StatusText(e.Status))
	}
	b.WriteString(e.Op)
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Hint != "" {
		if e.Detail != "" {
			b.WriteString("; ")
		} else {
			b.WriteString(": ")
		}
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap exposes only the context error, never the raw client error.
func (e *Error) Unwrap() error { return e.ctxErr }

func isExists(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.exists
}

func isServerError(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Status >= 500
}

// scrubber removes the token and anything shaped like a credential.
type scrubber struct{ token string }

var (
	userinfoRe = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@?#]+@`)
	queryRe    = regexp.MustCompile(`(?i)([?&;](?:access_token|private_token|job_token|token|client_secret|password|sig)=)[^&\s#"']*`)
	headerRe   = regexp.MustCompile(`(?i)\b(authorization|private-token|job-token)(["']?\s*[:=]\s*["']?)(?:(?:bearer|token|basic)\s+)?[^\s"',]+`)
	tokenRe    = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|gl(?:ptt|dt|rt|cbt|imt|soat|ft|agent)-[A-Za-z0-9_-]{20,})`)
)

const redacted = "[REDACTED]"

// clean returns s with credentials removed, on one line, printable, and
// at most 300 bytes: server messages are echoed into CI logs.
func (sc scrubber) clean(s string) string {
	if sc.token != "" {
		for _, form := range []string{sc.token, url.QueryEscape(sc.token), url.PathEscape(sc.token)} {
			s = strings.ReplaceAll(s, form, redacted)
		}
	}
	s = userinfoRe.ReplaceAllString(s, "${1}"+redacted+"@")
	s = queryRe.ReplaceAllString(s, "${1}"+redacted)
	s = headerRe.ReplaceAllString(s, "${1}${2}"+redacted)
	s = tokenRe.ReplaceAllString(s, redacted)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		i := 300
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

// failure describes a failed call for fail().
type failure struct {
	op      string // "creating pull request in o/r"
	status  int    // 0 when there was no HTTP answer
	message string // the server's message, raw
	header  http.Header
	err     error // the transport error when status is 0
}

// platformHints holds what to tell the user for one platform.
type platformHints struct {
	scope  string // what the token needs
	status string // where to look when the server fails
}

var hintsFor = map[string]platformHints{
	GitHub: {"pull_request write access (fine-grained: Pull requests, Issues and Contents read/write; classic: repo scope)",
		"see https://www.githubstatus.com"},
	Gitea:  {"the write:repository and write:issue scopes and write access to the repository", "or ask the server's administrator"},
	GitLab: {"the api scope and at least the Developer role in the project", "see https://status.gitlab.com, or ask your instance's administrator"},
}

// rejectedHint says what to check when the server refused the request's
// content (400/409/422), by what was being done.
func rejectedHint(op string) string {
	switch {
	case strings.HasPrefix(op, "requesting reviewers"), strings.HasPrefix(op, "looking up reviewer"):
		return "check that publish.reviewers names users (or org/team) who may review in the repository"
	case strings.HasPrefix(op, "adding assignees"), strings.HasPrefix(op, "looking up assignee"):
		return "check that the assignees are users with access to the repository"
	case strings.HasPrefix(op, "adding labels"), strings.HasPrefix(op, "creating label"), strings.HasPrefix(op, "listing labels"):
		return "check publish.labels"
	case strings.HasPrefix(op, "deleting branch"):
		return "the branch may be protected; delete it by hand or lift the protection"
	}
	return "check that the branch was pushed, that publish.base exists, and that publish.labels, reviewers and assignees are valid"
}

// fail turns a failed call into an *Error with a hint for the status.
func (sc scrubber) fail(platform string, f failure) *Error {
	h := hintsFor[platform]
	e := &Error{Platform: platform, Op: f.op, Status: f.status}
	msg := sc.clean(f.message)
	quoted := ""
	if msg != "" {
		quoted = fmt.Sprintf(" (server said %q)", msg)
	}
	switch {
	case f.status == 0:
		e.Hint = "check publish.api_url and the network"
		switch {
		case errors.Is(f.err, context.DeadlineExceeded):
			e.ctxErr = context.DeadlineExceeded
			e.Detail = "timed out"
			e.Hint = "the server did not answer in time; try again later"
		case errors.Is(f.err, context.Canceled):
			e.ctxErr = context.Canceled
			e.Detail = "canceled"
			e.Hint = ""
		case f.err != nil:
			e.Detail = sc.clean(f.err.Error())
		}
	case f.status < 300:
		e.Detail = "could not read the answer"
		if f.err != nil {
			e.Detail += " (" + sc.clean(f.err.Error()) + ")"
		}
		e.Hint = "check publish.api_url points at a " + platform + " API"
	case f.status == http.StatusUnauthorized:
		e.Detail = "the token was refused" + quoted
		e.Hint = "set KBSYNC_TOKEN to a token with " + h.scope
	case rateLimited(f.status, f.header, f.message):
		e.Detail = "rate limit exceeded" + quoted
		e.RetryAfter = resetTime(f.header, time.Now())
		e.Hint = "try again later"
		if !e.RetryAfter.IsZero() {
			e.Hint = "try again after " + e.RetryAfter.UTC().Format(time.RFC3339)
		}
	case f.status == http.StatusForbidden:
		e.Detail = "the token may not do this" + quoted
		e.Hint = "give the token " + h.scope + ", and check that branch protection or an organization policy allows it"
	case f.status == http.StatusNotFound:
		e.Detail = "not found" + quoted
		e.Hint = "check publish.repo and publish.api_url, and that the token can see the repository"
	case f.status == http.StatusConflict || f.status == http.StatusUnprocessableEntity || f.status == http.StatusBadRequest:
		e.Detail = "the request was rejected" + quoted
		e.Hint = rejectedHint(f.op)
	case f.status >= 500:
		e.Detail = "the server failed" + quoted
		e.Hint = "this is on the server's side; try again later (" + h.status + ")"
	default:
		e.Detail = "unexpected answer" + quoted
		e.Hint = "check publish.api_url points at a " + platform + " API"
	}
	return e
}

// rateLimited says whether a 403/429 is a rate limit rather than a refusal.
func rateLimited(status int, h http.Header, msg string) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	if status != http.StatusForbidden {
		return false
	}
	if h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0" || h.Get("RateLimit-Remaining") == "0" {
		return true
	}
	return strings.Contains(strings.ToLower(msg), "rate limit")
}

// resetTime reads Retry-After (seconds or a date) or an epoch reset header.
func resetTime(h http.Header, now time.Time) time.Time {
	if h == nil {
		return time.Time{}
	}
	if v := h.Get("Retry-After"); v != "" {
		var secs int
		if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && secs >= 0 {
			return now.Add(time.Duration(secs) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return t
		}
	}
	for _, k := range []string{"X-RateLimit-Reset", "RateLimit-Reset"} {
		var epoch int64
		if _, err := fmt.Sscanf(h.Get(k), "%d", &epoch); err == nil && epoch > 0 {
			if epoch < 1e9 { // delta seconds (IETF draft), not an epoch
				return now.Add(time.Duration(epoch) * time.Second)
			}
			return time.Unix(epoch, 0)
		}
	}
	return time.Time{}
}
