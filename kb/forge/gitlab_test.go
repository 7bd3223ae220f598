package forge_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/kb/forge"
)

// gitlabFake speaks the part of the GitLab REST API v4 that kbsync uses.
// Schemas follow https://docs.gitlab.com/api/merge_requests/ (create and
// update), /api/users/ and /api/branches/. The project is addressed by its
// URL-encoded path, g%2Fs%2Fr.
type gitlabFake struct{ c *core }

func newGitLabFake(t *testing.T) *gitlabFake {
	f := &gitlabFake{c: newCore(t)}
	mux := http.NewServeMux()
	const project = "/api/v4/projects/{id}"
	mux.HandleFunc("GET "+project+"/merge_requests", f.project(f.list))
	mux.HandleFunc("POST "+project+"/merge_requests", f.project(f.create))
	mux.HandleFunc("PUT "+project+"/merge_requests/{iid}", f.project(f.update))
	mux.HandleFunc("DELETE "+project+"/repository/branches/{branch}", f.project(f.deleteBranch))
	mux.HandleFunc("GET /api/v4/users", f.users)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.c.violations = append(f.c.violations, "unexpected call "+r.Method+" "+r.URL.EscapedPath())
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Not Found"})
	})
	f.c.start(mux,
		func(r *http.Request) bool { return r.Header.Get("Private-Token") == canary },
		func(w http.ResponseWriter) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		})
	return f
}

func (f *gitlabFake) core() *core  { return f.c }
func (f *gitlabFake) kind() string { return "merge request" }
func (f *gitlabFake) config() forge.Config {
	return forge.Config{Provider: "gitlab", APIURL: f.c.srv.URL, Repo: "g/s/r"}
}

func (f *gitlabFake) project(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The path must arrive encoded as one segment (g%2Fs%2Fr).
		if r.PathValue("id") != "g/s/r" || !strings.Contains(r.URL.EscapedPath(), "/projects/g%2Fs%2Fr/") {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Project Not Found"})
			return
		}
		h(w, r)
	}
}

func gitlabDraft(title string) bool {
	l := strings.ToLower(title)
	return strings.HasPrefix(l, "draft:") || strings.HasPrefix(l, "[draft]") || strings.HasPrefix(l, "(draft)")
}

func (f *gitlabFake) json(p *fakePR) map[string]any {
	users := func(ids []int) []map[string]any {
		out := []map[string]any{}
		for _, id := range ids {
			for name, uid := range f.c.users {
				if uid == id {
					out = append(out, map[string]any{"id": id, "username": name})
				}
			}
		}
		return out
	}
	src := 1
	if p.ForkHead {
		src = 2
	}
	labels := append([]string{}, p.Labels...)
	state := p.State
	if state == "open" {
		state = "opened"
	}
	return map[string]any{
		"id": 1000 + p.Number, "iid": p.Number, "project_id": 1, "title": p.Title, "description": p.Body,
		"state": state, "source_branch": p.Head, "target_branch": p.Base, "source_project_id": src,
		"target_project_id": 1, "labels": labels, "draft": gitlabDraft(p.Title),
		"web_url":   fmt.Sprintf("https://gitlab.example/g/s/r/-/merge_requests/%d", p.Number),
		"reviewers": users(p.ReviewerIDs), "assignees": users(p.AssigneeIDs),
	}
}

func (f *gitlabFake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	all := []map[string]any{}
	if f.c.hideLists > 0 {
		f.c.hideLists--
	} else {
		for _, p := range f.c.prs {
			st := map[string]string{"open": "opened", "closed": "closed"}[p.State]
			if (state != "" && state != "all" && state != st) || (q.Get("source_branch") != "" && q.Get("source_branch") != p.Head) {
				continue
			}
			all = append(all, f.json(p))
		}
	}
	if q.Get("sort") != "asc" { // GitLab's default is created_at desc
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 || per > 100 {
		per = 20
	}
	pg, _ := strconv.Atoi(q.Get("page"))
	if pg <= 0 {
		pg = 1
	}
	lo, hi := min((pg-1)*per, len(all)), min(pg*per, len(all))
	if hi < len(all) {
		w.Header().Set("X-Next-Page", strconv.Itoa(pg+1))
	}
	w.Header().Set("X-Page", strconv.Itoa(pg))
	w.Header().Set("X-Per-Page", strconv.Itoa(per))
	w.Header().Set("X-Total", strconv.Itoa(len(all)))
	writeJSON(w, http.StatusOK, all[lo:hi])
}

var gitlabMRFields = schema{
	"title": {kind: kString}, "description": {kind: kString}, "target_branch": {kind: kString},
	"labels": {kind: kString}, "add_labels": {kind: kString}, "remove_labels": {kind: kString},
	"assignee_id": {kind: kInt}, "assignee_ids": {kind: kInts}, "reviewer_ids": {kind: kInts},
	"milestone_id": {kind: kInt}, "remove_source_branch": {kind: kBool}, "squash": {kind: kBool},
	"allow_collaboration": {kind: kBool}, "state_event": {kind: kString, enum: []string{"close", "reopen"}},
	"discussion_locked": {kind: kBool},
}

func (f *gitlabFake) create(w http.ResponseWriter, r *http.Request) {
	s := schema{
		"source_branch": {kind: kString, required: true}, "target_branch": {kind: kString, required: true},
		"title": {kind: kString, required: true}, "target_project_id": {kind: kInt},
	}
	for k, v := range gitlabMRFields {
		if _, ok := s[k]; !ok && k != "add_labels" && k != "remove_labels" && k != "state_event" && k != "discussion_locked" {
			s[k] = v
		}
	}
	obj, err := f.c.check(r, s)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	head, _ := str(obj, "source_branch")
	base, _ := str(obj, "target_branch")
	if !f.c.branches[head] || !f.c.branches[base] {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": []string{"Source branch does not exist"}})
		return
	}
	if p := f.c.openLocked(head, base); p != nil {
		writeJSON(w, http.StatusConflict, map[string]any{"message": []string{
			fmt.Sprintf("Another open merge request already exists for this source branch: !%d", p.Number)}})
		return
	}
	title, _ := str(obj, "title")
	body, _ := str(obj, "description")
	p := &fakePR{Number: f.c.next, Head: head, Base: base, Title: title, Body: body, State: "open",
		Draft: gitlabDraft(title), ReviewerIDs: ints(obj["reviewer_ids"]), AssigneeIDs: ints(obj["assignee_ids"])}
	if l, _ := str(obj, "labels"); l != "" {
		for _, n := range strings.Split(l, ",") {
			f.c.addLabelLocked(p, strings.TrimSpace(n))
		}
	}
	f.c.next++
	f.c.prs = append(f.c.prs, p)
	writeJSON(w, http.StatusCreated, f.json(p))
}

func (f *gitlabFake) update(w http.ResponseWriter, r *http.Request) {
	obj, err := f.c.check(r, gitlabMRFields)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if len(obj) == 0 {
		f.c.violations = append(f.c.violations, "PUT without parameters")
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "at least one parameter must be provided"})
		return
	}
	n, _ := strconv.Atoi(r.PathValue("iid"))
	p := f.c.findLocked(n)
	if p == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Not found"})
		return
	}
	if s, ok := str(obj, "title"); ok {
		p.Title, p.Draft = s, gitlabDraft(s)
	}
	if s, ok := str(obj, "description"); ok {
		p.Body = s
	}
	if s, ok := str(obj, "target_branch"); ok {
		p.Base = s
	}
	if s, ok := str(obj, "add_labels"); ok {
		for _, l := range strings.Split(s, ",") {
			f.c.addLabelLocked(p, strings.TrimSpace(l))
		}
	}
	if s, ok := str(obj, "state_event"); ok {
		p.State = map[string]string{"close": "closed", "reopen": "open"}[s]
	}
	writeJSON(w, http.StatusOK, f.json(p))
}

func (f *gitlabFake) users(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("username")
	out := []map[string]any{}
	if id, ok := f.c.users[name]; ok {
		out = append(out, map[string]any{"id": id, "username": name, "name": strings.ToUpper(name[:1]) + name[1:], "state": "active"})
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *gitlabFake) deleteBranch(w http.ResponseWriter, r *http.Request) {
	b := r.PathValue("branch")
	if !f.c.branches[b] {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Branch Not Found"})
		return
	}
	delete(f.c.branches, b)
	w.WriteHeader(http.StatusNoContent)
}
