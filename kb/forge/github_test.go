package forge_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/kb/forge"
)

// githubFake speaks the part of the GitHub REST API (as served by GitHub
// Enterprise under /api/v3) that kbsync uses. Schemas follow
// https://docs.github.com/rest/pulls/pulls and .../issues.
type githubFake struct{ c *core }

func newGitHubFake(t *testing.T) *githubFake {
	f := &githubFake{c: newCore(t)}
	mux := http.NewServeMux()
	const repo = "/api/v3/repos/{owner}/{repo}"
	mux.HandleFunc("GET "+repo+"/pulls", f.repo(f.list))
	mux.HandleFunc("POST "+repo+"/pulls", f.repo(f.create))
	mux.HandleFunc("PATCH "+repo+"/pulls/{n}", f.repo(f.edit))
	mux.HandleFunc("POST "+repo+"/issues/{n}/labels", f.repo(f.labels))
	mux.HandleFunc("POST "+repo+"/pulls/{n}/requested_reviewers", f.repo(f.reviewers))
	mux.HandleFunc("POST "+repo+"/issues/{n}/assignees", f.repo(f.assignees))
	mux.HandleFunc("DELETE "+repo+"/git/refs/{ref...}", f.repo(f.deleteRef))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.c.violations = append(f.c.violations, "unexpected call "+r.Method+" "+r.URL.EscapedPath())
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	})
	f.c.start(mux,
		func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+canary },
		func(w http.ResponseWriter) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		})
	return f
}

func (f *githubFake) core() *core  { return f.c }
func (f *githubFake) kind() string { return "pull request" }
func (f *githubFake) config() forge.Config {
	return forge.Config{Provider: "github", APIURL: f.c.srv.URL + "/api/v3/", Repo: "o/r"}
}

func (f *githubFake) repo(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("owner") != "o" || r.PathValue("repo") != "r" {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		h(w, r)
	}
}

func (f *githubFake) invalid(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
		"errors": []map[string]string{{"resource": "PullRequest", "code": "custom", "message": msg}}})
}

func (f *githubFake) json(p *fakePR) map[string]any {
	labels := []map[string]string{}
	for _, l := range p.Labels {
		labels = append(labels, map[string]string{"name": l})
	}
	headRepo := "o/r"
	if p.ForkHead {
		headRepo = "someone/r"
	}
	return map[string]any{
		"number": p.Number, "state": p.State, "title": p.Title, "body": p.Body, "draft": p.Draft,
		"html_url": fmt.Sprintf("https://github.example/o/r/pull/%d", p.Number),
		"head":     map[string]any{"ref": p.Head, "label": strings.Split(headRepo, "/")[0] + ":" + p.Head, "repo": map[string]string{"full_name": headRepo}},
		"base":     map[string]any{"ref": p.Base, "repo": map[string]string{"full_name": "o/r"}},
		"labels":   labels,
	}
}

func (f *githubFake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var all []map[string]any
	if f.c.hideLists > 0 {
		f.c.hideLists--
	} else {
		for _, p := range f.c.prs {
			label := "o:" + p.Head
			if p.ForkHead {
				label = "someone:" + p.Head
			}
			if (state != "all" && p.State != state) || (q.Get("head") != "" && q.Get("head") != label) ||
				(q.Get("base") != "" && q.Get("base") != p.Base) {
				continue
			}
			all = append(all, f.json(p))
		}
	}
	if q.Get("direction") == "desc" || (q.Get("direction") == "" && q.Get("sort") == "") {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	lo, hi := min((page-1)*per, len(all)), min(page*per, len(all))
	if hi < len(all) {
		next := *r.URL
		nq := next.Query()
		nq.Set("page", strconv.Itoa(page+1))
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, f.c.srv.URL, next.String()))
	}
	writeJSON(w, http.StatusOK, append([]map[string]any{}, all[lo:hi]...))
}

func (f *githubFake) create(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{
		"title": {kind: kString, required: true}, "head": {kind: kString, required: true},
		"base": {kind: kString, required: true}, "head_repo": {kind: kString}, "body": {kind: kString},
		"maintainer_can_modify": {kind: kBool}, "draft": {kind: kBool}, "issue": {kind: kInt},
	})
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	head, _ := str(obj, "head")
	base, _ := str(obj, "base")
	if !f.c.branches[head] {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
			"errors": []map[string]string{{"resource": "PullRequest", "field": "head", "code": "invalid"}}})
		return
	}
	if !f.c.branches[base] {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
			"errors": []map[string]string{{"resource": "PullRequest", "field": "base", "code": "invalid"}}})
		return
	}
	if f.c.openLocked(head, base) != nil {
		f.invalid(w, "A pull request already exists for o:"+head+".")
		return
	}
	title, _ := str(obj, "title")
	body, _ := str(obj, "body")
	draft, _ := obj["draft"].(bool)
	p := &fakePR{Number: f.c.next, Head: head, Base: base, Title: title, Body: body, State: "open", Draft: draft}
	f.c.next++
	f.c.prs = append(f.c.prs, p)
	writeJSON(w, http.StatusCreated, f.json(p))
}

func (f *githubFake) pr(w http.ResponseWriter, r *http.Request) *fakePR {
	n, _ := strconv.Atoi(r.PathValue("n"))
	p := f.c.findLocked(n)
	if p == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
	return p
}

func (f *githubFake) edit(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{
		"title": {kind: kString}, "body": {kind: kString}, "state": {kind: kString, enum: []string{"open", "closed"}},
		"base": {kind: kString}, "maintainer_can_modify": {kind: kBool},
	})
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	p := f.pr(w, r)
	if p == nil {
		return
	}
	if s, ok := str(obj, "title"); ok {
		p.Title = s
	}
	if s, ok := str(obj, "body"); ok {
		p.Body = s
	}
	if s, ok := str(obj, "state"); ok {
		p.State = s
	}
	if s, ok := str(obj, "base"); ok {
		p.Base = s
	}
	writeJSON(w, http.StatusOK, f.json(p))
}

func (f *githubFake) labels(w http.ResponseWriter, r *http.Request) {
	// Documented bodies: {"labels": ["a"]} or a bare array of names.
	raw, _ := io.ReadAll(r.Body)
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		obj, err := validate(raw, schema{"labels": {kind: kStrings, required: true}})
		if err != nil {
			f.c.violations = append(f.c.violations, "labels: "+err.Error())
			f.invalid(w, err.Error())
			return
		}
		names = strs(obj["labels"])
	}
	if len(names) == 0 {
		f.c.violations = append(f.c.violations, "labels: empty list")
		f.invalid(w, "labels must not be empty")
		return
	}
	p := f.pr(w, r)
	if p == nil {
		return
	}
	for _, n := range names {
		f.c.addLabelLocked(p, n) // GitHub creates missing labels
	}
	writeJSON(w, http.StatusOK, f.json(p)["labels"])
}

func (f *githubFake) reviewers(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{"reviewers": {kind: kStrings}, "team_reviewers": {kind: kStrings}})
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
			f.invalid(w, "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the o/r repository.")
			return
		}
	}
	p.Reviewers = append(p.Reviewers, strs(obj["reviewers"])...)
	p.TeamReviewers = append(p.TeamReviewers, strs(obj["team_reviewers"])...)
	writeJSON(w, http.StatusCreated, f.json(p))
}

func (f *githubFake) assignees(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, schema{"assignees": {kind: kStrings}})
	if err != nil {
		f.invalid(w, err.Error())
		return
	}
	p := f.pr(w, r)
	if p == nil {
		return
	}
	p.Assignees = append(p.Assignees, strs(obj["assignees"])...)
	writeJSON(w, http.StatusCreated, f.json(p))
}

func (f *githubFake) deleteRef(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	branch, ok := strings.CutPrefix(ref, "heads/")
	if !ok || !f.c.branches[branch] {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Reference does not exist"})
		return
	}
	delete(f.c.branches, branch)
	w.WriteHeader(http.StatusNoContent)
}
