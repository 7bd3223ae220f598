package forge

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"code.gitea.io/sdk/gitea"
)

// giteaDraftPrefix is Gitea's and Forgejo's default work-in-progress marker
// (WORK_IN_PROGRESS_PREFIXES); the API has no draft flag.
const giteaDraftPrefix = "WIP: "

// newLabelColor is the color of labels kbsync has to create.
const newLabelColor = "#ededed"

type giteaBackend struct {
	url, token  string
	hc          *http.Client
	owner, name string
	sc          scrubber
}

func newGitea(cfg Config, token string, hc *http.Client, sc scrubber) (backend, error) {
	owner, name, err := splitOwnerName(Gitea, cfg.Repo, sc)
	if err != nil {
		return nil, err
	}
	if cfg.APIURL == "" {
		return nil, &Error{Platform: Gitea, Op: "configuring the client", Hint: "set publish.api_url to the server's address, e.g. https://gitea.example.com/"}
	}
	// The SDK adds /api/v1 itself.
	base := strings.TrimRight(cfg.APIURL, "/")
	base = strings.TrimSuffix(base, "/api/v1")
	return &giteaBackend{url: base, token: token, hc: hc, owner: owner, name: name, sc: sc}, nil
}

// client binds ctx: the SDK keeps the context on the client, so each call
// gets its own (no network I/O here; the version probe is skipped, which
// needs Gitea 1.14 or later, or any Forgejo).
func (g *giteaBackend) client(ctx context.Context) (*gitea.Client, error) {
	c, err := gitea.NewClient(g.url, gitea.SetToken(g.token), gitea.SetHTTPClient(g.hc), gitea.SetContext(ctx),
		gitea.SetGiteaVersion(""), gitea.SetUserAgent("kbsync"))
	if err != nil {
		return nil, &Error{Platform: Gitea, Op: "configuring the client", Detail: g.sc.clean(err.Error()),
			Hint: "check publish.api_url"}
	}
	return c, nil
}

func (g *giteaBackend) platform() string { return Gitea }
func (g *giteaBackend) repo() string     { return g.owner + "/" + g.name }
func (g *giteaBackend) bodyLimit() int   { return GiteaBodyLimit }

func (g *giteaBackend) fail(op string, resp *gitea.Response, err error) *Error {
	f := failure{op: op + " in " + g.repo(), err: err}
	if resp != nil && resp.Response != nil {
		f.status, f.header = resp.StatusCode, resp.Header
		if err != nil && f.status >= 300 {
			// The SDK's error text is the server's "message".
			f.message = err.Error()
		}
	}
	return g.sc.fail(Gitea, f)
}

func (g *giteaBackend) open(ctx context.Context, head string) ([]pull, error) {
	c, err := g.client(ctx)
	if err != nil {
		return nil, err
	}
	const size = 50
	var out []pull
	for page := 1; page <= 200; page++ {
		prs, resp, err := c.ListRepoPullRequests(g.owner, g.name, gitea.ListPullRequestsOptions{
			ListOptions: gitea.ListOptions{Page: page, PageSize: size}, State: gitea.StateOpen})
		if err != nil {
			return nil, g.fail("listing pull requests", resp, err)
		}
		for _, p := range prs {
			if p.Head == nil || p.Head.Ref != head || p.State != gitea.StateOpen || p.HasMerged {
				continue
			}
			// A fork's branch of the same name is someone else's request.
			if pl := g.pull(p); pl.SameRepo {
				out = append(out, pl)
			}
		}
		if len(prs) == 0 || (resp.NextPage == 0 && len(prs) < size) {
			break
		}
	}
	return out, nil
}

func (g *giteaBackend) pull(p *gitea.PullRequest) pull {
	var labels []string
	for _, l := range p.Labels {
		labels = append(labels, l.Name)
	}
	out := pull{Number: int(p.Index), URL: p.HTMLURL, Title: p.Title, Body: p.Body, Labels: labels}
	if p.Base != nil {
		out.Base = p.Base.Ref
		out.SameRepo = p.Head.RepoID != 0 && p.Head.RepoID == p.Base.RepoID
		if p.Head.Repository != nil && p.Base.Repository != nil {
			out.SameRepo = strings.EqualFold(p.Head.Repository.FullName, p.Base.Repository.FullName)
		}
	}
	return out
}

func (g *giteaBackend) create(ctx context.Context, req Request, title, body string) (pull, []string, error) {
	c, err := g.client(ctx)
	if err != nil {
		return pull{}, nil, err
	}
	var warns []string
	ids, err := g.labelIDs(c, missingLabels(nil, req.Labels))
	if err != nil {
		// Open the pull request anyway; the next run adds the labels.
		warns = append(warns, err.Error())
	}
	if req.Draft {
		title = cutRunes(giteaDraftPrefix+title, titleLimit)
	}
	p, resp, err := c.CreatePullRequest(g.owner, g.name, gitea.CreatePullRequestOption{
		Head: req.Head, Base: req.Base, Title: title, Body: body,
		Assignees: cleanNames(req.Assignees), Labels: ids,
	})
	if err != nil {
		fe := g.fail("creating pull request", resp, err)
		fe.exists = fe.Status == http.StatusConflict ||
			(fe.Status == http.StatusUnprocessableEntity && strings.Contains(strings.ToLower(err.Error()), "already exists"))
		return pull{}, nil, fe
	}
	out := g.pull(p)
	users, teams := splitReviewers(req.Reviewers)
	if len(users)+len(teams) > 0 {
		resp, err := c.CreateReviewRequests(g.owner, g.name, p.Index, gitea.PullReviewRequestOptions{Reviewers: users, TeamReviewers: teams})
		if err != nil {
			warns = append(warns, g.fail(fmt.Sprintf("requesting reviewers on pull request #%d", p.Index), resp, err).Error())
		}
	}
	return out, warns, nil
}

// labelIDs maps label names to ids, creating the missing labels.
func (g *giteaBackend) labelIDs(c *gitea.Client, names []string) ([]int64, error) {
	if len(names) == 0 {
		return nil, nil
	}
	const size = 50
	exact, folded := map[string]int64{}, map[string]int64{}
	for page := 1; page <= 200; page++ {
		labels, resp, err := c.ListRepoLabels(g.owner, g.name, gitea.ListLabelsOptions{ListOptions: gitea.ListOptions{Page: page, PageSize: size}})
		if err != nil {
			return nil, g.fail("listing labels", resp, err)
		}
		for _, l := range labels {
			exact[l.Name] = l.ID
			if _, ok := folded[strings.ToLower(l.Name)]; !ok {
				folded[strings.ToLower(l.Name)] = l.ID
			}
		}
		if len(labels) == 0 || (resp.NextPage == 0 && len(labels) < size) {
			break
		}
	}
	var ids []int64
	for _, n := range names {
		if id, ok := exact[n]; ok {
			ids = append(ids, id)
			continue
		}
		if id, ok := folded[strings.ToLower(n)]; ok {
			ids = append(ids, id)
			continue
		}
		l, resp, err := c.CreateLabel(g.owner, g.name, gitea.CreateLabelOption{Name: n, Color: newLabelColor,
			Description: "Added by kbsync"})
		if err != nil {
			return ids, g.fail(fmt.Sprintf("creating label %q", n), resp, err)
		}
		ids = append(ids, l.ID)
	}
	return ids, nil
}

func (g *giteaBackend) wantTitle(p pull, title string) string {
	return cutRunes(draftPrefix(p.Title, "WIP:", "[WIP]")+title, titleLimit)
}

func (g *giteaBackend) edit(ctx context.Context, p pull, title, body, base *string) error {
	c, err := g.client(ctx)
	if err != nil {
		return err
	}
	// Gitea leaves empty title and base and null body unchanged.
	opt := gitea.EditPullRequestOption{Body: body}
	if title != nil {
		opt.Title = *title
	}
	if base != nil {
		opt.Base = *base
	}
	if _, resp, err := c.EditPullRequest(g.owner, g.name, int64(p.Number), opt); err != nil {
		return g.fail(fmt.Sprintf("updating pull request #%d", p.Number), resp, err)
	}
	return nil
}

func (g *giteaBackend) addLabels(ctx context.Context, p pull, labels []string) error {
	c, err := g.client(ctx)
	if err != nil {
		return err
	}
	ids, err := g.labelIDs(c, labels)
	if len(ids) > 0 {
		if _, resp, aerr := c.AddIssueLabels(g.owner, g.name, int64(p.Number), gitea.IssueLabelsOption{Labels: ids}); aerr != nil {
			return g.fail(fmt.Sprintf("adding labels to pull request #%d", p.Number), resp, aerr)
		}
	}
	return err
}

func (g *giteaBackend) close(ctx context.Context, p pull) error {
	c, err := g.client(ctx)
	if err != nil {
		return err
	}
	closed := gitea.StateClosed
	if _, resp, err := c.EditPullRequest(g.owner, g.name, int64(p.Number), gitea.EditPullRequestOption{State: &closed}); err != nil {
		return g.fail(fmt.Sprintf("closing pull request #%d", p.Number), resp, err)
	}
	return nil
}

func (g *giteaBackend) deleteBranch(ctx context.Context, branch string) error {
	c, err := g.client(ctx)
	if err != nil {
		return err
	}
	// The SDK returns the status without reading the error body.
	ok, resp, err := c.DeleteRepoBranch(g.owner, g.name, branch)
	switch {
	case err != nil:
		return g.fail("deleting branch "+branch, resp, err)
	case ok, resp.StatusCode == http.StatusNotFound: // 404: already gone
		return nil
	case resp.StatusCode >= 300:
		return g.fail("deleting branch "+branch, resp, nil)
	}
	return nil
}

// draftPrefix returns the draft marker title starts with (as written, with
// the space after it), or "".
func draftPrefix(title string, markers ...string) string {
	for _, m := range markers {
		if len(title) >= len(m) && strings.EqualFold(title[:len(m)], m) {
			rest := title[len(m):]
			return title[:len(m)] + rest[:len(rest)-len(strings.TrimLeft(rest, " "))]
		}
	}
	return ""
}
