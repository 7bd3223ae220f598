package discourse

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

func itoa(n int) string { return strconv.Itoa(n) }

// post builds a regular post of topic 42.
func mkPost(n int, user, cooked string) map[string]any {
	return map[string]any{
		"id": 100 + n, "post_number": n, "post_type": 1, "topic_id": 42,
		"username": user, "name": strings.ToUpper(user[:1]) + user[1:], "display_username": "",
		"user_id": 10 + n, "created_at": "2021-01-02T03:0" + itoa(n%10) + ":00.000Z",
		"updated_at": "2021-02-02T00:00:00.000Z", "version": 1,
		"cooked": cooked, "deleted_at": nil, "hidden": false, "user_deleted": false,
		"actions_summary": []any{},
	}
}

func baseTopic() map[string]any {
	return map[string]any{
		"id": 42, "title": "How do I\n  foo?", "fancy_title": "How do I foo&hellip;", "slug": "how-do-i-foo",
		"category_id": 5, "created_at": "2021-01-02T03:00:00.000Z", "views": 100,
		"closed": false, "archived": false, "visible": true, "archetype": "regular", "deleted_at": nil,
		"post_stream": map[string]any{
			"posts": []any{
				mkPost(1, "ann", "<p>How?</p>"),
				mkPost(2, "bob", `<p>Like <a href="/t/other/7">this</a>.</p>`),
				mkPost(3, "cid", "<p>Or that.</p>"),
			},
			"stream": []any{101, 102, 103},
		},
	}
}

func posts(tp map[string]any) []any { return tp["post_stream"].(map[string]any)["posts"].([]any) }

func postN(tp map[string]any, n int) map[string]any {
	for _, p := range posts(tp) {
		if p := p.(map[string]any); p["post_number"] == n {
			return p
		}
	}
	panic("no post " + itoa(n))
}

func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, string(b))
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(path string, opts forum.Options) ([]*forum.Thread, error) {
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

func readOne(t *testing.T, tp map[string]any, opts forum.Options) *forum.Thread {
	t.Helper()
	p := writeJSON(t, t.TempDir(), "topic.json", tp)
	ths, err := readAll(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ths) != 1 {
		t.Fatalf("%d threads, want 1", len(ths))
	}
	return ths[0]
}

func ids(ps []forum.Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestThreads(t *testing.T) {
	opts := forum.Options{Site: site + "/"}
	tests := []struct {
		name   string
		noSite bool
		mut    func(tp map[string]any)
		check  func(t *testing.T, th *forum.Thread)
	}{
		{
			name: "no accepted answer: replies for the trusted-answerers policy",
			check: func(t *testing.T, th *forum.Thread) {
				if th.Skip != forum.SkipNoAcceptedAnswer || th.Answer != nil {
					t.Errorf("skip %q answer %v", th.Skip, th.Answer)
				}
				if got := strings.Join(ids(th.Replies), ","); got != "102,103" {
					t.Errorf("replies %s", got)
				}
				if th.Replies[0].URL != site+"/t/how-do-i-foo/42/2" || th.Replies[0].Body != `<p>Like <a href="https://forum.example.org/t/other/7">this</a>.</p>` {
					t.Errorf("reply %+v", th.Replies[0])
				}
			},
		},
		{
			name: "topic accepted_answer",
			mut: func(tp map[string]any) {
				tp["accepted_answer"] = map[string]any{"post_number": 3, "username": "cid", "excerpt": "Or", "accepter_username": "ann"}
			},
			check: func(t *testing.T, th *forum.Thread) {
				if th.Skip != "" || th.Answer == nil || th.Answer.ID != "103" || len(th.Replies) != 0 {
					t.Fatalf("skip %q answer %+v replies %d", th.Skip, th.Answer, len(th.Replies))
				}
				if th.Answer.URL != site+"/t/how-do-i-foo/42/3" || th.Answer.AcceptedBy != "ann" || th.Answer.Author != "Cid" {
					t.Errorf("answer %+v", th.Answer)
				}
			},
		},
		{
			name: "several posts accepted: first is the answer, the others solutions",
			mut: func(tp map[string]any) {
				postN(tp, 3)["accepted_answer"] = true
				postN(tp, 2)["accepted_answer"] = true
			},
			check: func(t *testing.T, th *forum.Thread) {
				if th.Answer == nil || th.Answer.ID != "102" || strings.Join(ids(th.Solutions), ",") != "103" {
					t.Errorf("answer %+v solutions %v", th.Answer, ids(th.Solutions))
				}
			},
		},
		{
			name: "older accepted_answer_post_id",
			mut:  func(tp map[string]any) { tp["accepted_answer_post_id"] = 102 },
			check: func(t *testing.T, th *forum.Thread) {
				if th.Answer == nil || th.Answer.ID != "102" || th.Skip != "" {
					t.Errorf("answer %+v skip %q", th.Answer, th.Skip)
				}
			},
		},
		{
			name: "accepted post paginated away: never a wrong post",
			mut: func(tp map[string]any) {
				tp["accepted_answer"] = map[string]any{"post_number": 25}
				postN(tp, 2)["topic_accepted_answer"] = true
			},
			check: func(t *testing.T, th *forum.Thread) {
				if th.Skip != forum.SkipAcceptedAnswerMissing || th.Answer != nil || th.Replies != nil {
					t.Errorf("skip %q answer %v replies %d", th.Skip, th.Answer, len(th.Replies))
				}
			},
		},
		{
			name: "accepted post id not among the posts",
			mut:  func(tp map[string]any) { tp["accepted_answer_post_id"] = 999 },
			check: func(t *testing.T, th *forum.Thread) {
				if th.Skip != forum.SkipAcceptedAnswerMissing || th.Answer != nil {
					t.Errorf("skip %q answer %v", th.Skip, th.Answer)
				}
			},
		},
		{
			name: "only topic_accepted_answer says there is one",
			mut:  func(tp map[string]any) { postN(tp, 1)["topic_accepted_answer"] = true },
			check: func(t *testing.T, th *forum.Thread) {
				if th.Skip != forum.SkipAcceptedAnswerMissing {
					t.Errorf("skip %q", th.Skip)
				}
			},
		},
		{
			name: "accepted post hidden",
			mut: func(tp map[string]any) {
				tp["accepted_answer"] = map[string]any{"post_number": 2}
				postN(tp, 2)["accepted_answer"] = true
				postN(tp, 2)["hidden"] = true
			},
			check: func(t *testing.T, th *forum.Thread) {
				if th.Skip != forum.SkipAcceptedAnswerMissing || th.Answer != nil {
					t.Errorf("skip %q answer %v", th.Skip, th.Answer)
				}
			},
		},
		{
			name: "only regular, visible posts are replies, sorted by number",
			mut: func(tp map[string]any) {
				postN(tp, 2)["post_type"] = 3
				postN(tp, 3)["deleted_at"] = "2021-03-01T00:00:00.000Z"
				h := mkPost(4, "dan", "<p>hidden</p>")
				h["hidden"] = true
				w := mkPost(5, "eve", "<p>withdrawn</p>")
				w["user_deleted"] = true
				wh := mkPost(6, "fay", "<p>whisper</p>")
				wh["post_type"] = 4
				ps := tp["post_stream"].(map[string]any)
				ps["posts"] = append([]any{mkPost(8, "gus", "<p>late</p>"), mkPost(7, "hal", "<p>ok</p>")}, append(posts(tp), h, w, wh)...)
			},
			check: func(t *testing.T, th *forum.Thread) {
				if got := strings.Join(ids(th.Replies), ","); got != "107,108" {
					t.Errorf("replies %s", got)
				}
			},
		},
		{
			name: "private message: nothing copied",
			mut: func(tp map[string]any) {
				tp["archetype"] = "private_message"
				tp["accepted_answer"] = map[string]any{"post_number": 2}
			},
			check: func(t *testing.T, th *forum.Thread) {
				if th.Status != forum.Private || th.Skip != forum.SkipPrivate || th.ID != "42" {
					t.Errorf("status %q skip %q id %q", th.Status, th.Skip, th.ID)
				}
				if th.Title != "" || th.URL != "" || th.Question.Body != "" || th.Answer != nil || th.Replies != nil || th.Tags != nil {
					t.Errorf("private content copied: %+v", th)
				}
			},
		},
		{
			name: "unlisted topic is private",
			mut:  func(tp map[string]any) { tp["visible"] = false },
			check: func(t *testing.T, th *forum.Thread) {
				if th.Status != forum.Private || th.Skip != forum.SkipPrivate || th.Title != "" || th.Question.Body != "" {
					t.Errorf("status %q skip %q", th.Status, th.Skip)
				}
			},
		},
		{
			name: "deleted topic",
			mut:  func(tp map[string]any) { tp["deleted_at"] = "2021-05-01T00:00:00.000Z" },
			check: func(t *testing.T, th *forum.Thread) {
				if th.Status != forum.Deleted || th.Skip != forum.SkipDeleted || th.Question.Body != "" {
					t.Errorf("status %q skip %q", th.Status, th.Skip)
				}
			},
		},
		{
			name: "deleted question",
			mut:  func(tp map[string]any) { postN(tp, 1)["deleted_at"] = "2021-05-01T00:00:00.000Z" },
			check: func(t *testing.T, th *forum.Thread) {
				if th.Status != forum.Deleted || th.Skip != forum.SkipDeleted || th.Question.Body != "" {
					t.Errorf("status %q skip %q", th.Status, th.Skip)
				}
			},
		},
		{
			name: "hidden question",
			mut:  func(tp map[string]any) { postN(tp, 1)["hidden"] = true },
			check: func(t *testing.T, th *forum.Thread) {
				if th.Status != forum.Private || th.Skip != forum.SkipPrivate || th.Question.Body != "" {
					t.Errorf("status %q skip %q", th.Status, th.Skip)
				}
			},
		},
		{
			name: "topic fields",
			mut: func(tp map[string]any) {
				tp["tags"] = []any{"go", map[string]any{"name": "cli", "id": 3}, " "}
				tp["archived"] = true
				q := postN(tp, 1)
				q["actions_summary"] = []any{map[string]any{"id": 2, "count": 7}, map[string]any{"id": 3, "count": 1}}
				q["version"] = 2
				q["wiki"] = true
			},
			check: func(t *testing.T, th *forum.Thread) {
				if th.Source != "discourse" || th.ID != "42" || th.Title != "How do I foo?" || th.Category != "5" ||
					th.Views != 100 || !th.Closed || !th.Locked || th.Score != 7 || !th.CommunityWiki {
					t.Errorf("thread %+v", th)
				}
				if strings.Join(th.Tags, ",") != "go,cli" {
					t.Errorf("tags %q", th.Tags)
				}
				if th.URL != site+"/t/how-do-i-foo/42" || th.Site != site || th.Question.URL != th.URL {
					t.Errorf("urls %q %q %q", th.URL, th.Site, th.Question.URL)
				}
				wantUpd := time.Date(2021, 2, 2, 0, 0, 0, 0, time.UTC)
				if !th.Question.Updated.Equal(wantUpd) || !th.Updated.Equal(wantUpd) || th.Question.Score != 7 {
					t.Errorf("question %+v", th.Question)
				}
				if !th.Replies[0].Updated.IsZero() {
					t.Errorf("version 1 post has Updated %v", th.Replies[0].Updated)
				}
				if !th.Created.Equal(time.Date(2021, 1, 2, 3, 0, 0, 0, time.UTC)) {
					t.Errorf("created %v", th.Created)
				}
			},
		},
		{
			name: "authors",
			mut: func(tp map[string]any) {
				postN(tp, 1)["display_username"] = "Ann  A."
				postN(tp, 2)["name"] = ""
				p3 := postN(tp, 3)
				p3["username"], p3["name"], p3["display_username"] = nil, nil, nil
				p4 := mkPost(4, "x", "<p>d</p>")
				p4["username"], p4["name"], p4["user_id"] = "", "", nil
				tp["post_stream"].(map[string]any)["posts"] = append(posts(tp), p4)
			},
			check: func(t *testing.T, th *forum.Thread) {
				got := []string{th.Question.Author}
				for _, r := range th.Replies {
					got = append(got, r.Author)
				}
				if strings.Join(got, "|") != "Ann A.|bob|user 13|deleted user" {
					t.Errorf("authors %q", got)
				}
			},
		},
		{
			name: "raw field wins and is rewritten; BBCode falls back to cooked",
			mut: func(tp map[string]any) {
				postN(tp, 1)["raw"] = "How? ![s|10x10](upload://abc.png) [x](/t/y/1)"
				postN(tp, 2)["raw"] = "[code]<x>[/code]"
			},
			check: func(t *testing.T, th *forum.Thread) {
				q := th.Question
				if q.Format != forum.Markdown || q.Body != "How? ![s](https://forum.example.org/uploads/short-url/abc.png) [x](https://forum.example.org/t/y/1)" {
					t.Errorf("question %q %q", q.Format, q.Body)
				}
				if th.Replies[0].Format != forum.HTML {
					t.Errorf("BBCode reply format %q", th.Replies[0].Format)
				}
			},
		},
		{
			name:   "no site: no permalinks, relative links kept",
			noSite: true,
			check: func(t *testing.T, th *forum.Thread) {
				if th.URL != "" || th.Site != "" || th.Question.URL != "" || th.Replies[0].URL != "" {
					t.Errorf("urls without a site: %q %q %q", th.URL, th.Question.URL, th.Replies[0].URL)
				}
				if !strings.Contains(th.Replies[0].Body, `href="/t/other/7"`) {
					t.Errorf("body %q", th.Replies[0].Body)
				}
			},
		},
		{
			name: "duplicate identical posts from merged pages",
			mut: func(tp map[string]any) {
				tp["post_stream"].(map[string]any)["posts"] = append(posts(tp), postN(tp, 2), postN(tp, 3))
			},
			check: func(t *testing.T, th *forum.Thread) {
				if got := strings.Join(ids(th.Replies), ","); got != "102,103" {
					t.Errorf("replies %s", got)
				}
			},
		},
		{
			name: "null fields are tolerated",
			mut: func(tp map[string]any) {
				tp["tags"], tp["category_id"], tp["accepted_answer"], tp["visible"] = nil, nil, nil, nil
				postN(tp, 2)["accepted_answer"] = nil
			},
			check: func(t *testing.T, th *forum.Thread) {
				if th.Skip != forum.SkipNoAcceptedAnswer || th.Category != "" || th.Tags != nil {
					t.Errorf("thread %+v", th)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := baseTopic()
			if tt.mut != nil {
				tt.mut(tp)
			}
			o := opts
			if tt.noSite {
				o = forum.Options{}
			}
			tt.check(t, readOne(t, tp, o))
		})
	}
}

func TestSlugFallback(t *testing.T) {
	tp := baseTopic()
	tp["slug"] = ""
	if th := readOne(t, tp, forum.Options{Site: site}); th.URL != site+"/t/topic/42" {
		t.Errorf("url %q", th.URL)
	}
}

// TestRawMDSibling: a .raw.md next to the JSON gives Markdown bodies,
// matched by post number, user and updated_at. A header that does not match
// its post (stale dump, or a header-like line inside the previous post)
// makes both blocks fall back to the cooked HTML.
func TestRawMDSibling(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		formats string // question, replies
	}{
		{
			name: "all blocks match",
			raw: block("ann", "1", "How?\n\n-------------------------\n\nStill the question.") +
				block("bob", "2", "Like [this](/t/other/7).") + block("cid", "3", "Or that."),
			formats: "markdown markdown markdown",
		},
		{
			name:    "another user's header: both neighbours fall back",
			raw:     block("ann", "1", "How?") + block("mallory", "2", "not bob's text") + block("cid", "3", "Or that."),
			formats: "html html markdown",
		},
		{
			name: "stale block: both neighbours fall back",
			raw: block("ann", "1", "How?") + strings.Replace(block("bob", "2", "old text"), "2021-02-02", "2020-01-01", 1) +
				block("cid", "3", "Or that."),
			formats: "html html markdown",
		},
		{
			name:    "blocks for posts the JSON lacks are skipped",
			raw:     block("ann", "1", "How?") + block("zed", "9", "later page") + block("cid", "10", "x"),
			formats: "markdown html html",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeJSON(t, dir, "how-do-i-foo.42.json", baseTopic())
			writeFile(t, dir, "how-do-i-foo.42.raw.md", tt.raw)
			ths, err := readAll(dir, forum.Options{Site: site})
			if err != nil {
				t.Fatal(err)
			}
			th := ths[0]
			got := []string{string(th.Question.Format)}
			for _, r := range th.Replies {
				got = append(got, string(r.Format))
			}
			if strings.Join(got, " ") != tt.formats {
				t.Errorf("formats %v, want %s", got, tt.formats)
			}
			if tt.formats == "markdown markdown markdown" {
				if th.Question.Body != "How?\n\n-------------------------\n\nStill the question." ||
					th.Replies[0].Body != "Like [this](https://forum.example.org/t/other/7)." {
					t.Errorf("bodies %q %q", th.Question.Body, th.Replies[0].Body)
				}
			}
		})
	}
}

func TestOrderAndIDs(t *testing.T) {
	dir := t.TempDir()
	for i, id := range []int{9, 3, 7} {
		tp := baseTopic()
		tp["id"] = id
		for _, p := range posts(tp) {
			p.(map[string]any)["topic_id"] = id
		}
		writeJSON(t, dir, "t"+itoa(2-i)+".json", tp) // t2, t1, t0
	}
	writeFile(t, dir, "notes.txt", "ignored")
	if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	ths, err := readAll(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, th := range ths {
		got = append(got, th.ID)
	}
	if strings.Join(got, ",") != "7,3,9" { // by file name t0, t1, t2
		t.Errorf("order %v", got)
	}
}

func TestThreadsStops(t *testing.T) {
	dir := t.TempDir()
	writeJSON(t, dir, "a.json", baseTopic())
	e, err := Open(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	if err := e.Threads(context.Background(), func(*forum.Thread) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("yield error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Threads(ctx, func(*forum.Thread) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

// TestBadInput checks that bad input is an *InputError naming the file and
// the record, with a hint.
func TestBadInput(t *testing.T) {
	corpusFile := filepath.Join(urhoDir, "how-to-scale-a-sprite2d-in-urho3d-without-rescaling-the-entire-node.3785.json")
	full, err := os.ReadFile(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(tp map[string]any) string {
		b, err := json.Marshal(tp)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	other := baseTopic()
	postN(other, 3)["topic_id"] = 43
	sameNumber := baseTopic()
	p := mkPost(2, "zed", "<p>x</p>")
	p["id"] = 555
	sameNumber["post_stream"].(map[string]any)["posts"] = append(posts(sameNumber), p)
	noQuestion := baseTopic()
	noQuestion["post_stream"].(map[string]any)["posts"] = posts(noQuestion)[1:]
	badTime := baseTopic()
	postN(badTime, 2)["created_at"] = "yesterday"
	badType := baseTopic()
	badType["title"] = 5
	big := baseTopic()
	postN(big, 2)["cooked"] = strings.Repeat("x", 5000)

	tests := []struct {
		name, data string
		opts       forum.Options
		want       []string // in the message
	}{
		{"truncated", string(full[:len(full)/2]), forum.Options{}, []string{"truncated", "byte"}},
		{"invalid JSON", `{"id": 42, "post_stream": {"posts": [}}`, forum.Options{}, []string{"invalid JSON", "topic 42", "byte 37"}},
		{"array", `[{"id": 1}]`, forum.Options{}, []string{"an array, not a topic object", "/t/{id}.json"}},
		{"string", `"hello"`, forum.Options{}, []string{"a string, not a topic object"}},
		{"not a topic", `{"users": []}`, forum.Options{}, []string{"not a topic"}},
		{"empty", ``, forum.Options{}, []string{"empty file"}},
		{"trailing data", enc(baseTopic()) + `{"id": 2}`, forum.Options{}, []string{"after the topic object", "topic 42"}},
		{"post of another topic", enc(other), forum.Options{}, []string{"topic 42 post #3 (id 103)", "belongs to topic 43"}},
		{"post of another topic, id after posts", `{"post_stream":{"posts":[{"id":1,"post_number":1,"topic_id":7}]},"id":8}`,
			forum.Options{}, []string{"topic 8 post #1 (id 1)", "belongs to topic 7"}},
		{"two posts with one number", enc(sameNumber), forum.Options{}, []string{"topic 42 post #2 (id 555)", "also post id 102", "merged"}},
		{"no question", enc(noQuestion), forum.Options{}, []string{"topic 42", "first post"}},
		{"bad time", enc(badTime), forum.Options{}, []string{"topic 42 post #2", "yesterday"}},
		{"wrong type", enc(badType), forum.Options{}, []string{"title", "wrong type"}},
		{"post too large", enc(big), forum.Options{MaxPostBytes: 1000}, []string{"topic 42 post #2", "larger than 1000 bytes"}},
		{"bad post number", `{"id":1,"post_stream":{"posts":[{"id":5,"post_number":"x"}]}}`, forum.Options{}, []string{"topic 1 post 1 of post_stream.posts", "wrong shape"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "bad.json", tt.data)
			_, err := readAll(path, tt.opts)
			var ie *forum.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want *forum.InputError", err, err)
			}
			msg := err.Error()
			for _, w := range append(tt.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if ie.Hint == "" || ie.Format != forum.Discourse {
				t.Errorf("hint %q format %q", ie.Hint, ie.Format)
			}
		})
	}
}

func TestDuplicateTopicAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	first := writeJSON(t, dir, "a.json", baseTopic())
	second := writeJSON(t, dir, "b.json", baseTopic())
	var yielded int
	e, err := Open(dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = e.Threads(context.Background(), func(*forum.Thread) error { yielded++; return nil })
	var ie *forum.InputError
	if !errors.As(err, &ie) || ie.Path != second || ie.Record != "topic 42" || !strings.Contains(err.Error(), first) {
		t.Fatalf("err = %v", err)
	}
	if yielded != 1 {
		t.Errorf("yielded %d threads before the duplicate, want 1", yielded)
	}
}

func TestOpenErrors(t *testing.T) {
	var ie *forum.InputError
	_, err := Open(filepath.Join(t.TempDir(), "nope"), forum.Options{})
	if !errors.As(err, &ie) || ie.Hint == "" || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing path: %v", err)
	}
	_, err = Open(t.TempDir(), forum.Options{})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "no *.json") {
		t.Errorf("empty folder: %v", err)
	}
	dir := t.TempDir()
	writeJSON(t, dir, "t.json", baseTopic())
	writeFile(t, dir, "t.raw.md", "this is not a dump\n")
	_, err = readAll(dir, forum.Options{})
	if !errors.As(err, &ie) || !strings.HasSuffix(ie.Path, "t.raw.md") || ie.Record != "topic 42" {
		t.Errorf("bad raw.md: %v", err)
	}
}

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	gh := writeFile(t, dir, "gh.json", `{"data":{"repository":{"discussions":{"nodes":[]}}}}`)
	txt := writeFile(t, dir, "x.txt", "not json at all")
	// post_stream first and a huge value after it: decided from the prefix.
	huge := writeFile(t, dir, "huge.json", `{"post_stream":{"posts":[{"cooked":"`+strings.Repeat("a", 4<<20)+`"}]}}`)
	sorted := writeFile(t, dir, "sorted.json", `{"actions_summary":[],"archetype":"regular","chunk_size":20}`)
	empty := t.TempDir()
	tests := []struct {
		path string
		want bool
	}{
		{urhoDir, true},
		{mozillaDir, true},
		{filepath.Join(mozillaDir, "discourse_topic_1148.json"), true},
		{gh, false},
		{txt, false},
		{huge, true},
		{sorted, true},
		{empty, false},
	}
	for _, tt := range tests {
		got, err := Sniff(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("Sniff(%s) = %v, %v; want %v", tt.path, got, err, tt.want)
		}
	}
	if _, err := Sniff(filepath.Join(dir, "missing")); err == nil {
		t.Error("Sniff of a missing path: no error")
	}
}
