package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v84/github"
)

type ghBackend struct {
	c           *github.Client
	owner, name string
	sc          scrubber
}

func newGitHub(cfg Config, token string, hc *http.Client, sc scrubber) (backend, error) {
	owner, name, err := splitOwnerName(GitHub, cfg.Repo, sc)
	if err != nil {
		return nil, err
	}
	c := github.NewClient(hc)
	if cfg.APIURL != "" {
		// Adds /api/v3/ for GitHub Enterprise Server unless present.
		if c, err = c.WithEnterpriseURLs(cfg.APIURL, cfg.APIURL); err != nil {
			return nil, &Error{Platform: GitHub, Op: "configuring the client", Detail: "publish.api_url is not a URL",
				Hint: "set publish.api_url like https://ghe.example.com/api/v3/"}
		}
	}
	c.UserAgent = "kbsync"
	return &ghBackend{c: c.WithAuthToken(token), owner: owner, name: name, sc: sc}, nil
}

// splitOwnerName checks an owner/name repository (GitHub and Gitea).
func splitOwnerName(platform, repo string, sc scrubber) (string, string, error) {
	parts := strings.Split(strings.Trim(repo, "/"), "/")
	if len(parts) != 2 || !segmentRe.MatchString(parts[0]) || !segmentRe.MatchString(parts[1]) ||
		parts[0] == ".." || parts[1] == ".." || parts[0] == "." || parts[1] == "." {
		return "", "", &Error{Platform: platform, Op: "configuring the client",
			Detail: fmt.Sprintf("repository %q is not owner/name", sc.clean(repo)), Hint: "set publish.repo to owner/name"}
	}
	return parts[0], strings.TrimSuffix(parts[1], ".git"), nil
}

func (g *ghBackend) platform() string { return GitHub }
func (g *ghBackend) repo() string     { return g.owner + "/" + g.name }
func (g *ghBackend) bodyLimit() int   { return GitHubBodyLimit }

func (g *ghBackend) fail(op string, resp *github.Response, err error) *Error {
	f := failure{op: op + " in " + g.repo(), err: err}
	if resp != nil && resp.Response != nil {
		f.status, f.header = resp.StatusCode, resp.Header
	}
	f.message = ghMessage(err)
	return g.sc.fail(GitHub, f)
}

// ghMessage collects the server's words from go-github's error types
// (never their Error(), which prints the request URL).
func ghMessage(err error) string {
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	switch {
	case errors.As(err, &er):
		parts := []string{er.Message}
		for _, e := range er.Errors {
			switch {
			case e.Message != "":
				parts = append(parts, e.Message)
			case e.Field != "":
				parts = append(parts, e.Field+" "+e.Code)
			}
		}
		return strings.Join(parts, ": ")
	case errors.As(err, &rl):
		return rl.Message
	case errors.As(err, &ab):
		return ab.Message
	}
	return ""
}

func (g *ghBackend) open(ctx context.Context, head string) ([]pull, error) {
	opts := &github.PullRequestListOptions{State: "open", Head: g.owner + ":" + head, Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: 100}}
	var out []pull
	for {
		prs, resp, err := g.c.PullRequests.List(ctx, g.owner, g.name, opts)
		if err != nil {
			return nil, g.fail("listing pull requests", resp, err)
		}
		for _, p := range prs {
			// A fork's branch of the same name is someone else's request.
			if pl := g.pull(p); pl.SameRepo && p.GetHead().GetRef() == head && p.GetState() != "closed" {
				out = append(out, pl)
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func (g *ghBackend) pull(p *github.PullRequest) pull {
	var labels []string
	for _, l := range p.Labels {
		labels = append(labels, l.GetName())
	}
	return pull{
		Number: p.GetNumber(), URL: p.GetHTMLURL(), Title: p.GetTitle(), Body: p.GetBody(),
		Base: p.GetBase().GetRef(), Labels: labels,
		SameRepo: strings.EqualFold(p.GetHead().GetRepo().GetFullName(), g.repo()),
	}
}

func (g *ghBackend) create(ctx context.Context, req Request, title, body string) (pull, []string, error) {
	np := &github.NewPullRequest{Title: &title, Head: &req.Head, Base: &req.Base, Body: &body}
	if req.Draft {
		np.Draft = github.Ptr(true)
	}
	var warns []string
	p, resp, err := g.c.PullRequests.Create(ctx, g.owner, g.name, np)
	if err != nil && req.Draft && strings.Contains(strings.ToLower(ghMessage(err)), "draft pull requests are not supported") {
		// Private repositories on free plans have no drafts.
		warns = append(warns, "github: draft pull requests are not supported in "+g.repo()+"; opened a ready one")
		np.Draft = nil
		p, resp, err = g.c.PullRequests.Create(ctx, g.owner, g.name, np)
	}
	if err != nil {
		fe := g.fail("creating pull request", resp, err)
		if fe.Status == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(ghMessage(err)), "already exists") {
			fe.exists = true
		}
		return pull{}, nil, fe
	}
	out := g.pull(p)
	n := out.Number
	if labels := missingLabels(nil, req.Labels); len(labels) > 0 {
		if err := g.addLabels(ctx, out, labels); err != nil {
			warns = append(warns, err.Error())
		}
	}
	users, teams := splitReviewers(req.Reviewers)
	if len(users)+len(teams) > 0 {
		_, resp, err := g.c.PullRequests.RequestReviewers(ctx, g.owner, g.name, n,
			github.ReviewersRequest{Reviewers: users, TeamReviewers: teams})
		if err != nil {
			warns = append(warns, g.fail(fmt.Sprintf("requesting reviewers on pull request #%d", n), resp, err).Error())
		}
	}
	if as := cleanNames(req.Assignees); len(as) > 0 {
		if _, resp, err := g.c.Issues.AddAssignees(ctx, g.owner, g.name, n, as); err != nil {
			warns = append(warns, g.fail(fmt.Sprintf("adding assignees to pull request #%d", n), resp, err).Error())
		}
	}
	return out, warns, nil
}

func (g *ghBackend) wantTitle(_ pull, title string) string { return title }

func (g *ghBackend) edit(ctx context.Context, p pull, title, body, base *string) error {
	upd := &github.PullRequest{Title: title, Body: body}
	if base != nil {
		upd.Base = &github.PullRequestBranch{Ref: base}
	}
	_, resp, err := g.c.PullRequests.Edit(ctx, g.owner, g.name, p.Number, upd)
	if err != nil {
		return g.fail(fmt.Sprintf("updating pull request #%d", p.Number), resp, err)
	}
	return nil
}

func (g *ghBackend) addLabels(ctx context.Context, p pull, labels []string) error {
	// The issues API creates labels that do not exist yet.
	if _, resp, err := g.c.Issues.AddLabelsToIssue(ctx, g.owner, g.name, p.Number, labels); err != nil {
		return g.fail(fmt.Sprintf("adding labels to pull request #%d", p.Number), resp, err)
	}
	return nil
}

func (g *ghBackend) close(ctx context.Context, p pull) error {
	_, resp, err := g.c.PullRequests.Edit(ctx, g.owner, g.name, p.Number, &github.PullRequest{State: github.Ptr("closed")})
	if err != nil {
		return g.fail(fmt.Sprintf("closing pull request #%d", p.Number), resp, err)
	}
	return nil
}

func (g *ghBackend) deleteBranch(ctx context.Context, branch string) error {
	resp, err := g.c.Git.DeleteRef(ctx, g.owner, g.name, "heads/"+branch)
	if err != nil {
		fe := g.fail("deleting branch "+branch, resp, err)
		// Already gone (deleted on close by the repository setting).
		if fe.Status == http.StatusNotFound || (fe.Status == http.StatusUnprocessableEntity &&
			strings.Contains(strings.ToLower(ghMessage(err)), "reference does not exist")) {
			return nil
		}
		return fe
	}
	return nil
}

// splitReviewers sends "org/team" to team reviewers (by slug) and the rest
// to user reviewers.
func splitReviewers(names []string) (users, teams []string) {
	for _, n := range cleanNames(names) {
		if i := strings.LastIndexByte(n, '/'); i >= 0 {
			teams = append(teams, n[i+1:])
		} else {
			users = append(users, n)
		}
	}
	return users, teams
}

// cleanNames trims, drops a leading @ and empty or repeated names.
func cleanNames(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimPrefix(strings.TrimSpace(n), "@")
		if n == "" || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		out = append(out, n)
	}
	return out
}
