package github

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

const corpusDir = "../../../testdata/corpus/github-discussions/codestates-agora"

// writeFile writes content to a temp file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readAll opens path and collects every thread.
func readAll(t *testing.T, path string, opts forum.Options) ([]*forum.Thread, error) {
	t.Helper()
	e, err := Open(path, opts)
	if err != nil {
		return nil, err
	}
	var out []*forum.Thread
	err = e.Threads(context.Background(), func(th *forum.Thread) error {
		out = append(out, th)
		return nil
	})
	return out, err
}

func ids(ts []*forum.Thread) []string {
	var s []string
	for _, t := range ts {
		s = append(s, t.ID+":"+t.Skip)
	}
	return s
}

// Small nodes for shape tests.
const (
	nodeA = `{"number":1,"title":"A","body":"q","createdAt":"2024-01-01T00:00:00Z","url":"https://github.com/o/r/discussions/1",` +
		`"author":{"login":"u"},"answer":{"id":"DC_1","body":"a","createdAt":"2024-01-02T00:00:00Z","url":"https://github.com/o/r/discussions/1#discussioncomment-5","author":{"login":"m"}}}`
	nodeB = `{"number":2,"title":"B","body":"q2","createdAt":"2024-01-03T00:00:00Z","author":null,"answer":null}`
)

func TestShapes(t *testing.T) {
	want := []string{"1:", "2:" + forum.SkipNoAcceptedAnswer}
	tests := []struct {
		name, content string
		want          []string
	}{
		{"graphql nodes", `{"data":{"repository":{"discussions":{"pageInfo":{"hasNextPage":false},"nodes":[` + nodeA + `,` + nodeB + `]}}}}`, want},
		{"graphql edges", `{"data":{"repository":{"discussions":{"edges":[{"cursor":"x","node":` + nodeA + `},{"node":` + nodeB + `}]}}}}`, want},
		{"paginate concatenated", `{"data":{"repository":{"discussions":{"nodes":[` + nodeA + `]}}}}{"data":{"repository":{"discussions":{"nodes":[` + nodeB + `]}}}}`, want},
		{"paginate with newlines", "{\"data\":{\"repository\":{\"discussions\":{\"nodes\":[" + nodeA + "]}}}}\n{\"data\":{\"repository\":{\"discussions\":{\"nodes\":[" + nodeB + "]}}}}\n", want},
		{"slurp array of responses", `[{"data":{"repository":{"discussions":{"nodes":[` + nodeA + `]}}}},{"data":{"repository":{"discussions":{"nodes":[` + nodeB + `]}}}}]`, want},
		{"array of nodes", `[` + nodeA + `,` + nodeB + `]`, want},
		{"json lines", nodeA + "\n" + nodeB + "\n", want},
		{"json lines no final newline, CRLF", nodeA + "\r\n" + nodeB, want},
		{"organization path", `{"data":{"organization":{"repository":{"discussions":{"nodes":[` + nodeA + `]}}}}}`, want[:1]},
		{"single discussion query", `{"data":{"repository":{"discussion":` + nodeA + `}}}`, want[:1]},
		{"empty connection", `{"data":{"repository":{"discussions":{"nodes":[]}}}}`, nil},
		{"empty array", `[]`, nil},
		{"extensions first", `{"extensions":{"cost":1},"data":{"repository":{"discussions":{"nodes":[` + nodeB + `]}}}}`, want[1:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, writeFile(t, "d.json", tc.content), forum.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), tc.want) {
				t.Errorf("got %v, want %v", ids(got), tc.want)
			}
		})
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b.jsonl":      nodeB + "\n",
		"a.json":       `[` + nodeA + `]`,
		"c.ndjson":     `{"number":3,"title":"C","createdAt":"2024-01-01T00:00:00Z"}`,
		"notes.md":     "not an export",
		".hidden.json": "garbage",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readAll(t, dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"1:", "2:" + forum.SkipNoAcceptedAnswer, "3:" + forum.SkipNoAcceptedAnswer}; !reflect.DeepEqual(ids(got), w) {
		t.Errorf("got %v, want %v", ids(got), w)
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestFixture checks every mapped field on the export the doc's command writes.
func TestFixture(t *testing.T) {
	got, err := readAll(t, "testdata/paginate.json", forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d threads, want 4", len(got))
	}
	answerBody := "Use `go get example.com/x@v1.2.3`:\n\n```sh\ngo get example.com/x@v1.2.3\n```"
	want0 := &forum.Thread{
		Source: "github", ID: "101", Site: "https://github.com/acme/widgets",
		URL: "https://github.com/acme/widgets/discussions/101", Title: "How do I pin a dependency?",
		Question: forum.Post{ID: "D_kwDOAAAAAc4AAAB1", URL: "https://github.com/acme/widgets/discussions/101", Author: "asker1",
			Body:   "I tried this:\n\n```go\nrequire example.com/x v1.2.3\n```\nIt does not stick.",
			Format: forum.Markdown, Created: ts("2024-01-02T10:00:00Z"), Updated: ts("2024-01-02T11:30:00Z"), Score: 7},
		Answer: &forum.Post{ID: "DC_kwDOAAAAAc4AAAC9", URL: "https://github.com/acme/widgets/discussions/101#discussioncomment-9001",
			Author: "maintainer", Body: answerBody, Format: forum.Markdown, Created: ts("2024-01-03T09:00:00Z"), Score: 12,
			Accepted: ts("2024-01-04T12:00:00Z"), AcceptedBy: "asker1"},
		Replies: []forum.Post{{ID: "DC_kwDOAAAAAc4AAAC8", URL: "https://github.com/acme/widgets/discussions/101#discussioncomment-9000",
			Author: "bystander", Body: "Same here.", Format: forum.Markdown, Created: ts("2024-01-02T12:00:00Z")}},
		Tags: []string{"go", "dependencies"}, Category: "Q&A", Score: 7,
		Created: ts("2024-01-02T10:00:00Z"), Updated: ts("2024-01-05T08:00:00Z"), Closed: true,
	}
	if !reflect.DeepEqual(got[0], want0) {
		a, _ := json.MarshalIndent(got[0], "", " ")
		b, _ := json.MarshalIndent(want0, "", " ")
		t.Errorf("thread 101:\n got %s\nwant %s", a, b)
	}

	t1 := got[1]
	if t1.ID != "102" || t1.Answer != nil || t1.Skip != forum.SkipNoAcceptedAnswer || !t1.Locked || len(t1.Replies) != 1 ||
		t1.Replies[0].Updated != ts("2024-01-07T11:00:00Z") || !t1.Question.Updated.IsZero() || t1.Tags != nil {
		t.Errorf("thread 102: %+v", t1)
	}
	t2 := got[2]
	if t2.ID != "103" || t2.Question.Author != "ghost" || t2.Skip != forum.SkipNoAcceptedAnswer || t2.Category != "Announcements" {
		t.Errorf("thread 103 (not answerable, ghost author): %+v", t2)
	}
	t3 := got[3]
	if t3.ID != "104" || t3.Skip != "" || t3.Answer == nil || t3.Answer.Author != "ghost" || t3.Answer.AcceptedBy != "" ||
		t3.Answer.Updated != ts("2024-02-03T10:00:00Z") || t3.Answer.Accepted != ts("2024-02-03T11:00:00Z") {
		t.Errorf("thread 104 (ghost answerer, no chooser): %+v %+v", t3, t3.Answer)
	}
	if lm := t3.LastModified(); lm != ts("2024-02-03T10:00:00Z") {
		t.Errorf("LastModified = %v", lm)
	}
}

// TestFields covers the variants that exporters write for single fields.
func TestFields(t *testing.T) {
	base := `"title":"T","createdAt":"2024-01-01T00:00:00Z"`
	tests := []struct {
		name, node string
		check      func(*forum.Thread) bool
	}{
		{"id as number, no number", `{"id":45,` + base + `}`, func(th *forum.Thread) bool { return th.ID == "45" && th.Question.ID == "45" }},
		{"id as node id only", `{"id":"D_kw1",` + base + `}`, func(th *forum.Thread) bool { return th.ID == "D_kw1" }},
		{"number wins over id", `{"number":7,"id":"D_kw7",` + base + `}`, func(th *forum.Thread) bool { return th.ID == "7" && th.Question.ID == "D_kw7" }},
		{"big number stays exact", `{"number":123456789012345678901,` + base + `}`, func(th *forum.Thread) bool { return th.ID == "123456789012345678901" }},
		{"author login string", `{"number":1,"author":"octo",` + base + `}`, func(th *forum.Thread) bool { return th.Question.Author == "octo" }},
		{"author null is ghost", `{"number":1,"author":null,` + base + `}`, func(th *forum.Thread) bool { return th.Question.Author == "ghost" }},
		{"author login null is ghost", `{"number":1,"author":{"login":null},` + base + `}`, func(th *forum.Thread) bool { return th.Question.Author == "ghost" }},
		{"author absent is ghost", `{"number":1,` + base + `}`, func(th *forum.Thread) bool { return th.Question.Author == "ghost" }},
		{"labels as names", `{"number":1,"labels":["a"," b ","a",""],` + base + `}`, func(th *forum.Thread) bool { return reflect.DeepEqual(th.Tags, []string{"a", "b"}) }},
		{"labels as edges", `{"number":1,"labels":{"edges":[{"node":{"name":"x"}}]},` + base + `}`, func(th *forum.Thread) bool { return reflect.DeepEqual(th.Tags, []string{"x"}) }},
		{"body markdown preferred over bodyHTML", `{"number":1,"body":"**md**","bodyHTML":"<p><strong>md</strong></p>",` + base + `}`,
			func(th *forum.Thread) bool {
				return th.Question.Body == "**md**" && th.Question.Format == forum.Markdown
			}},
		{"bodyHTML cleaned when no body", `{"number":1,"body":"","bodyHTML":"<p dir=\"auto\">hi <a class=\"user-mention\" data-hovercard-type=\"user\" href=\"https://github.com/x\">@x</a></p>",` + base + `}`,
			func(th *forum.Thread) bool {
				return th.Question.Body == "<p>hi @x</p>" && th.Question.Format == forum.HTML
			}},
		{"control chars dropped from body", `{"number":1,"body":"a\u0000b\u001bc",` + base + `}`, func(th *forum.Thread) bool { return th.Question.Body == "abc" }},
		{"title one line", `{"number":1,"title":" two\n lines\t","createdAt":"2024-01-01T00:00:00Z"}`, func(th *forum.Thread) bool { return th.Title == "two lines" }},
		{"updatedAt as edit when lastEditedAt absent", `{"number":1,"updatedAt":"2024-02-01T00:00:00Z",` + base + `}`,
			func(th *forum.Thread) bool { return th.Question.Updated == ts("2024-02-01T00:00:00Z") }},
		{"lastEditedAt null means never edited", `{"number":1,"lastEditedAt":null,"updatedAt":"2024-02-01T00:00:00Z",` + base + `}`,
			func(th *forum.Thread) bool {
				return th.Question.Updated.IsZero() && th.Updated == ts("2024-02-01T00:00:00Z")
			}},
		{"time with offset is UTC", `{"number":1,"title":"T","createdAt":"2024-01-01T09:00:00+09:00"}`, func(th *forum.Thread) bool { return th.Created == ts("2024-01-01T00:00:00Z") }},
		{"isAnswered without answer", `{"number":1,"isAnswered":true,"answer":null,` + base + `}`, func(th *forum.Thread) bool { return th.Skip == forum.SkipAcceptedAnswerMissing }},
		{"answerChosenAt without answer", `{"number":1,"answerChosenAt":"2024-01-02T00:00:00Z",` + base + `}`, func(th *forum.Thread) bool { return th.Skip == forum.SkipAcceptedAnswerMissing }},
		{"not answerable category", `{"number":1,"category":{"name":"Ideas","isAnswerable":false},` + base + `}`, func(th *forum.Thread) bool { return th.Skip == forum.SkipNoAcceptedAnswer && th.Category == "Ideas" }},
		{"comments as plain array go to replies", `{"number":1,"comments":[{"id":"c1","body":"x","author":"u"}],` + base + `}`,
			func(th *forum.Thread) bool { return len(th.Replies) == 1 && th.Replies[0].Author == "u" }},
		{"url built from site", `{"number":9,` + base + `}`, func(th *forum.Thread) bool { return th.URL == "https://github.com/o/r/discussions/9" }},
		{"answer chosen by", `{"number":1,"answer":{"id":"a","body":"x"},"answerChosenBy":"boss",` + base + `}`,
			func(th *forum.Thread) bool {
				return th.Answer != nil && th.Answer.AcceptedBy == "boss" && th.Skip == ""
			}},
		{"unknown fields ignored", `{"number":1,"avatarUrl":"x","bodyText":"y","reactions":{"totalCount":3},` + base + `}`, func(th *forum.Thread) bool { return th.ID == "1" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, writeFile(t, "d.jsonl", tc.node), forum.Options{Site: "https://github.com/o/r/"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !tc.check(got[0]) {
				b, _ := json.Marshal(got)
				t.Errorf("unexpected thread: %s", b)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	fixture, err := os.ReadFile("testdata/paginate.json")
	if err != nil {
		t.Fatal(err)
	}
	okNode := func(n int) string {
		return `{"number":` + strconv.Itoa(n) + `,"title":"T","createdAt":"2024-01-01T00:00:00Z"}`
	}
	tests := []struct {
		name, content string
		opts          forum.Options
		record, msg   string // substrings the message must hold
		offset        bool   // a byte offset must be given
	}{
		{"truncated mid node", string(fixture[:len(fixture)/3]), forum.Options{}, "node 1", "end of file", true},
		{"truncated between nodes", `[` + okNode(1) + `,`, forum.Options{}, "node 1", "end of file", true},
		{"truncated second page", string(fixture[:len(fixture)-40]), forum.Options{}, "node 4", "", true},
		{"syntax error", `[` + okNode(1) + `,{"number":2,"title":}]`, forum.Options{}, "node 2", "invalid JSON", true},
		{"empty file", "", forum.Options{}, "", "no JSON value", false},
		{"top-level scalar", `42`, forum.Options{}, "", "not an object or array", true},
		{"array of strings", `["a","b"]`, forum.Options{}, "array element 1", "not a Discussion object", true},
		{"object not a discussion", `{"login":"octocat","id":1}`, forum.Options{}, "discussion 1 (node 1)", "not a GitHub Discussion", true},
		{"node without title in connection", `{"data":{"repository":{"discussions":{"nodes":[{"number":5}]}}}}`, forum.Options{}, "discussion 5 (node 1)", "not a GitHub Discussion", true},
		{"null node", `{"data":{"repository":{"discussions":{"nodes":[null]}}}}`, forum.Options{}, "node 1", "not a GitHub Discussion", true},
		{"empty object", `[{}]`, forum.Options{}, "node 1", "empty object", true},
		{"title wrong type", `[{"number":1,"title":5,"createdAt":"2024-01-01T00:00:00Z"}]`, forum.Options{}, "node 1", "field title", true},
		{"missing createdAt", `[{"number":3,"title":"T"}]`, forum.Options{}, "discussion 3", "createdAt", true},
		{"bad time", `[{"number":3,"title":"T","createdAt":"yesterday"}]`, forum.Options{}, "discussion 3", "RFC 3339", true},
		{"id is an object", `[{"id":{"x":1},"title":"T","createdAt":"2024-01-01T00:00:00Z"}]`, forum.Options{}, "node 1", "field id", true},
		{"graphql errors", `{"errors":[{"type":"NOT_FOUND","message":"Could not resolve to a Repository with the name 'o/nope'."}],"data":{"repository":null}}`,
			forum.Options{}, "response 1", "Could not resolve to a Repository", true},
		{"graphql errors after data", `{"data":{"repository":{"discussions":{"nodes":[` + okNode(1) + `]}}},"errors":[{"message":"timeout"}]}`,
			forum.Options{}, "response 1", "GraphQL error: timeout", true},
		{"response without discussions", `{"data":{"viewer":{"login":"x"}}}`, forum.Options{}, "response 1", "no discussions connection", true},
		{"second page has errors", string(fixture) + `{"errors":[{"message":"rate limited"}]}`, forum.Options{}, "response 3", "rate limited", true},
		{"duplicate number", `[` + okNode(7) + `,` + okNode(8) + `,` + okNode(7) + `]`, forum.Options{}, "discussion 7 (node 3)", "duplicate discussion number 7, first seen at node 1", true},
		{"duplicate across pages", string(fixture) + string(fixture), forum.Options{}, "discussion 101 (node 5)", "duplicate", true},
		{"answer of another discussion", `[{"number":5,"title":"T","createdAt":"2024-01-01T00:00:00Z","url":"https://github.com/o/r/discussions/5",` +
			`"answer":{"id":"DC_9","body":"x","url":"https://github.com/o/r/discussions/6#discussioncomment-1"}}]`, forum.Options{}, "discussion 5", "belongs to another discussion", true},
		{"answer of another repository", `[{"number":5,"title":"T","createdAt":"2024-01-01T00:00:00Z","url":"https://github.com/o/r/discussions/5",` +
			`"answer":{"id":"DC_9","body":"x","url":"https://github.com/o/other/discussions/5#discussioncomment-1"}}]`, forum.Options{}, "discussion 5", "belongs to another discussion", true},
		{"answer of another discussion, flattened id", `[{"id":5,"title":"T","createdAt":"2024-01-01T00:00:00Z",` +
			`"answer":{"id":"DC_9","bodyHTML":"x","url":"https://github.com/o/r/discussions/6#discussioncomment-1"}}]`, forum.Options{}, "discussion 5", "belongs to another discussion", true},
		{"answer without id", `[{"number":5,"title":"T","createdAt":"2024-01-01T00:00:00Z","answer":{"body":"x"}}]`, forum.Options{}, "discussion 5", "answer has no id", true},
		{"body over cap", `[{"number":5,"title":"T","createdAt":"2024-01-01T00:00:00Z","body":"` + strings.Repeat("x", 200) + `"}]`,
			forum.Options{MaxPostBytes: 100}, "discussion 5", "over the 100-byte cap", true},
		{"record over cap", `[{"number":5,"title":"T","createdAt":"2024-01-01T00:00:00Z","bodyText":"` + strings.Repeat("x", 3<<20) + `"}]`,
			forum.Options{MaxPostBytes: 100}, "node 1", "larger than", true},
		{"deep nesting", `[` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `]`, forum.Options{}, "array element 1", "not a Discussion", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "export.json", tc.content)
			got, err := readAll(t, path, tc.opts)
			var ie *forum.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v (threads %v), want *forum.InputError", err, ids(got))
			}
			msg := err.Error()
			if ie.Path != path || !strings.Contains(msg, path) {
				t.Errorf("message does not name the file: %s", msg)
			}
			if !strings.Contains(ie.Record, tc.record) || !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q: want record %q and %q", msg, tc.record, tc.msg)
			}
			if tc.offset && ie.Offset < 0 {
				t.Errorf("no byte offset in %q", msg)
			}
			if ie.Hint == "" {
				t.Errorf("no hint in %q", msg)
			}
			if !forum.IsInput(err) {
				t.Errorf("IsInput false")
			}
		})
	}
}

func TestDuplicateAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	n := `{"number":4,"title":"T","createdAt":"2024-01-01T00:00:00Z"}`
	for _, f := range []string{"p1.json", "p2.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := readAll(t, dir, forum.Options{})
	var ie *forum.InputError
	if !errors.As(err, &ie) || !strings.HasSuffix(ie.Path, "p2.json") || !strings.Contains(err.Error(), "first seen at node 1 of p1.json") {
		t.Fatalf("got %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing.json"), forum.Options{}); !forum.IsInput(err) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(t.TempDir(), forum.Options{}); !forum.IsInput(err) || !strings.Contains(err.Error(), "no .json") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestYieldErrorAndCancel(t *testing.T) {
	e, err := Open("testdata/paginate.json", forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	err = e.Threads(context.Background(), func(*forum.Thread) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("yield error: got %v after %d threads", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Threads(ctx, func(*forum.Thread) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

// TestCorpus reads the real flattened export and checks it against a plain
// decode of the same file.
func TestCorpus(t *testing.T) {
	plain := corpusPlain(t)
	answered := 0
	for _, d := range plain {
		if d["answer"] != nil {
			answered++
		}
	}
	got, err := readAll(t, corpusDir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(plain) {
		t.Fatalf("threads: got %d, want %d", len(got), len(plain))
	}
	solved := 0
	for i, th := range got {
		d := plain[i]
		if th.Skip == "" {
			solved++
		}
		if want := strings.Join(strings.Fields(d["title"].(string)), " "); th.Title != want {
			t.Errorf("%d: title %q, want %q", i, th.Title, want)
		}
		if want := jsonNum(d["id"]); th.ID != want {
			t.Errorf("%d: id %q, want %q", i, th.ID, want)
		}
		if th.Question.Author != d["author"] || th.URL != d["url"] || th.Question.Format != forum.HTML {
			t.Errorf("%d: author %q url %q format %q", i, th.Question.Author, th.URL, th.Question.Format)
		}
		if a, ok := d["answer"].(map[string]any); ok {
			if th.Answer == nil || th.Answer.ID != a["id"] || th.Answer.URL != a["url"] || th.Answer.Author != a["author"] {
				t.Errorf("%d: answer %+v, want %v", i, th.Answer, a["id"])
			}
		} else if th.Answer != nil || th.Skip != forum.SkipNoAcceptedAnswer {
			t.Errorf("%d: unanswered thread has answer %v skip %q", i, th.Answer, th.Skip)
		}
		for _, p := range append([]forum.Post{th.Question}, th.Replies...) {
			if strings.Contains(p.Body, "data-hovercard") || strings.Contains(p.Body, `class="pl-`) || strings.Contains(p.Body, "snippet-clipboard") {
				t.Errorf("%d: GitHub markup left in body", i)
			}
		}
	}
	if solved != answered {
		t.Errorf("solved threads: got %d, want %d", solved, answered)
	}
}

// corpusPlain decodes the corpus export with plain encoding/json, the
// independent side of the corpus tests.
func corpusPlain(t *testing.T) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpusDir, "discussions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plain []map[string]any
	if err := json.Unmarshal(raw, &plain); err != nil {
		t.Fatal(err)
	}
	return plain
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSniff(t *testing.T) {
	fixture, _ := os.ReadFile("testdata/paginate.json")
	big := `[{"id":1,"title":"T","url":"https://github.com/o/r/discussions/1","bodyHTML":"` + strings.Repeat("x", 100<<10) + `"}]`
	tests := []struct {
		name, content string
		want          bool
	}{
		{"paginate", string(fixture), true},
		{"slurp", `[{"data":{"repository":{"discussions":{"nodes":[]}}}}]`, true},
		{"array of nodes", `[` + nodeA + `]`, true},
		{"json lines", nodeA + "\n" + nodeB, true},
		{"flattened, cut by the prefix", big, true},
		{"node with bodyHTML only", `{"id":3,"title":"x","bodyHTML":"<p>"}`, true},
		{"graphql error response", `{"errors":[{"message":"Bad credentials"}]}`, true},
		{"kbsync jsonl", `{"id":"1","title":"t","url":"https://github.com/o/r/discussions/1","question":{"body":"b","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"}}`, false},
		{"discourse topic", `{"id":3785,"title":"x","posts_count":3,"post_stream":{"posts":[]}}`, false},
		{"discourse error", `{"errors":["not found"],"error_type":"not_found"}`, false},
		{"zendesk", `{"posts":[{"id":1,"title":"x","html_url":"https://x.zendesk.com/hc/posts/1","details":"d"}]}`, false},
		{"xml", `<?xml version="1.0"?><posts><row Id="1"/></posts>`, false},
		{"empty", ``, false},
		{"array of numbers", `[1,2]`, false},
		{"other graphql", `{"data":{"repository":{"issues":{"nodes":[]}}}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sniff(writeFile(t, "x.json", tc.content))
			if err != nil || got != tc.want {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if ok, err := Sniff(corpusDir); !ok || err != nil {
		t.Errorf("corpus folder: %v %v", ok, err)
	}
	if _, err := Sniff(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Errorf("missing path: no error")
	}
	if ok, err := Sniff(t.TempDir()); ok || err != nil {
		t.Errorf("empty folder: %v %v", ok, err)
	}
}
