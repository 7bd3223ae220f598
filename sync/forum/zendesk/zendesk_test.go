package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

func readAll(t testing.TB, path string, opts forum.Options) ([]*forum.Thread, error) {
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

func ids(posts []forum.Post) []string {
	var s []string
	for _, p := range posts {
		s = append(s, p.ID)
	}
	return s
}

type wantThread struct {
	id, answer string
	solutions  []string
	replies    []string
	skip       string
}

func TestThreads(t *testing.T) {
	tests := []struct {
		path string
		want []wantThread
	}{
		{"testdata/export", []wantThread{
			// Two official comments: the earlier one is the answer.
			{id: "8400000000101", answer: "8500000000003", solutions: []string{"8500000000002"}, replies: []string{"8500000000001"}},
			// status "answered" but nothing official.
			{id: "8400000000102", replies: []string{"8500000000011", "8500000000012", "8500000000013"}, skip: forum.SkipNoAcceptedAnswer},
			{id: "8400000000103", answer: "8500000000021"},
			{id: "8400000000104", skip: forum.SkipNoAcceptedAnswer},
		}},
		{"testdata/combined.json", []wantThread{
			{id: "8400000000201", answer: "8500000000031", replies: []string{"8500000000032"}},
			{id: "8400000000202", replies: []string{"8500000000033"}, skip: forum.SkipNoAcceptedAnswer},
		}},
		{"testdata/multi-response.json", []wantThread{
			{id: "8400000000301", answer: "8500000000041"},
			{id: "8400000000302", skip: forum.SkipNoAcceptedAnswer},
			{id: "8400000000399", replies: []string{"8500000000042"}, skip: forum.SkipDeleted}, // post not exported
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			threads, err := readAll(t, tt.path, forum.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []wantThread
			for _, th := range threads {
				w := wantThread{id: th.ID, solutions: ids(th.Solutions), replies: ids(th.Replies), skip: th.Skip}
				if th.Answer != nil {
					w.answer = th.Answer.ID
				}
				got = append(got, w)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestThreadFields(t *testing.T) {
	threads, err := readAll(t, "testdata/export", forum.Options{Site: "https://example.zendesk.com/"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	th := threads[0]
	must("Source", th.Source, forum.Zendesk)
	must("Site", th.Site, "https://example.zendesk.com")
	must("Title", th.Title, "Printer offline after firmware 4.2")
	must("URL", th.URL, "https://example.zendesk.com/hc/en-us/community/posts/8400000000101-Printer-offline-after-firmware-4-2")
	must("Category", th.Category, "7000000000001")
	must("Score", th.Score, 5)
	must("Created", th.Created, time.Date(2023, 3, 1, 17, 15, 22, 0, time.UTC))
	must("Updated", th.Updated, time.Date(2023, 3, 1, 18, 2, 0, 0, time.UTC))
	must("Question.Author", th.Question.Author, "Ana Kowalski")
	must("Question.AuthorID", th.Question.AuthorID, "9100000000001")
	must("Question.Body", th.Question.Body, "<p>Since <strong>4.2</strong> the printer shows <em>offline</em>.</p>\n<ol>\n<li>Restarted the spooler</li>\n<li>Re-added the printer</li>\n</ol>")
	must("Answer.Author", th.Answer.Author, "Bo Lindqvist")
	must("Answer.URL", th.Answer.URL, "https://example.zendesk.com/hc/en-us/community/posts/8400000000101-Printer-offline-after-firmware-4-2/comments/8500000000003")
	must("Answer.Updated", th.Answer.Updated.IsZero(), true)
	must("Answer.Score", th.Answer.Score, 4)
	must("Answer.Format", th.Answer.Format, forum.HTML)
	if !strings.Contains(th.Answer.Body, "<pre><code>pnputil /delete-driver oem42.inf /uninstall\nAdd-Printer -Name \"Office\"</code></pre>") {
		t.Errorf("code block changed: %q", th.Answer.Body)
	}
	must("Solutions[0].Author", th.Solutions[0].Author, "Support Team")
	must("Solutions[0].Updated", th.Solutions[0].Updated, time.Date(2023, 3, 2, 16, 30, 0, 0, time.UTC))

	// Deleted and unknown authors.
	must("unknown author", threads[1].Replies[0].Author, "user 9100000000099")
	must("null author", threads[1].Replies[1].Author, "deleted user")
	must("null author id", threads[1].Replies[1].AuthorID, "")
	must("unknown asker", threads[2].Question.Author, "user 9100000000099")
	must("unknown answerer", threads[2].Answer.Author, "user 9100000000099")
	last := threads[3]
	must("null asker", last.Question.Author, "deleted user")
	must("one-line title", last.Title, "Feature request: duplex on the Mini")
	must("closed", last.Closed, true)
	must("negative score", last.Score, -2)
	must("never edited", last.Updated.IsZero(), true)
}

func TestOrphanComments(t *testing.T) {
	threads, err := readAll(t, "testdata/multi-response.json", forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := threads[2]
	if o.Status != forum.Deleted || o.Answer != nil || o.Title != "" || o.Question.Author == "" ||
		!o.Created.Equal(time.Date(2023, 7, 1, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("orphan thread %+v", o)
	}
}

// plain is an independent reading of a fixture with encoding/json into maps.
type plain struct {
	posts    []string          // post ids in order
	comments map[string]int    // post id -> comments
	official map[string]int    // post id -> official comments
	orphans  map[string]bool   // post ids that only comments name
	users    map[string]string // user id -> name
}

func plainCount(t *testing.T, path string) plain {
	t.Helper()
	p := plain{comments: map[string]int{}, official: map[string]int{}, orphans: map[string]bool{}, users: map[string]string{}}
	var files []string
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.json"))
	} else {
		files = []string{path}
	}
	isPost := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		for {
			var v map[string][]map[string]any
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil && !strings.Contains(err.Error(), "cannot unmarshal") {
				t.Fatal(f, err)
			}
			for _, po := range v["posts"] {
				id := po["id"].(json.Number).String()
				p.posts = append(p.posts, id)
				isPost[id] = true
			}
			for _, c := range v["comments"] {
				pid := c["post_id"].(json.Number).String()
				p.comments[pid]++
				if c["official"] == true {
					p.official[pid]++
				}
			}
			for _, u := range v["users"] {
				p.users[u["id"].(json.Number).String()] = u["name"].(string)
			}
		}
	}
	for pid := range p.comments {
		if !isPost[pid] {
			p.orphans[pid] = true
		}
	}
	return p
}

// TestCorpusCounts compares the reader with a plain decode of each fixture.
func TestCorpusCounts(t *testing.T) {
	for _, path := range []string{"testdata/export", "testdata/combined.json", "testdata/multi-response.json", "testdata"} {
		t.Run(path, func(t *testing.T) {
			p := plainCount(t, path)
			threads, err := readAll(t, path, forum.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(threads) != len(p.posts)+len(p.orphans) {
				t.Fatalf("%d threads, %d posts + %d orphans", len(threads), len(p.posts), len(p.orphans))
			}
			for i, id := range p.posts { // posts keep their input order, orphans follow
				if threads[i].ID != id {
					t.Errorf("thread %d is %s, post %s", i, threads[i].ID, id)
				}
			}
			var orphans []string
			for _, th := range threads[len(p.posts):] {
				orphans = append(orphans, th.ID)
				if !p.orphans[th.ID] || th.Skip != forum.SkipDeleted {
					t.Errorf("thread %s is not an orphan (skip %q)", th.ID, th.Skip)
				}
			}
			if len(orphans) != len(p.orphans) {
				t.Errorf("orphans %v, want %v", orphans, p.orphans)
			}
			for _, th := range threads {
				n := len(th.Solutions) + len(th.Replies)
				off := len(th.Solutions)
				if th.Answer != nil {
					n++
					off++
				}
				wantOff := p.official[th.ID]
				if p.orphans[th.ID] {
					wantOff = 0 // orphans keep all their comments as replies
				}
				if n != p.comments[th.ID] || off != wantOff {
					t.Errorf("thread %s: %d comments (%d accepted), plain decode %d (%d official)", th.ID, n, off, p.comments[th.ID], p.official[th.ID])
				}
				if (th.Skip == "") != (p.official[th.ID] > 0 && !p.orphans[th.ID]) {
					t.Errorf("thread %s skip %q with %d official comments", th.ID, th.Skip, p.official[th.ID])
				}
				if name, ok := p.users[th.Question.AuthorID]; ok && th.Question.Author != name {
					t.Errorf("thread %s author %q, users say %q", th.ID, th.Question.Author, name)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		file, record, msg string
	}{
		{"truncated.json", "response 1 comment 2", "truncated"},
		{"wrong-shape.json", "response 1", `no "posts", "comments" or "users"`},
		{"wrong-field.json", "response 1 comment 1 (comment 8500000000031)", "field official"},
		{"duplicate-comment.json", "response 1 comment 4 (comment 8500000000032)", "duplicate comment id 8500000000032"},
		{"duplicate-post.json", "response 2 post 1 (post 8400000000102)", "duplicate post id 8400000000102"},
		{"foreign-answer.json", "response 1 comment 1 (comment 8500000000031)", "post_id is 8400000000202 but the comment's URL"},
		{"comments-only.json", "", "comments but no posts"},
		{"api-error.json", "response 1", "API error response"},
		{"top-level-array.json", "", "top-level value is an array"},
		{"bad-time.json", "response 1 post 2 (post 8400000000202)", `time "02/06/2023"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tt.file)
			_, err := readAll(t, path, forum.Options{})
			var ie *forum.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an InputError", err, err)
			}
			if ie.Path != path || ie.Record != tt.record || ie.Format != forum.Zendesk {
				t.Errorf("path %q record %q format %q", ie.Path, ie.Record, ie.Format)
			}
			for _, s := range []string{path, tt.record, tt.msg} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	empty := t.TempDir()
	for _, path := range []string{"testdata/missing.json", empty} {
		if _, err := Open(path, forum.Options{}); !forum.IsInput(err) || !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%q) = %v", path, err)
		}
	}
	zero := filepath.Join(t.TempDir(), "zero.json")
	os.WriteFile(zero, []byte("  \n"), 0o644)
	if _, err := readAll(t, zero, forum.Options{}); !forum.IsInput(err) {
		t.Errorf("empty file: %v", err)
	}
}

func TestPostLimit(t *testing.T) {
	_, err := readAll(t, "testdata/combined.json", forum.Options{MaxPostBytes: 20})
	var ie *forum.InputError
	if !errors.As(err, &ie) || !strings.Contains(ie.Err.Error(), "over the 20 byte limit") || ie.Record != "response 1 post 1 (post 8400000000201)" {
		t.Errorf("limit: %v", err)
	}
}

func TestStopAndCancel(t *testing.T) {
	e, err := Open("testdata/export", forum.Options{})
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
}

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	tests := []struct {
		path string
		want bool
	}{
		{"testdata/export", true},
		{"testdata/combined.json", true},
		{"testdata/multi-response.json", true},
		{"testdata/export/post-8400000000101-comments.json", true},
		{write("cut.json", `{"posts":[{"id":1,"title":"x","details":"<p>very long and cut`), true},
		{write("ticket-comments.json", `{"comments":[{"id":1,"type":"Comment","author_id":2,"body":"x","public":true}]}`), false},
		{write("articles.json", `{"articles":[{"id":1,"section_id":2}]}`), false},
		{write("khoros.json", `{"status":"success","data":{"type":"messages","items":[]}}`), false},
		{write("empty-posts.json", `{"posts":[],"users":[]}`), false},
		{"testdata/bad/api-error.json", false},
	}
	for _, tt := range tests {
		got, err := Sniff(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("Sniff(%s) = %v, %v; want %v", tt.path, got, err, tt.want)
		}
	}
	if _, err := Sniff("testdata/nope.json"); err == nil {
		t.Error("Sniff of a missing file: no error")
	}
}

func TestSortedIDs(t *testing.T) {
	ps := []forum.Post{{ID: "10"}, {ID: "9"}, {ID: "b"}, {ID: "a"}}
	byTime(ps)
	got := ids(ps)
	want := []string{"9", "10", "a", "b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("byTime ties: %v", got)
	}
}

func FuzzZendesk(f *testing.F) {
	for _, g := range []string{"testdata/*.json", "testdata/export/*.json", "testdata/bad/*.json"} {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			// Compact seeds keep the fuzzer's minimization of new inputs short.
			var c bytes.Buffer
			if json.Compact(&c, data) == nil {
				data = c.Bytes()
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"posts":[{"id":1,"created_at":"2020-01-01T00:00:00Z"}],"comments":[{"id":2,"post_id":1,"official":true,"created_at":"2020-01-01T00:00:00Z"}]}`))
	path := filepath.Join(f.TempDir(), "f.json") // one per worker process: t.TempDir per run is slow
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		threads, err := readAll(t, path, forum.Options{MaxPostBytes: 1 << 16})
		if err != nil {
			var ie *forum.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an InputError", err, err)
			}
			if ie.Path != path || ie.Err == nil {
				t.Fatalf("InputError without path or cause: %#v", ie)
			}
			return
		}
		seen := map[string]bool{}
		for _, th := range threads {
			if th.Source != forum.Zendesk || !jsonstream.ValidID(th.ID) || seen[th.ID] {
				t.Fatalf("bad or repeated thread id %q", th.ID)
			}
			seen[th.ID] = true
			if (th.Answer == nil) != (th.Skip != "") {
				t.Fatalf("thread %s: answer %v but skip %q", th.ID, th.Answer != nil, th.Skip)
			}
			if th.Answer == nil && len(th.Solutions) > 0 {
				t.Fatalf("thread %s: solutions without an answer", th.ID)
			}
			if th.Status == forum.Deleted && th.Skip != forum.SkipDeleted {
				t.Fatalf("thread %s: deleted but skip %q", th.ID, th.Skip)
			}
			posts := append([]forum.Post{}, th.Solutions...)
			posts = append(posts, th.Replies...)
			if th.Answer != nil {
				posts = append(posts, *th.Answer)
			}
			if th.Status != forum.Deleted {
				posts = append(posts, th.Question)
			}
			for _, p := range posts {
				if p.Author == "" || p.ID == "" || p.Created.IsZero() || p.Format != forum.HTML || p.Body != forum.CleanText(p.Body) {
					t.Fatalf("thread %s: bad post %+v", th.ID, p)
				}
			}
			if th.Title != forum.OneLine(th.Title) {
				t.Fatalf("title not one line: %q", th.Title)
			}
		}
	})
}
