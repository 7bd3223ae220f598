// Package forge opens, updates and closes the one pull request (GitHub,
// Gitea/Forgejo) or merge request (GitLab) that carries a kbsync branch.
//
// The contract follows the PR bots users already trust
// (peter-evans/create-pull-request, Renovate): one deterministic head branch,
// at most one open request for it, and an operation report of
// created/updated/unchanged/closed/"" for every run.
//
// The token travels only in request headers. Every error this package
// returns is an *Error whose text has been scrubbed of the token, URL
// userinfo and token query parameters, and which never unwraps to the raw
// client error (that could still hold them).
package forge

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Provider names, as in publish.provider.
const (
	GitHub = "github"
	Gitea  = "gitea" // also Forgejo, which keeps Gitea's API
	GitLab = "gitlab"
)

// Operations reported in Result.Operation.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
	Closed    = "closed"
	Nothing   = "" // CloseIfEmpty and no open request: nothing to do
)

// Body size limits, in bytes. The platforms count characters; a UTF-8 byte
// count is never below the character count (runes or UTF-16 units), so a
// byte limit is always safe.
const (
	GitHubBodyLimit = 65536
	// Gitea and Forgejo store bodies as LONGTEXT and document no limit; we
	// keep GitHub's so a review table stays readable and migrations work.
	GiteaBodyLimit  = 65536
	GitLabBodyLimit = 1048576
)

// titleLimit is GitLab's title limit (255) and below GitHub's (256).
const titleLimit = 255

// Request describes the pull request kbsync wants for one pushed branch.
type Request struct {
	Head, Base  string // branch names; the head lives in the same repository
	Title, Body string
	// Labels are ensured on every run; reviewers, assignees and Draft apply
	// when the request is created only, so reviewers who already reviewed
	// are not pinged again and a request marked ready stays ready.
	Labels, Reviewers, Assignees []string
	Draft                        bool
	// CloseIfEmpty says the sync produced no change against base: close an
	// open request and delete its head branch.
	CloseIfEmpty bool
}

// Result reports what Ensure did.
type Result struct {
	URL       string
	Number    int // pull request number, or merge request IID on GitLab
	Operation string
	// Warnings are problems that did not stop the run: duplicate open
	// requests, a reviewer that could not be requested, a label not added.
	Warnings []string
}

// Provider ensures the pull request for a branch.
type Provider interface {
	Ensure(ctx context.Context, req Request) (Result, error)
}

// Config selects the platform and repository (publish.* in kbsync.yaml).
type Config struct {
	Provider string // github | gitea | gitlab
	// APIURL is the API base: empty for github.com; https://ghe.example.com/api/v3/
	// for GitHub Enterprise; the server root for Gitea and GitLab
	// (/api/v1 and /api/v4 are added when missing).
	APIURL string
	Repo   string // owner/name, or group/subgroup/name on GitLab
}

// Option tunes New; the defaults suit CI.
type Option func(*options)

type options struct {
	sleep       func(context.Context, time.Duration) error
	callTimeout time.Duration
	attempts    int
	maxWait     time.Duration
}

// WithSleep replaces the wait between retries (tests pass a recorder).
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(o *options) { o.sleep = sleep }
}

// WithCallTimeout bounds each HTTP attempt (default 30s; d <= 0 keeps it).
func WithCallTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.callTimeout = d
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// New returns the Provider for cfg. hc may be nil; it is copied, never
// modified. The token is sent as a header only.
func New(cfg Config, token string, hc *http.Client, opts ...Option) (Provider, error) {
	o := options{sleep: sleepCtx, callTimeout: 30 * time.Second, attempts: 4, maxWait: time.Minute}
	for _, fn := range opts {
		fn(&o)
	}
	name := strings.ToLower(strings.TrimSpace(cfg.Provider))
	if token == "" {
		return nil, &Error{Platform: orUnknown(name), Op: "configuring the client",
			Hint: "no token; set KBSYNC_TOKEN (or GITHUB_TOKEN / GITLAB_TOKEN) to a token that may open pull requests"}
	}
	if err := checkAPIURL(name, cfg.APIURL, token); err != nil {
		return nil, err
	}
	client := wrapClient(hc, o)
	sc := scrubber{token: token}
	var b backend
	var err error
	switch name {
	case GitHub:
		b, err = newGitHub(cfg, token, client, sc)
	case Gitea:
		b, err = newGitea(cfg, token, client, sc)
	case GitLab:
		b, err = newGitLab(cfg, token, client, sc)
	case "":
		return nil, &Error{Platform: "forge", Op: "configuring the client",
			Hint: "no provider; set publish.provider to github, gitea or gitlab"}
	default:
		return nil, &Error{Platform: "forge", Op: "configuring the client",
			Detail: fmt.Sprintf("unknown provider %q", sc.clean(cfg.Provider)),
			Hint:   "set publish.provider to github, gitea or gitlab"}
	}
	if err != nil {
		return nil, err
	}
	return &ensurer{b: b, sc: sc}, nil
}

func orUnknown(name string) string {
	switch name {
	case GitHub, Gitea, GitLab:
		return name
	}
	return "forge"
}

// checkAPIURL refuses credentials and tokens in publish.api_url: the token
// belongs in KBSYNC_TOKEN, and a URL ends up in logs and errors.
func checkAPIURL(name, raw, token string) error {
	if raw == "" {
		return nil
	}
	sc := scrubber{token: token}
	u, err := parseHTTPURL(raw)
	if err == nil && (u.User != nil || u.RawQuery != "" || u.Fragment != "") {
		err = fmt.Errorf("it must not carry credentials, a query or a fragment")
	}
	if err != nil {
		return &Error{Platform: orUnknown(name), Op: "configuring the client",
			Detail: fmt.Sprintf("publish.api_url %s: %s", sc.clean(raw), sc.clean(err.Error())),
			Hint:   "set publish.api_url to the plain http(s) API address and put the token in KBSYNC_TOKEN"}
	}
	return nil
}

// branchRe keeps head and base names to characters that are safe in a
// workflow's `run:` line (Actions script injection) and valid git refs.
var branchRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._/-]*$`)

func checkBranch(what, name string) error {
	bad := !branchRe.MatchString(name) || len(name) > 200 ||
		strings.Contains(name, "..") || strings.Contains(name, "//") ||
		strings.Contains(name, "/.") || strings.HasSuffix(name, "/") ||
		strings.HasSuffix(name, ".") || strings.HasSuffix(name, ".lock")
	if bad {
		return fmt.Errorf("%s branch %q is not a safe branch name; use letters, digits and . _ / - (e.g. kbsync/nightly)", what, name)
	}
	return nil
}

// normalize validates req and returns the title and body to send.
func normalize(req Request, bodyLimit int) (title, body string, err error) {
	if err := checkBranch("head", req.Head); err != nil {
		return "", "", err
	}
	if err := checkBranch("base", req.Base); err != nil {
		return "", "", err
	}
	if req.Head == req.Base {
		return "", "", fmt.Errorf("head and base are both %q; kbsync needs its own branch", req.Head)
	}
	title = strings.TrimSpace(req.Title)
	if strings.IndexFunc(title, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) >= 0 {
		return "", "", fmt.Errorf("title %q holds control characters or invalid UTF-8", req.Title)
	}
	if title == "" && !req.CloseIfEmpty {
		return "", "", fmt.Errorf("empty title")
	}
	title = cutRunes(title, titleLimit)
	return title, Truncate(req.Body, bodyLimit), nil
}

// cutRunes keeps at most n runes.
func cutRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// sameText compares bodies the way a reader would: the platforms store
// CRLF when a person edits in the browser, and trailing blanks do not show.
func sameText(a, b string) bool {
	norm := func(s string) string {
		return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), " \t\n")
	}
	return norm(a) == norm(b)
}
