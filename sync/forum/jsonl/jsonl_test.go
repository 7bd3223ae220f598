package jsonl

import (
	"context"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

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

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// docExample returns the example lines of the package documentation.
func docExample(t *testing.T) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(f.Doc.Text(), "\n") {
		if strings.HasPrefix(l, "\t{") {
			lines = append(lines, strings.TrimPrefix(l, "\t"))
		}
	}
	if len(lines) != 2 {
		t.Fatalf("doc example has %d lines, want 2", len(lines))
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestDocExample(t *testing.T) {
	got, err := readAll(t, writeFile(t, "x.jsonl", docExample(t)), forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []*forum.Thread{
		{
			Source: "jsonl", ID: "42", URL: "https://forum.example.com/t/42", Title: "How do I reset my password?",
			Question: forum.Post{ID: "42", URL: "https://forum.example.com/t/42", Author: "ana", Body: "I forgot it.",
				Format: forum.Markdown, Created: ts("2024-03-01T10:00:00Z")},
			Answer: &forum.Post{ID: "43", Author: "bo", Body: `<p>Use <a href="https://example.com/reset">the reset page</a>.</p>`,
				Format: forum.HTML, Created: ts("2024-03-01T11:00:00Z"), Accepted: ts("2024-03-02T09:00:00Z"), AcceptedBy: "ana"},
			Tags: []string{"account"}, Created: ts("2024-03-01T10:00:00Z"),
		},
		{
			Source: "jsonl", ID: "44", Title: "Is there a dark mode?",
			Question: forum.Post{ID: "44", Author: "cy", Body: "Just asking.", Format: forum.Markdown, Created: ts("2024-03-05T08:00:00Z")},
			Created:  ts("2024-03-05T08:00:00Z"), Skip: forum.SkipNoAcceptedAnswer,
		},
	}
	if !reflect.DeepEqual(got, want) {
		a, _ := json.MarshalIndent(got, "", " ")
		b, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("got %s\nwant %s", a, b)
	}
}

const q = `"question":{"body":"b","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"}`

func TestFields(t *testing.T) {
	full := `{"id":7,"title":"  Full\tthread ","url":"https://f.example/t/7","site":"https://f.example/","source":"myforum",` +
		`"question":{"id":"q7","url":"https://f.example/p/1","body":"Q\r\nbody\u0007","format":"markdown","author":" Ana  B ","author_id":12,"created":"2024-01-01T09:00:00+09:00","updated":"2024-01-02T00:00:00Z","score":3},` +
		`"answer":{"id":8,"url":"https://f.example/p/8","body":"<p>A</p>","format":"html","author":"","author_id":"99","created":"2024-01-03T00:00:00Z","updated":"2024-01-04T00:00:00Z","score":5,"accepted_at":"2024-01-05T00:00:00Z","accepted_by":"Ana"},` +
		`"solutions":[{"id":9,"body":"S","format":"markdown","author":"c","created":"2024-01-06T00:00:00Z"}],` +
		`"replies":[{"body":"R","format":"markdown","author":"","created":"2024-01-07T00:00:00Z"}],` +
		`"tags":["x"," y ","x",""],"category":"Help","license":"CC BY-SA 4.0","lang":"en","score":4,"views":100,` +
		`"updated":"2024-01-08T00:00:00Z","closed":true,"locked":true,"status":"","duplicates":[{"id":3,"title":"Older","url":"https://f.example/t/3"}]}`
	want := &forum.Thread{
		Source: "jsonl", ID: "7", Site: "https://f.example", URL: "https://f.example/t/7", Title: "Full thread",
		Question: forum.Post{ID: "q7", URL: "https://f.example/p/1", Author: "Ana B", AuthorID: "12", Body: "Q\nbody", Format: forum.Markdown,
			Created: ts("2024-01-01T00:00:00Z"), Updated: ts("2024-01-02T00:00:00Z"), Score: 3},
		Answer: &forum.Post{ID: "8", URL: "https://f.example/p/8", Author: "user 99", AuthorID: "99", Body: "<p>A</p>", Format: forum.HTML,
			Created: ts("2024-01-03T00:00:00Z"), Updated: ts("2024-01-04T00:00:00Z"), Score: 5, Accepted: ts("2024-01-05T00:00:00Z"), AcceptedBy: "Ana"},
		Solutions: []forum.Post{{ID: "9", Author: "c", Body: "S", Format: forum.Markdown, Created: ts("2024-01-06T00:00:00Z")}},
		Replies:   []forum.Post{{Author: "deleted user", Body: "R", Format: forum.Markdown, Created: ts("2024-01-07T00:00:00Z")}},
		Tags:      []string{"x", "y"},
		Category:  "Help", License: "CC BY-SA 4.0", Lang: "en", Score: 4, Views: 100,
		Created: ts("2024-01-01T00:00:00Z"), Updated: ts("2024-01-08T00:00:00Z"), Closed: true, Locked: true,
		Duplicates: []forum.Ref{{ID: "3", Title: "Older", URL: "https://f.example/t/3"}},
	}
	got, err := readAll(t, writeFile(t, "x.jsonl", full), forum.Options{Site: "https://ignored.example"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		a, _ := json.MarshalIndent(got, "", " ")
		b, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("got %s\nwant %s", a, b)
	}

	tests := []struct {
		name, line string
		check      func(*forum.Thread) bool
	}{
		{"site from options", `{"id":"1","title":"t",` + q + `}`, func(th *forum.Thread) bool { return th.Site == "https://opt.example" }},
		{"big integer id stays exact", `{"id":123456789012345678901,"title":"t",` + q + `}`, func(th *forum.Thread) bool { return th.ID == "123456789012345678901" }},
		{"answer null is not solved", `{"id":"1","title":"t",` + q + `,"answer":null}`, func(th *forum.Thread) bool { return th.Answer == nil && th.Skip == forum.SkipNoAcceptedAnswer }},
		{"deleted", `{"id":"1","title":"t",` + q + `,"status":"deleted"}`, func(th *forum.Thread) bool { return th.Status == forum.Deleted && th.Skip == forum.SkipDeleted }},
		{"private wins over no answer", `{"id":"1","title":"t",` + q + `,"status":"private"}`, func(th *forum.Thread) bool { return th.Status == forum.Private && th.Skip == forum.SkipPrivate }},
		{"solved", `{"id":"1","title":"t",` + q + `,"answer":{"id":"2","body":"","format":"html","author":"z","created":"2024-01-02T00:00:00Z"}}`,
			func(th *forum.Thread) bool { return th.Skip == "" && th.Answer.Body == "" }},
		{"source ignored", `{"id":"1","title":"t","source":"discourse-v1",` + q + `}`, func(th *forum.Thread) bool { return th.Source == "jsonl" }},
		{"fractional seconds", `{"id":"1","title":"t","question":{"body":"b","format":"markdown","author":"a","created":"2024-01-01T00:00:00.123Z"}}`,
			func(th *forum.Thread) bool { return th.Question.Created.Nanosecond() == 123000000 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, writeFile(t, "x.jsonl", tc.line), forum.Options{Site: "https://opt.example/"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !tc.check(got[0]) {
				b, _ := json.Marshal(got)
				t.Errorf("unexpected: %s", b)
			}
		})
	}
}

func TestLines(t *testing.T) {
	line := func(id string) string { return `{"id":"` + id + `","title":"t",` + q + `}` }
	long := `{"id":"L","title":"t","question":{"body":"` + strings.Repeat("é", 100_000) + `","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"}}`
	tests := []struct {
		name, content string
		want          []string
	}{
		{"final newline", line("1") + "\n" + line("2") + "\n", []string{"1", "2"}},
		{"no final newline", line("1") + "\n" + line("2"), []string{"1", "2"}},
		{"empty and blank lines", "\n" + line("1") + "\n\n   \t\n" + line("2") + "\n\n", []string{"1", "2"}},
		{"CRLF", line("1") + "\r\n" + line("2") + "\r\n", []string{"1", "2"}},
		{"byte order mark", "\xef\xbb\xbf" + line("1") + "\n", []string{"1"}},
		{"line longer than the read buffer", line("1") + "\n" + long + "\n" + line("2"), []string{"1", "L", "2"}},
		{"empty file", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(t, writeFile(t, "x.jsonl", tc.content), forum.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, th := range got {
				ids = append(ids, th.ID)
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("got %v, want %v", ids, tc.want)
			}
			if tc.name == "line longer than the read buffer" && len(got[1].Question.Body) != 200_000 {
				t.Errorf("long body cut to %d bytes", len(got[1].Question.Body))
			}
		})
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]string{
		"b.ndjson": `{"id":"2","title":"t",` + q + `}`,
		"a.jsonl":  `{"id":"1","title":"t",` + q + `}`,
		"c.json":   `{"id":"3","title":"t",` + q + `}`,
		"d.txt":    "ignored",
		".e.jsonl": "ignored",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readAll(t, dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != "1" || got[1].ID != "2" || got[2].ID != "3" {
		t.Errorf("got %d threads", len(got))
	}
}

func TestBadInput(t *testing.T) {
	ok := `{"id":"1","title":"t",` + q + `}` + "\n"
	post := func(drop string) string {
		fields := []string{`"body":"b"`, `"format":"markdown"`, `"author":"a"`, `"created":"2024-01-01T00:00:00Z"`}
		var keep []string
		for _, f := range fields {
			if !strings.HasPrefix(f, `"`+drop+`"`) {
				keep = append(keep, f)
			}
		}
		return "{" + strings.Join(keep, ",") + "}"
	}
	ans := `"answer":{"id":"2","body":"b","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"}`
	tests := []struct {
		name, content string
		opts          forum.Options
		record, msg   string
	}{
		{"unknown top-level field", ok + `{"id":"2","titel":"t",` + q + `}`, forum.Options{}, "line 2", `unknown field "titel"`},
		{"unknown nested field", `{"id":"2","title":"t",` + q + `,"answer":{"id":"3","body":"b","format":"markdown","autor":"a","created":"2024-01-01T00:00:00Z"}}`, forum.Options{}, "line 1", `unknown field "answer.autor"`},
		{"unknown field in a reply", `{"id":"2","title":"t",` + q + `,"replies":[` + post("") + `,{"body":"b","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z","votes":3}]}`, forum.Options{}, "line 1", `"replies[2].votes"`},
		{"missing id", `{"title":"t",` + q + `}`, forum.Options{}, "line 1", "missing required field id"},
		{"empty id", `{"id":"","title":"t",` + q + `}`, forum.Options{}, "line 1", "missing required field id"},
		{"missing title", "\n\n" + `{"id":"1",` + q + `}`, forum.Options{}, "line 3", "missing required field title"},
		{"blank title", `{"id":"1","title":"  ",` + q + `}`, forum.Options{}, "line 1", "title is empty"},
		{"missing question", `{"id":"1","title":"t"}`, forum.Options{}, "line 1", "missing required field question"},
		{"missing question.body", `{"id":"1","title":"t","question":` + post("body") + `}`, forum.Options{}, "line 1", "question.body"},
		{"missing question.format", `{"id":"1","title":"t","question":` + post("format") + `}`, forum.Options{}, "line 1", "question.format"},
		{"missing question.author", `{"id":"1","title":"t","question":` + post("author") + `}`, forum.Options{}, "line 1", "question.author"},
		{"missing question.created", `{"id":"1","title":"t","question":` + post("created") + `}`, forum.Options{}, "line 1", "question.created"},
		{"missing answer.id", `{"id":"1","title":"t",` + q + `,"answer":` + post("") + `}`, forum.Options{}, "line 1", "missing required field answer.id"},
		{"missing replies[1].author", `{"id":"1","title":"t",` + q + `,"replies":[` + post("author") + `]}`, forum.Options{}, "line 1", "replies[1].author"},
		{"missing duplicates id", `{"id":"1","title":"t",` + q + `,"duplicates":[{"title":"x"}]}`, forum.Options{}, "line 1", "duplicates[1].id"},
		{"bad format", `{"id":"1","title":"t","question":{"body":"b","format":"md","author":"a","created":"2024-01-01T00:00:00Z"}}`, forum.Options{}, "line 1", `question.format: "md"`},
		{"bad date", `{"id":"1","title":"t","question":{"body":"b","format":"html","author":"a","created":"2024-01-01 10:00"}}`, forum.Options{}, "line 1", "question.created"},
		{"date without zone", `{"id":"1","title":"t",` + q + `,"updated":"2024-01-01T10:00:00"}`, forum.Options{}, "line 1", "field updated"},
		{"bad status", `{"id":"1","title":"t",` + q + `,"status":"hidden"}`, forum.Options{}, "line 1", "field status"},
		{"solutions without answer", `{"id":"1","title":"t",` + q + `,"solutions":[` + post("") + `]}`, forum.Options{}, "line 1", "solutions without answer"},
		{"id is a float", `{"id":1.5,"title":"t",` + q + `}`, forum.Options{}, "line 1", "field id"},
		{"id is an object", `{"id":{},"title":"t",` + q + `}`, forum.Options{}, "line 1", "field id"},
		{"score is a string", `{"id":"1","title":"t",` + q + `,"score":"3"}`, forum.Options{}, "line 1", "field score"},
		{"tags not a list", `{"id":"1","title":"t",` + q + `,"tags":"a,b"}`, forum.Options{}, "line 1", "field tags"},
		{"duplicate id", ok + `{"id":"5","title":"t",` + q + `}` + "\n" + `{"id":1,"title":"t",` + q + `}`, forum.Options{}, "line 3", `duplicate id "1", first on line 1 of`},
		{"truncated last line", ok + `{"id":"2","title":"t","question":{"bo`, forum.Options{}, "line 2", "invalid JSON"},
		{"invalid JSON", `{"id":"1",,}`, forum.Options{}, "line 1", "invalid JSON"},
		{"array line", `[` + ok + `]`, forum.Options{}, "line 1", "not a JSON object"},
		{"pretty-printed object", "{\n\"id\":\"1\"}", forum.Options{}, "line 1", "invalid JSON"},
		{"two values on a line", strings.TrimSpace(ok) + " " + ok, forum.Options{}, "line 1", "more than one JSON value"},
		{"line over the cap", ok + `{"id":"2","title":"` + strings.Repeat("x", 500) + `",` + q + `}`, forum.Options{MaxPostBytes: 100}, "line 2", "longer than 400 bytes"},
		{"line over the cap, no newline anywhere", strings.Repeat("x", 200_000), forum.Options{MaxPostBytes: 1000}, "line 1", "longer than 4000 bytes"},
		{"body over the cap", `{"id":"1","title":"t","question":{"body":"` + strings.Repeat("x", 150) + `","format":"markdown","author":"a","created":"2024-01-01T00:00:00Z"}}`, forum.Options{MaxPostBytes: 100}, "line 1", "question.body is 150 bytes"},
		{"answer of the right shape but missing created", `{"id":"1","title":"t",` + q + `,` + strings.Replace(ans, `,"created":"2024-01-01T00:00:00Z"`, "", 1) + `}`, forum.Options{}, "line 1", "answer.created"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "in.jsonl", tc.content)
			_, err := readAll(t, path, tc.opts)
			var ie *forum.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want *forum.InputError", err)
			}
			msg := err.Error()
			if ie.Format != forum.JSONL || ie.Path != path || !strings.Contains(msg, path) {
				t.Errorf("message does not name the file: %s", msg)
			}
			if ie.Record != tc.record || !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q: want record %q and %q", msg, tc.record, tc.msg)
			}
			if ie.Offset < 0 || ie.Hint == "" {
				t.Errorf("no offset or hint: %q", msg)
			}
		})
	}
}

func TestDuplicateAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"1.jsonl", "2.jsonl"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(`{"id":"9","title":"t",`+q+"}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := readAll(t, dir, forum.Options{})
	var ie *forum.InputError
	if !errors.As(err, &ie) || !strings.HasSuffix(ie.Path, "2.jsonl") || !strings.Contains(err.Error(), "first on line 1 of 1.jsonl") {
		t.Fatalf("got %v", err)
	}
}

func TestOffsets(t *testing.T) {
	first := `{"id":"1","title":"t",` + q + "}\n"
	path := writeFile(t, "x.jsonl", first+`{"id":"2","title":"t",`+q+`,"score":1.5}`)
	_, err := readAll(t, path, forum.Options{})
	var ie *forum.InputError
	if !errors.As(err, &ie) || ie.Offset <= int64(len(first)) {
		t.Fatalf("got %v, want an offset past line 1 (%d)", err, len(first))
	}
}

func TestYieldErrorAndCancel(t *testing.T) {
	path := writeFile(t, "x.jsonl", docExample(t))
	e, err := Open(path, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	if err := e.Threads(context.Background(), func(*forum.Thread) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("yield error: %v after %d", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Threads(ctx, func(*forum.Thread) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "nope.jsonl"), forum.Options{}); !forum.IsInput(err) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(t.TempDir(), forum.Options{}); !forum.IsInput(err) {
		t.Errorf("empty folder: %v", err)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name, content string
		want          bool
	}{
		{"doc example", docExample(t), true},
		{"blank lines first", "\n\n" + docExample(t), true},
		{"question first, cut by the prefix", `{"question":{"format":"markdown","body":"` + strings.Repeat("x", 100<<10) + `"}}`, true},
		{"id first, long body", `{"id":"1","title":"t","question":{"body":"` + strings.Repeat("x", 100<<10), true},
		{"github node", `{"number":1,"title":"t","bodyHTML":"<p>x</p>","url":"https://github.com/o/r/discussions/1"}`, false},
		{"github response", `{"data":{"repository":{"discussions":{"nodes":[]}}}}`, false},
		{"array", `[{"id":"1","title":"t",` + q + `}]`, false},
		{"question not an object", `{"id":"1","title":"t","question":"why?"}`, true},
		{"nested question key only", `{"id":"1","meta":{"question":{"body":"b"}}}`, false},
		{"xml", `<posts/>`, false},
		{"empty", ``, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sniff(writeFile(t, "x.jsonl", tc.content))
			if err != nil || got != tc.want {
				t.Errorf("got %v %v, want %v", got, err, tc.want)
			}
		})
	}
	if _, err := Sniff(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing path: no error")
	}
	if ok, err := Sniff(t.TempDir()); ok || err != nil {
		t.Errorf("empty folder: %v %v", ok, err)
	}
}
