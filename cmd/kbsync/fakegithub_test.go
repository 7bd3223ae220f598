package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	stdsync "sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakePR is a pull request held by the fake GitHub.
type fakePR struct {
	Number int      `json:"number"`
	State  string   `json:"state"`
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Head   string   `json:"-"`
	Base   string   `json:"-"`
	Labels []string `json:"-"`
}

// fakegithub BARE OWNER/NAME TOKEN: a GitHub REST API on 127.0.0.1 with the
// subset kbsync uses (pulls, labels, reviewers, assignees, refs). Request
// bodies are checked against the documented required fields; a token other
// than TOKEN gets 401. It logs "METHOD PATH" lines to $WORK/forge.log, keeps
// the latest pull request body in $WORK/pr-body.md, and deletes a branch in
// the bare repository BARE when asked to. Sets $GHAPI.
func cmdFakeGitHub(ts *testscript.TestScript, neg bool, args []string) {
	bare, repo, token := ts.MkAbs(args[0]), args[1], args[2]
	var mu stdsync.Mutex
	var prs []*fakePR
	logf := func(format string, a ...any) {
		f, err := os.OpenFile(ts.MkAbs("forge.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, format+"\n", a...)
			f.Close()
		}
	}
	base := "/api/v3/repos/" + repo
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		logf("%s %s", r.Method, strings.TrimPrefix(r.URL.Path, base))
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		var in map[string]any
		var list []any // the labels endpoint also takes a bare array
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			if json.Unmarshal(b, &in) != nil {
				json.Unmarshal(b, &list)
			}
		}
		need := func(keys ...string) bool {
			for _, k := range keys {
				if _, ok := in[k]; !ok {
					ts.Logf("fakegithub: %s %s lacks %q", r.Method, r.URL.Path, k)
					http.Error(w, `{"message":"Validation Failed"}`, http.StatusUnprocessableEntity)
					return false
				}
			}
			return true
		}
		reply := func(v any) { json.NewEncoder(w).Encode(v) }
		pr := func(p *fakePR) map[string]any {
			var labels []map[string]string
			for _, l := range p.Labels {
				labels = append(labels, map[string]string{"name": l})
			}
			return map[string]any{"number": p.Number, "state": p.State, "title": p.Title, "body": p.Body,
				"html_url": fmt.Sprintf("https://github.example/%s/pull/%d", repo, p.Number), "labels": labels,
				"head": map[string]any{"ref": p.Head, "repo": map[string]any{"full_name": repo}},
				"base": map[string]any{"ref": p.Base}}
		}
		find := func() *fakePR {
			parts := strings.Split(r.URL.Path, "/")
			for i, p := range parts {
				if (p == "pulls" || p == "issues") && i+1 < len(parts) {
					n, _ := strconv.Atoi(parts[i+1])
					for _, x := range prs {
						if x.Number == n {
							return x
						}
					}
				}
			}
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return nil
		}
		path := strings.TrimPrefix(r.URL.Path, base)
		switch {
		case r.Method == "GET" && path == "/pulls":
			var out []map[string]any
			head := r.URL.Query().Get("head")
			for _, p := range prs {
				if p.State == "open" && strings.HasSuffix(head, ":"+p.Head) {
					out = append(out, pr(p))
				}
			}
			if out == nil {
				out = []map[string]any{}
			}
			reply(out)
		case r.Method == "POST" && path == "/pulls":
			if !need("title", "head", "base") {
				return
			}
			p := &fakePR{Number: len(prs) + 1, State: "open", Title: in["title"].(string), Head: in["head"].(string), Base: in["base"].(string)}
			p.Body, _ = in["body"].(string)
			prs = append(prs, p)
			os.WriteFile(ts.MkAbs("pr-body.md"), []byte(p.Body), 0o644)
			w.WriteHeader(http.StatusCreated)
			reply(pr(p))
		case r.Method == "PATCH" && strings.HasPrefix(path, "/pulls/"):
			p := find()
			if p == nil {
				return
			}
			if v, ok := in["title"].(string); ok {
				p.Title = v
			}
			if v, ok := in["body"].(string); ok {
				p.Body = v
				os.WriteFile(ts.MkAbs("pr-body.md"), []byte(p.Body), 0o644)
			}
			if v, ok := in["state"].(string); ok {
				p.State = v
			}
			reply(pr(p))
		case r.Method == "POST" && strings.HasSuffix(path, "/labels"):
			if p := find(); p != nil {
				if l, ok := in["labels"].([]any); ok {
					list = l
				}
				if len(list) == 0 {
					http.Error(w, `{"message":"Validation Failed"}`, http.StatusUnprocessableEntity)
					return
				}
				for _, l := range list {
					p.Labels = append(p.Labels, fmt.Sprint(l))
				}
				logf("labels %v", p.Labels)
				reply([]any{})
			}
		case r.Method == "POST" && strings.HasSuffix(path, "/requested_reviewers"):
			if p := find(); p != nil {
				logf("reviewers %v %v", in["reviewers"], in["team_reviewers"])
				w.WriteHeader(http.StatusCreated)
				reply(pr(p))
			}
		case r.Method == "POST" && strings.HasSuffix(path, "/assignees"):
			if p := find(); p != nil && need("assignees") {
				w.WriteHeader(http.StatusCreated)
				reply(pr(p))
			}
		case r.Method == "DELETE" && strings.HasPrefix(path, "/git/refs/heads/"):
			ref := "refs/heads/" + strings.TrimPrefix(path, "/git/refs/heads/")
			os.Remove(filepath.Join(bare, ref))
			git(ts, bare, "update-ref", "-d", ref)
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
	}))
	ts.Defer(srv.Close)
	ts.Setenv("GHAPI", srv.URL+"/api/v3/")
}
