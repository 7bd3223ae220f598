package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// gitlabDraftPrefix marks a draft merge request; GitLab derives the draft
// state from the title.
const gitlabDraftPrefix = "Draft: "

type gitlabBackend struct {
	c   *gitlab.Client
	pid string // group/subgroup/name; the client escapes it
	sc  scrubber
}

func newGitLab(cfg Config, token string, hc *http.Client, sc scrubber) (backend, error) {
	repo := strings.Trim(cfg.Repo, "/")
	segs := strings.Split(repo, "/")
	ok := len(segs) >= 2
	for _, s := range segs {
		ok = ok && segmentRe.MatchString(s) && s != "." && s != ".."
	}
	if !ok {
		return nil, &Error{Platform: GitLab, Op: "configuring the client",
			Detail: fmt.Sprintf("project %q is not group/name", sc.clean(cfg.Repo)), Hint: "set publish.repo to group/name or group/subgroup/name"}
	}
	opts := []gitlab.ClientOptionFunc{
		gitlab.WithHTTPClient(hc),
		gitlab.WithoutRetries(), // our transport retries, with one policy for all platforms
		gitlab.WithUserAgent("kbsync"),
		gitlab.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
	}
	if cfg.APIURL != "" {
		opts = append(opts, gitlab.WithBaseURL(cfg.APIURL)) // adds /api/v4/ when missing
	}
	c, err := gitlab.NewClient(token, opts...)
	if err != nil {
		return nil, &Error{Platform: GitLab, Op: "configuring the client", Detail: sc.clean(err.Error()),
			Hint: "set publish.api_url like https://gitlab.example.com/"}
	}
	return &gitlabBackend{c: c, pid: repo, sc: sc}, nil
}

func (g *gitlabBackend) platform() string { return GitLab }
func (g *gitlabBackend) repo() string     { return g.pid }
func (g *gitlabBackend) bodyLimit() int   { return GitLabBodyLimit }

func (g *gitlabBackend) fail(op string, resp *gitlab.Response, err error) *Error {
	f := failure{op: op + " in " + g.pid, err: err}
	if resp != nil && resp.Response != nil {
		f.status, f.header = resp.StatusCode, resp.Header
	}
	var er *gitlab.ErrorResponse
	if errors.As(err, &er) {
		f.message = gitlabMessage(er) // not Error(), which prints the URL
	}
	return g.sc.fail(GitLab, f)
}

// gitlabMessage reads GitLab's error shapes: {"message": "..."},
// {"message": ["..."]}, {"message": {"field": ["..."]}} and {"error": "..."}.
func gitlabMessage(er *gitlab.ErrorResponse) string {
	var body struct {
		Message any    `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(er.Body, &body) != nil {
		return er.Message
	}
	var parts []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			parts = append(parts, prefix+v)
		case []any:
			for _, e := range v {
				walk(prefix, e)
			}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(prefix+k+" ", v[k])
			}
		}
	}
	walk("", body.Message)
	if body.Error != "" {
		parts = append(parts, body.Error)
	}
	if len(parts) == 0 {
		return er.Message
	}
	return strings.Join(parts, "; ")
}

func (g *gitlabBackend) open(ctx context.Context, head string) ([]pull, error) {
	opt := &gitlab.ListProjectMergeRequestsOptions{
		State: gitlab.Ptr("opened"), SourceBranch: gitlab.Ptr(head),
		OrderBy: gitlab.Ptr("created_at"), Sort: gitlab.Ptr("asc"),
		ListOptions: gitlab.ListOptions{PerPage: 100, Page: 1},
	}
	var out []pull
	for {
		mrs, resp, err := g.c.MergeRequests.ListProjectMergeRequests(g.pid, opt, gitlab.WithContext(ctx))
		if err != nil {
			return nil, g.fail("listing merge requests", resp, err)
		}
		for _, m := range mrs {
			// A fork's branch of the same name is someone else's request.
			if m.SourceBranch == head && m.State == "opened" && m.SourceProjectID == m.TargetProjectID {
				out = append(out, g.pull(m))
			}
		}
		if resp.NextPage == 0 || len(mrs) == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

func (g *gitlabBackend) pull(m *gitlab.BasicMergeRequest) pull {
	return pull{
		Number: int(m.IID), URL: m.WebURL, Title: m.Title, Body: m.Description,
		Base: m.TargetBranch, Labels: m.Labels, SameRepo: m.SourceProjectID == m.TargetProjectID,
	}
}

func (g *gitlabBackend) create(ctx context.Context, req Request, title, body string) (pull, []string, error) {
	if req.Draft {
		title = cutRunes(gitlabDraftPrefix+title, titleLimit)
	}
	opt := &gitlab.CreateMergeRequestOptions{
		Title: &title, Description: &body, SourceBranch: &req.Head, TargetBranch: &req.Base,
	}
	if labels := missingLabels(nil, req.Labels); len(labels) > 0 {
		opt.Labels = (*gitlab.LabelOptions)(&labels)
	}
	var warns []string
	var users []string
	for _, n := range cleanNames(req.Reviewers) {
		if strings.Contains(n, "/") {
			warns = append(warns, fmt.Sprintf("gitlab: reviewer %q is a group; GitLab requests reviews from users only, so it was skipped", n))
			continue
		}
		users = append(users, n)
	}
	if ids, w := g.userIDs(ctx, "reviewer", users); len(ids) > 0 || len(w) > 0 {
		warns = append(warns, w...)
		if len(ids) > 0 {
			opt.ReviewerIDs = &ids
		}
	}
	if ids, w := g.userIDs(ctx, "assignee", cleanNames(req.Assignees)); len(ids) > 0 || len(w) > 0 {
		warns = append(warns, w...)
		if len(ids) > 0 {
			opt.AssigneeIDs = &ids
		}
	}
	m, resp, err := g.c.MergeRequests.CreateMergeRequest(g.pid, opt, gitlab.WithContext(ctx))
	if err != nil {
		fe := g.fail("creating merge request", resp, err)
		fe.exists = fe.Status == http.StatusConflict ||
			(fe.Status == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(fe.Detail), "already exists"))
		return pull{}, nil, fe
	}
	return g.pull(&m.BasicMergeRequest), warns, nil
}

// userIDs looks usernames up; unknown ones become warnings.
func (g *gitlabBackend) userIDs(ctx context.Context, role string, names []string) ([]int64, []string) {
	var ids []int64
	var warns []string
	for _, n := range names {
		users, resp, err := g.c.Users.ListUsers(&gitlab.ListUsersOptions{Username: gitlab.Ptr(n)}, gitlab.WithContext(ctx))
		if err != nil {
			warns = append(warns, g.fail(fmt.Sprintf("looking up %s %q", role, n), resp, err).Error())
			continue
		}
		found := false
		for _, u := range users {
			if strings.EqualFold(u.Username, n) {
				ids, found = append(ids, u.ID), true
				break
			}
		}
		if !found {
			warns = append(warns, fmt.Sprintf("gitlab: %s %q is not a user on this server; skipped", role, n))
		}
	}
	return ids, warns
}

func (g *gitlabBackend) wantTitle(p pull, title string) string {
	return cutRunes(draftPrefix(p.Title, "Draft:", "[Draft]", "(Draft)")+title, titleLimit)
}

func (g *gitlabBackend) edit(ctx context.Context, p pull, title, body, base *string) error {
	opt := &gitlab.UpdateMergeRequestOptions{Title: title, Description: body, TargetBranch: base}
	if _, resp, err := g.c.MergeRequests.UpdateMergeRequest(g.pid, int64(p.Number), opt, gitlab.WithContext(ctx)); err != nil {
		return g.fail(fmt.Sprintf("updating merge request !%d", p.Number), resp, err)
	}
	return nil
}

func (g *gitlabBackend) addLabels(ctx context.Context, p pull, labels []string) error {
	opt := &gitlab.UpdateMergeRequestOptions{AddLabels: (*gitlab.LabelOptions)(&labels)}
	if _, resp, err := g.c.MergeRequests.UpdateMergeRequest(g.pid, int64(p.Number), opt, gitlab.WithContext(ctx)); err != nil {
		return g.fail(fmt.Sprintf("adding labels to merge request !%d", p.Number), resp, err)
	}
	return nil
}

func (g *gitlabBackend) close(ctx context.Context, p pull) error {
	opt := &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}
	if _, resp, err := g.c.MergeRequests.UpdateMergeRequest(g.pid, int64(p.Number), opt, gitlab.WithContext(ctx)); err != nil {
		return g.fail(fmt.Sprintf("closing merge request !%d", p.Number), resp, err)
	}
	return nil
}

func (g *gitlabBackend) deleteBranch(ctx context.Context, branch string) error {
	resp, err := g.c.Branches.DeleteBranch(g.pid, branch, gitlab.WithContext(ctx))
	if err != nil {
		fe := g.fail("deleting branch "+branch, resp, err)
		if fe.Status == http.StatusNotFound { // already gone
			return nil
		}
		return fe
	}
	return nil
}
