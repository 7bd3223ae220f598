package forge_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/kb/forge"
)

// giteaFake speaks the part of the Gitea/Forgejo API v1 that kbsync uses.
// Schemas follow Gitea's swagger (CreatePullRequestOption,
// EditPullRequestOption, CreateLabelOption, IssueLabelsOption,
// PullReviewRequestOptions); null means "unchanged", as Gitea reads it.
type giteaFake struct{ c *core }

func newGiteaFake(t *testing.T) *giteaFake {
	f := &giteaFake{c: newCore(t)}
	f.c.labels = []fakeLabel{{ID: 7, Name: "docs", Color: "00aabb"}}
	mux := http.NewServeMux()
	const repo = "/api/v1/repos/{owner}/{repo}"
	mux.HandleFunc("GET "+repo+"/pulls", f.repo(f.list))
	mux.HandleFunc("POST "+repo+"/pulls", f.repo(f.create))
	mux.HandleFunc("PATCH "+repo+"/pulls/{n}", f.repo(f.edit))
	mux.HandleFunc("GET "+repo+"/labels", f.repo(f.listLabels))
	mux.HandleFunc("POST "+repo+"/labels", f.repo(f.createLabel))
	mux.HandleFunc("POST "+repo+"/issues/{n}/labels", f.repo(f.addLabels))
	mux.HandleFunc("POST "+repo+"/pulls/{n}/requested_reviewers", f.repo(f.reviewers))
	mux.HandleFunc("DELETE "+repo+"/branches/{branch...}", f.repo(f.deleteBranch))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.c.violations = append(f.c.violations, "unexpected call "+r.Method+" "+r.URL.EscapedPath())
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "not found"})
	})
	f.c.start(mux,
		func(r *http.Request) bool { return r.Header.Get("Authorization") == "token "+canary },
		func(w http.ResponseWriter) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "user does not exist [uid: 0, name: ]"})
		})
	return f
}

func (f *giteaFake) core() *core  { return f.c }
func (f *giteaFake) kind() string { return "pull request" }
func (f *giteaFake) config() forge.Config {
	return forge.Config{Provider: "gitea", APIURL: f.c.srv.URL, Repo: "o/r"}
}

func (f *giteaFake) repo(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("owner") != "o" || r.PathValue("repo") != "r" {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "repository does not exist"})
			return
		}
		h(w, r)
	}
}

func (f *giteaFake) invalid(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": msg})
}

// giteaDraft is Gitea's default WORK_IN_PROGRESS_PREFIXES test.
func giteaDraft(title string) bool {
	u := strings.ToUpper(title)
	return strings.HasPrefix(u, "WIP:") || strings.HasPrefix(u, "[WIP]")
}

func (f *giteaFake) label(name string) *fakeLabel {
	for i := range f.c.labels {
		if f.c.labels[i].Name == name {
			return &f.c.labels[i]
		}
	}
	return nil
}

func (f *giteaFake) json(p *fakePR) map[string]any {
	labels := []map[string]any{}
	for _, n := range p.Labels {
		if l := f.label(n); l != nil {
			labels = append(labels, map[string]any{"id": l.ID, "name": l.Name, "color": l.Color})
		}
	}
	headRepo := map[string]any{"full_name": "o/r"}
	headID := 1
	if p.ForkHead {
		headRepo, headID = map[string]any{"full_name": "someone/r"}, 2
	}
	return map[string]any{
		"number": p.Number, "state": p.State, "title": p.Title, "body": p.Body, "draft": giteaDraft(p.Title),
		"merged": false, "html_url": fmt.Sprintf("https://gitea.example/o/r/pulls/%d", p.Number), "labels": labels,
		"head": map[string]any{"ref": p.Head, "label": p.Head, "repo_id": headID, "repo": headRepo},
		"base": map[string]any{"ref": p.Base, "label": p.Base, "repo_id": 1, "repo": map[string]any{"full_name": "o/r"}},
	}
}

func page(r *http.Request, n int) (lo, hi int) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 50 { // Gitea's MAX_RESPONSE_ITEMS default
		limit = 50
	}
	pg, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if pg <= 0 {
		pg = 1
	}
	return min((pg-1)*limit, n), min(pg*limit, n)
}

func (f *giteaFake) list(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state == "" {
		state = "open"
	}
	all := []map[string]any{}
	if f.c.hideLists > 0 {
		f.c.hideLists--
	} else {
		for _, p := range f.c.prs {
			if state == "all" || p.State == state {
				all = append(all, f.json(p))
			}
		}
	}
	lo, hi := page(r, len(all))
	writeJSON(w, http.StatusOK, all[lo:hi])
}

func (f *giteaFake) create(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{
		"head": {kind: kString, required: true}, "base": {kind: kString, required: true},
		"title": {kind: kString, required: true}, "body": {kind: kString}, "assignee": {kind: kString},
		"assignees": {kind: kStrings, nullable: true}, "reviewers": {kind: kStrings, nullable: true},
		"team_reviewers": {kind: kStrings, nullable: true}, "milestone": {kind: kInt},
		"labels": {kind: kInts, nullable: true}, "due_date": {kind: kTime, nullable: true},
	})
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	head, _ := str(obj, "head")
	base, _ := str(obj, "base")
	if !f.c.branches[head] || !f.c.branches[base] {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "branch does not exist"})
		return
	}
	if f.c.openLocked(head, base) != nil {
		writeJSON(w, http.StatusConflict, map[string]string{"message": fmt.Sprintf(
			"pull request already exists for these targets [id: 1, issue_id: 1, head_repo_id: 1, base_repo_id: 1, head_branch: %s, base_branch: %s]", head, base)})
		return
	}
	var labels []string
	for _, id := range ints(obj["labels"]) {
		i := slices.IndexFunc(f.c.labels, func(l fakeLabel) bool { return l.ID == id })
		if i < 0 {
			f.invalid(w, fmt.Sprintf("label does not exist [id: %d]", id))
			return
		}
		labels = append(labels, f.c.labels[i].Name)
	}
	assignees := strs(obj["assignees"])
	for _, a := range assignees {
		if _, ok := f.c.users[a]; !ok {
			f.invalid(w, "user does not exist [name: "+a+"]")
			return
		}
	}
	title, _ := str(obj, "title")
	body, _ := str(obj, "body")
	p := &fakePR{Number: f.c.next, Head: head, Base: base, Title: title, Body: body, State: "open",
		Draft: giteaDraft(title), Labels: labels, Assignees: assignees}
	f.c.next++
	f.c.prs = append(f.c.prs, p)
	writeJSON(w, http.StatusCreated, f.json(p))
}

func (f *giteaFake) pr(w http.ResponseWriter, r *http.Request) *fakePR {
	n, _ := strconv.Atoi(r.PathValue("n"))
	p := f.c.findLocked(n)
	if p == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "pull request does not exist"})
	}
	return p
}

func (f *giteaFake) edit(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{
		"title": {kind: kString}, "body": {kind: kString, nullable: true}, "base": {kind: kString},
		"assignee": {kind: kString}, "assignees": {kind: kStrings, nullable: true}, "milestone": {kind: kInt},
		"labels": {kind: kInts, nullable: true}, "state": {kind: kString, nullable: true, enum: []string{"open", "closed"}},
		"due_date": {kind: kTime, nullable: true}, "unset_due_date": {kind: kBool, nullable: true},
		"allow_maintainer_edit": {kind: kBool, nullable: true},
	})
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	p := f.pr(w, r)
	if p == nil {
		return
	}
	if s, _ := str(obj, "title"); s != "" {
		p.Title, p.Draft = s, giteaDraft(s)
	}
	if s, ok := str(obj, "body"); ok {
		p.Body = s
	}
	if s, _ := str(obj, "base"); s != "" {
		p.Base = s
	}
	if s, ok := str(obj, "state"); ok {
		p.State = s
	}
	if obj["labels"] != nil {
		f.c.violations = append(f.c.violations, "edit replaced the labels (kbsync should only add)")
	}
	writeJSON(w, http.StatusCreated, f.json(p))
}

func (f *giteaFake) listLabels(w http.ResponseWriter, r *http.Request) {
	all := []map[string]any{}
	for _, l := range f.c.labels {
		all = append(all, map[string]any{"id": l.ID, "name": l.Name, "color": l.Color})
	}
	lo, hi := page(r, len(all))
	writeJSON(w, http.StatusOK, all[lo:hi])
}

var colorRe = regexp.MustCompile(`^#?[0-9a-fA-F]{6}$`)

func (f *giteaFake) createLabel(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{
		"name": {kind: kString, required: true}, "color": {kind: kString, required: true},
		"description": {kind: kString}, "exclusive": {kind: kBool}, "is_archived": {kind: kBool},
	})
	if err == nil {
		if c, _ := str(obj, "color"); !colorRe.MatchString(c) {
			err = fmt.Errorf("invalid color %q", c)
			f.c.violations = append(f.c.violations, err.Error())
		}
	}
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	name, _ := str(obj, "name")
	if f.label(name) != nil {
		f.c.violations = append(f.c.violations, "created a label that exists: "+name)
	}
	color, _ := str(obj, "color")
	l := fakeLabel{ID: 100 + len(f.c.labels), Name: name, Color: strings.TrimPrefix(color, "#")}
	f.c.labels = append(f.c.labels, l)
	writeJSON(w, http.StatusCreated, map[string]any{"id": l.ID, "name": l.Name, "color": l.Color})
}

func (f *giteaFake) addLabels(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{"labels": {kind: kInts, required: true}})
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	p := f.pr(w, r)
	if p == nil {
		return
	}
	for _, id := range ints(obj["labels"]) {
		i := slices.IndexFunc(f.c.labels, func(l fakeLabel) bool { return l.ID == id })
		if i < 0 {
			f.invalid(w, fmt.Sprintf("label does not exist [id: %d]", id))
			return
		}
		f.c.addLabelLocked(p, f.c.labels[i].Name)
	}
	writeJSON(w, http.StatusOK, f.json(p)["labels"])
}

func (f *giteaFake) reviewers(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{"reviewers": {kind: kStrings, nullable: true}, "team_reviewers": {kind: kStrings, nullable: true}})
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	p := f.pr(w, r)
	if p == nil {
		return
	}
	for _, u := range strs(obj["reviewers"]) {
		if _, ok := f.c.users[u]; !ok {
			f.invalid(w, "user does not exist [name: "+u+"]")
			return
		}
	}
	p.Reviewers = append(p.Reviewers, strs(obj["reviewers"])...)
	p.TeamReviewers = append(p.TeamReviewers, strs(obj["team_reviewers"])...)
	writeJSON(w, http.StatusCreated, []any{})
}

func (f *giteaFake) deleteBranch(w http.ResponseWriter, r *http.Request) {
	b := r.PathValue("branch")
	if !f.c.branches[b] {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "branch does not exist"})
		return
	}
	delete(f.c.branches, b)
	w.WriteHeader(http.StatusNoContent)
}
