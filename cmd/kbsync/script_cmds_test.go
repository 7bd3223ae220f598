package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v3"
)

// scriptCmds are the custom commands of the end-to-end scripts. The counts
// they compute come from the raw export files, never from kbsync's code.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"solved":       cmdSolved,
	"articles":     cmdArticles,
	"frontmatter":  cmdFrontMatter,
	"gitclean":     cmdGitClean,
	"commits":      cmdCommits,
	"reportcount":  cmdReportCount,
	"mkkb":         cmdMkKB,
	"gitcommitall": cmdGitCommitAll,
	"truncate":     cmdTruncate,
	"sametree":     cmdSameTree,
	"allmatch":     cmdAllMatch,
	"mkbare":       cmdMkBare,
	"githttp":      cmdGitHTTP,
	"gitdaemon":    cmdGitDaemon,
	"nocanary":     cmdNoCanary,
	"killloop":     cmdKillLoop,
	"nodupcommits": cmdNoDupCommits,
	"sleep":        cmdSleep,
	"fakegithub":   cmdFakeGitHub,
}

func filterScripts(t *testing.T, files []string, pattern string) []string {
	if pattern == "" {
		return files
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if re.MatchString(filepath.Base(f)) {
			out = append(out, f)
		}
	}
	return out
}

// solved FORMAT PATH N: the export holds N threads whose accepted answer is
// present, counted here straight from the raw files.
func cmdSolved(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: solved FORMAT PATH N")
	}
	var n int
	var err error
	switch args[0] {
	case "stackexchange":
		n, err = countSE(ts.MkAbs(args[1]))
	case "discourse":
		n, err = countDiscourse(ts.MkAbs(args[1]))
	case "github":
		n, err = countGitHub(ts.MkAbs(args[1]))
	default:
		ts.Fatalf("solved: unknown format %s", args[0])
	}
	ts.Check(err)
	want, _ := strconv.Atoi(args[2])
	if (n == want) == neg {
		ts.Fatalf("solved: counted %d solved threads in %s, want %d", n, args[1], want)
	}
}

func countSE(dir string) (int, error) {
	f, err := os.Open(filepath.Join(dir, "Posts.xml"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	accepted := map[string]string{} // answer id -> question id
	parent := map[string]string{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "row" {
			continue
		}
		a := map[string]string{}
		for _, at := range se.Attr {
			a[at.Name.Local] = at.Value
		}
		switch a["PostTypeId"] {
		case "1":
			if a["AcceptedAnswerId"] != "" {
				accepted[a["AcceptedAnswerId"]] = a["Id"]
			}
		case "2":
			parent[a["Id"]] = a["ParentId"]
		}
	}
	n := 0
	for ans, q := range accepted {
		if parent[ans] == q {
			n++
		}
	}
	return n, nil
}

func countDiscourse(dir string) (int, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	n := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			return 0, err
		}
		var topic struct {
			Archetype      string `json:"archetype"`
			AcceptedAnswer *struct {
				PostNumber int `json:"post_number"`
			} `json:"accepted_answer"`
			PostStream struct {
				Posts []struct {
					PostNumber int  `json:"post_number"`
					PostType   int  `json:"post_type"`
					Accepted   bool `json:"accepted_answer"`
				} `json:"posts"`
			} `json:"post_stream"`
		}
		if err := json.Unmarshal(b, &topic); err != nil {
			return 0, fmt.Errorf("%s: %w", file, err)
		}
		if topic.Archetype == "private_message" {
			continue
		}
		for _, p := range topic.PostStream.Posts {
			if p.PostNumber > 1 && p.PostType == 1 && (p.Accepted || (topic.AcceptedAnswer != nil && topic.AcceptedAnswer.PostNumber == p.PostNumber)) {
				n++
				break
			}
		}
	}
	return n, nil
}

func countGitHub(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var nodes []map[string]any
	if err := json.Unmarshal(b, &nodes); err != nil {
		return 0, err
	}
	n := 0
	for _, node := range nodes {
		if node["answer"] != nil {
			n++
		}
	}
	return n, nil
}

// articles DIR N: DIR holds N articles (Markdown files other than the
// generated index pages).
func cmdArticles(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: articles DIR N")
	}
	files := articleFiles(ts.MkAbs(args[0]))
	want, _ := strconv.Atoi(args[1])
	if (len(files) == want) == neg {
		ts.Fatalf("articles: %s holds %d articles, want %d", args[0], len(files), want)
	}
}

var requiredKeys = []string{"title", "source", "source_id", "source_url", "answer_id", "answer_url",
	"question_author", "answer_author", "tags", "date", "lastmod"}

// frontmatter DIR: every article's front matter parses as YAML with every
// required key, a non-empty title and RFC 3339 dates.
func cmdFrontMatter(ts *testscript.TestScript, neg bool, args []string) {
	files := articleFiles(ts.MkAbs(args[0]))
	if len(files) == 0 {
		ts.Fatalf("frontmatter: no articles in %s", args[0])
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		ts.Check(err)
		if !bytes.HasPrefix(b, []byte("---\n")) {
			ts.Fatalf("%s: no front matter", f)
		}
		end := bytes.Index(b[4:], []byte("\n---\n"))
		if end < 0 {
			ts.Fatalf("%s: front matter not closed", f)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b[4:4+end], &m); err != nil {
			ts.Fatalf("%s: %v", f, err)
		}
		for _, k := range requiredKeys {
			if _, ok := m[k]; !ok {
				ts.Fatalf("%s: front matter lacks %s", f, k)
			}
		}
		if s, _ := m["title"].(string); strings.TrimSpace(s) == "" {
			ts.Fatalf("%s: empty title", f)
		}
		for _, k := range []string{"date", "lastmod"} {
			if s, _ := m[k].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(s) {
				ts.Fatalf("%s: %s %q is not RFC 3339 UTC", f, k, m[k])
			}
		}
	}
}

func git(ts *testscript.TestScript, dir string, args ...string) string {
	cmd := exec.Command("git", append([]string{"-C", ts.MkAbs(dir), "-c", "gc.autoDetach=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+ts.Getenv("HOME"),
		"GIT_AUTHOR_NAME=A Writer", "GIT_AUTHOR_EMAIL=writer@example.com",
		"GIT_COMMITTER_NAME=A Writer", "GIT_COMMITTER_EMAIL=writer@example.com",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		ts.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// gitclean DIR: git fsck --strict is clean and the working tree has no
// change against HEAD.
func cmdGitClean(ts *testscript.TestScript, neg bool, args []string) {
	git(ts, args[0], "fsck", "--strict", "--no-progress")
	if st := git(ts, args[0], "status", "--porcelain"); (st == "") == neg {
		ts.Fatalf("gitclean: git status in %s:\n%s", args[0], st)
	}
}

// commits DIR N [REF]: REF (default HEAD) has N commits.
func cmdCommits(ts *testscript.TestScript, neg bool, args []string) {
	ref := "HEAD"
	if len(args) == 3 {
		ref = args[2]
	}
	got := strings.TrimSpace(git(ts, args[0], "rev-list", "--count", ref))
	if (got == args[1]) == neg {
		ts.Fatalf("commits: %s has %s commits on %s, want %s", args[0], got, ref, args[1])
	}
}

// reportcount FILE KEY N: the JSON report's counts.KEY (or skipped.KEY
// with skipped.KEY) is N.
func cmdReportCount(ts *testscript.TestScript, neg bool, args []string) {
	var rep map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &rep))
	section, key := "counts", args[1]
	if s, k, ok := strings.Cut(key, "."); ok {
		section, key = s, k
	}
	m, _ := rep[section].(map[string]any)
	got := fmt.Sprint(m[key])
	if (got == args[2]) == neg {
		ts.Fatalf("reportcount: %s.%s = %s, want %s", section, key, got, args[2])
	}
}

// mkkb DIR: a git repository with one commit by a writer, made with the
// git binary, as a team's existing knowledge base would be.
func cmdMkKB(ts *testscript.TestScript, neg bool, args []string) {
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	git(ts, args[0], "init", "-q", "-b", "main")
	ts.Check(os.WriteFile(filepath.Join(dir, "README.md"), []byte("# Our knowledge base\n"), 0o644))
	git(ts, args[0], "add", "README.md")
	git(ts, args[0], "commit", "-q", "-m", "Start the knowledge base")
}

// gitcommitall DIR MESSAGE: a writer commits everything in DIR.
func cmdGitCommitAll(ts *testscript.TestScript, neg bool, args []string) {
	git(ts, args[0], "add", "-A")
	git(ts, args[0], "commit", "-q", "-m", args[1])
}

// truncate FILE N: keep the first N bytes of FILE.
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
}

// sametree A B [PATH...]: the HEAD trees of two repositories (or the given
// folders of them) are identical, which means byte-identical files.
func cmdSameTree(ts *testscript.TestScript, neg bool, args []string) {
	paths := args[2:]
	if len(paths) == 0 {
		paths = []string{""}
	}
	for _, p := range paths {
		a := strings.TrimSpace(git(ts, args[0], "rev-parse", "HEAD:"+p))
		b := strings.TrimSpace(git(ts, args[1], "rev-parse", "HEAD:"+p))
		if (a == b) == neg {
			ts.Fatalf("sametree: %s has %s at %q, %s has %s", args[0], a, p, args[1], b)
		}
	}
}

// allmatch DIR REGEXP: every article in DIR matches the (multi-line) regexp;
// with !, none does.
func cmdAllMatch(ts *testscript.TestScript, neg bool, args []string) {
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	files := articleFiles(ts.MkAbs(args[0]))
	if len(files) == 0 {
		ts.Fatalf("allmatch: no articles in %s", args[0])
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		ts.Check(err)
		if re.Match(b) == neg {
			ts.Fatalf("allmatch: %s %s %s", f, map[bool]string{false: "does not match", true: "matches"}[neg], args[1])
		}
	}
}

// killloop N MAXMS ARGS... [--or-- ARGS...]: N times, start kbsync with the
// next argument list in turn, SIGKILL it after a random delay of up to MAXMS
// milliseconds (or let it finish), and check with git fsck --strict that the
// knowledge base named by --kb is sound.
func cmdKillLoop(ts *testscript.TestScript, neg bool, args []string) {
	n, _ := strconv.Atoi(args[0])
	maxMS, _ := strconv.Atoi(args[1])
	var variants [][]string
	cur := []string{}
	for _, a := range args[2:] {
		if a == "--or--" {
			variants, cur = append(variants, cur), []string{}
			continue
		}
		cur = append(cur, a)
	}
	variants = append(variants, cur)
	bin, err := exec.LookPath("kbsync")
	if err != nil {
		// The scripts' PATH, not the test process's, holds the command.
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if _, err := os.Stat(filepath.Join(dir, "kbsync")); err == nil {
				bin = filepath.Join(dir, "kbsync")
				break
			}
		}
	}
	if bin == "" {
		ts.Fatalf("killloop: kbsync not found")
	}
	rng := rand.New(rand.NewPCG(uint64(n), uint64(maxMS)))
	killed := 0
	for i := range n {
		v := variants[i%len(variants)]
		kbDir := ""
		for j, a := range v {
			if a == "--kb" && j+1 < len(v) {
				kbDir = v[j+1]
			}
		}
		cmd := exec.Command(bin, v...)
		cmd.Dir = ts.MkAbs(".")
		cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("HOME"), "SOURCE_DATE_EPOCH="+ts.Getenv("SOURCE_DATE_EPOCH"))
		ts.Check(cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(time.Duration(rng.IntN(maxMS+1)) * time.Millisecond):
			cmd.Process.Kill()
			<-done
			killed++
		}
		if _, err := os.Stat(filepath.Join(ts.MkAbs(kbDir), ".git")); err == nil {
			git(ts, kbDir, "fsck", "--strict", "--no-progress")
		}
	}
	ts.Logf("killloop: %d runs, %d killed", n, killed)
	if killed == 0 {
		ts.Fatalf("killloop: no run was killed; raise N or lower MAXMS")
	}
}

// nodupcommits DIR: no commit on HEAD has the same tree as its parent (an
// interrupted run that was re-run did not commit the same change twice).
func cmdNoDupCommits(ts *testscript.TestScript, neg bool, args []string) {
	out := git(ts, args[0], "log", "--format=%T %P")
	trees := map[string]string{}
	var lines [][]string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		lines = append(lines, f)
	}
	commits := strings.Fields(git(ts, args[0], "log", "--format=%H"))
	for i, c := range commits {
		trees[c] = lines[i][0]
	}
	for _, f := range lines {
		if len(f) > 1 && trees[f[1]] == f[0] {
			ts.Fatalf("nodupcommits: a commit repeats its parent's tree %s", f[0])
		}
	}
}

// sleep DURATION: wait, e.g. for a background run to take its lock.
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// articleFiles lists the articles of a content folder: its Markdown files
// except the index pages a preset generates (_index.md, index.md, README.md).
func articleFiles(dir string) []string {
	all, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	var out []string
	for _, f := range all {
		switch filepath.Base(f) {
		case "_index.md", "index.md", "README.md":
			continue
		}
		out = append(out, f)
	}
	return out
}
