package khoros

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
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
		{"testdata/solved-several.json", []wantThread{
			// 1004 was accepted first (solution_data.time), although posted after 1003;
			// 1005 has no solution_data, so its post time ranks it.
			{id: "1001", answer: "1004", solutions: []string{"1005", "1003"}, replies: []string{"1002"}},
		}},
		{"testdata/unsolved-deleted.json", []wantThread{
			{id: "1010", replies: []string{"1011", "1012"}, skip: forum.SkipNoAcceptedAnswer},
			{id: "1013", replies: []string{"1014"}, skip: forum.SkipAcceptedAnswerMissing},
			{id: "1015", skip: forum.SkipNoAcceptedAnswer},
		}},
		{"testdata/multi-response.json", []wantThread{
			{id: "1020", answer: "1021", replies: []string{"1022"}},
			{id: "1025", skip: forum.SkipNoAcceptedAnswer},
			{id: "1023", answer: "1024"},
		}},
		{"testdata/array-of-responses.json", []wantThread{
			{id: "1030", answer: "1031"},
		}},
		{"testdata/split", []wantThread{
			{id: "1040", answer: "1042", replies: []string{"1041"}},
			{id: "1045", answer: "1044"}, // its reply came first, in page-1
			{id: "1043", skip: forum.SkipNoAcceptedAnswer},
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

func TestSolvedThreadFields(t *testing.T) {
	threads, err := readAll(t, "testdata/solved-several.json", forum.Options{Site: "https://community.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	th := threads[0]
	must := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	must("Source", th.Source, forum.Khoros)
	must("Title", th.Title, "Printer shows “offline” after the 4.2 update")
	must("URL", th.URL, "https://community.example.com/t5/Printers/Printer-shows-offline-after-the-4-2-update/td-p/1001")
	must("Site", th.Site, "https://community.example.com")
	must("Category", th.Category, "Printers")
	must("Tags", th.Tags, []string{"Drivers", "Windows", "offline", "firmware"})
	must("Score", th.Score, 7)
	must("Views", th.Views, 1234)
	must("Question.Author", th.Question.Author, "ana_k")
	must("Question.AuthorID", th.Question.AuthorID, "501")
	must("Question.Format", th.Question.Format, forum.HTML)
	must("Created", th.Created, time.Date(2023, 3, 1, 17, 15, 22, 512e6, time.UTC))
	must("Updated", th.Updated, time.Date(2023, 3, 1, 18, 2, 0, 0, time.UTC))
	a := th.Answer
	must("Answer.Author", a.Author, "Bo Lindqvist")
	must("Answer.Accepted", a.Accepted, time.Date(2023, 3, 3, 17, 0, 0, 0, time.UTC))
	must("Answer.AcceptedBy", a.AcceptedBy, "Printer Guru (Moderator)")
	must("Answer.Updated", a.Updated, time.Date(2023, 3, 3, 16, 30, 0, 0, time.UTC))
	must("Answer.Score", a.Score, 4)
	must("Solutions[1].AcceptedBy", th.Solutions[1].AcceptedBy, "ana_k")
	must("Solutions[0].Accepted", th.Solutions[0].Accepted.IsZero(), true) // no solution_data
	must("Replies[0].Accepted", th.Replies[0].Accepted.IsZero(), true)

	for _, s := range []string{`@Printer Guru (Moderator)`, `:slightly_smiling_face:`, "<ol>\n<li>Restarted the spooler</li>"} {
		if !strings.Contains(th.Question.Body, s) {
			t.Errorf("question body lacks %q:\n%s", s, th.Question.Body)
		}
	}
	for _, s := range []string{
		"<pre><code class=\"language-powershell\">pnputil /delete-driver oem42.inf /uninstall\nAdd-Printer -Name \"Office\" -DriverName \"Example PCL6\"</code></pre>",
		`<img src="https://community.example.com/t5/image/serverpage/image-id/98765iAB12CD34" alt="ports-dialog.png">`,
	} {
		if !strings.Contains(a.Body, s) {
			t.Errorf("answer body lacks %q:\n%s", s, a.Body)
		}
	}
	if strings.Contains(a.Body+th.Question.Body, "<li-") {
		t.Error("a Khoros custom tag survived")
	}
}

func TestDeletedAuthorsAndFlags(t *testing.T) {
	threads, err := readAll(t, "testdata/unsolved-deleted.json", forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	th := threads[0]
	if th.Question.Author != "deleted user" || th.Question.AuthorID != "" {
		t.Errorf("null author: %q %q", th.Question.Author, th.Question.AuthorID)
	}
	if th.Replies[0].Author != "deleted user" {
		t.Errorf("absent author: %q", th.Replies[0].Author)
	}
	if th.Replies[1].Author != "user 77" || th.Replies[1].AuthorID != "77" {
		t.Errorf("author without login: %q %q", th.Replies[1].Author, th.Replies[1].AuthorID)
	}
	if !strings.Contains(th.Question.Body, "cc user 77:thinking-face:") {
		t.Errorf("li-user without login / self-closing li-emoji: %q", th.Question.Body)
	}
	if th.Tags[0] != "Email" || th.Category != "Scanners" || th.Views != 88 {
		t.Errorf("tags %v category %q views %d", th.Tags, th.Category, th.Views)
	}
	if len(threads[1].Tags) != 0 {
		t.Errorf("labels given only as a query link must give no tags, got %v", threads[1].Tags)
	}
	last := threads[2]
	if last.Title != "Duplex printing option greyed out" || !last.Locked {
		t.Errorf("title %q locked %v", last.Title, last.Locked)
	}
}

func TestRelativeURLsAndNumericIDs(t *testing.T) {
	threads, err := readAll(t, "testdata/array-of-responses.json", forum.Options{Site: "https://community.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	th := threads[0]
	if th.URL != "https://community.example.com/t5/Printers/Paper-jam-in-tray-2/td-p/1030" {
		t.Errorf("URL %q", th.URL)
	}
	if th.Answer.AuthorID != "503" || th.Question.AuthorID != "504" {
		t.Errorf("numeric ids: %q %q", th.Answer.AuthorID, th.Question.AuthorID)
	}
	if want := time.Date(2023, 6, 1, 9, 0, 0, 0, time.UTC); !th.Created.Equal(want) {
		t.Errorf("+0000 offset: %v", th.Created)
	}
	// Without a site the relative link is kept as given.
	threads, err = readAll(t, "testdata/array-of-responses.json", forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if threads[0].URL != "/t5/Printers/Paper-jam-in-tray-2/td-p/1030" {
		t.Errorf("URL without site %q", threads[0].URL)
	}
}

// generic is an independent reading of a fixture: plain json into maps.
type generic struct {
	convs     map[string]bool
	topics    map[string]string // conversation -> topic id
	solved    map[string]bool   // conversation has an is_solution item
	solutions int
	replies   int
}

func genericCount(t *testing.T, path string) generic {
	t.Helper()
	g := generic{convs: map[string]bool{}, topics: map[string]string{}, solved: map[string]bool{}}
	var files []string
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		files, _ = filepath.Glob(filepath.Join(path, "*.json"))
	} else {
		files = []string{path}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		for {
			var v any
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(f, err)
			}
			resps, ok := v.([]any)
			if !ok {
				resps = []any{v}
			}
			for _, r := range resps {
				for _, it := range r.(map[string]any)["data"].(map[string]any)["items"].([]any) {
					m := it.(map[string]any)
					conv := jsonString(m["conversation"].(map[string]any)["id"])
					g.convs[conv] = true
					depth, hasDepth := m["depth"]
					_, hasParent := m["parent"]
					if (hasDepth && jsonString(depth) == "0") || (!hasDepth && !hasParent) {
						g.topics[conv] = jsonString(m["id"])
						continue
					}
					if m["is_solution"] == true {
						g.solved[conv] = true
						g.solutions++
					} else {
						g.replies++
					}
				}
			}
		}
	}
	return g
}

func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// TestCorpusCounts compares the reader with a plain decode of each fixture.
func TestCorpusCounts(t *testing.T) {
	for _, path := range []string{
		"testdata/solved-several.json", "testdata/unsolved-deleted.json", "testdata/multi-response.json",
		"testdata/array-of-responses.json", "testdata/split", "testdata",
	} {
		t.Run(path, func(t *testing.T) {
			g := genericCount(t, path)
			threads, err := readAll(t, path, forum.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(threads) != len(g.convs) {
				t.Errorf("%d threads, %d conversations", len(threads), len(g.convs))
			}
			var gotTopics, wantTopics []string
			for _, id := range g.topics {
				wantTopics = append(wantTopics, id)
			}
			solved, solutions, replies := 0, 0, 0
			seen := map[string]bool{}
			for _, th := range threads {
				if seen[th.ID] {
					t.Errorf("thread %s twice", th.ID)
				}
				seen[th.ID] = true
				gotTopics = append(gotTopics, th.ID)
				if th.Answer != nil {
					solved++
					solutions += 1 + len(th.Solutions)
				}
				replies += len(th.Replies)
			}
			sort.Strings(gotTopics)
			sort.Strings(wantTopics)
			if !reflect.DeepEqual(gotTopics, wantTopics) {
				t.Errorf("thread ids %v, topic ids %v", gotTopics, wantTopics)
			}
			if solved != len(g.solved) || solutions != g.solutions || replies != g.replies {
				t.Errorf("solved %d/%d solutions %d/%d replies %d/%d (reader/plain)",
					solved, len(g.solved), solutions, g.solutions, replies, g.replies)
			}
		})
	}
}

// TestInterleavedExport holds the reader to its grouping promise: messages of
// a conversation may be anywhere in any file (here dealt round-robin over
// three files, replies before topics), and threads come in the order their
// conversation first appears.
func TestInterleavedExport(t *testing.T) {
	const convs, perConv, files = 299, 4, 3 // 299 is not a multiple of 3: conversations span files
	dir := t.TempDir()
	var items [files][]string
	var convOf [files][]int
	n := 0
	for m := perConv - 1; m >= 0; m-- { // last replies first, topics last
		for c := 0; c < convs; c++ {
			extra := `,"depth":0`
			if m > 0 {
				extra = fmt.Sprintf(`,"depth":1,"parent":{"id":"%d"},"is_solution":%v`, 100000+c*10, m == 1 && c%2 == 0)
			}
			items[n%files] = append(items[n%files], fmt.Sprintf(
				`{"id":"%d","subject":"s%d","body":"<p>b</p>","conversation":{"id":"c%d"},"post_time":"2024-01-01T00:00:%02dZ"%s}`,
				100000+c*10+m, c, c, m, extra))
			convOf[n%files] = append(convOf[n%files], c)
			n++
		}
	}
	var wantOrder []string
	first := map[int]bool{}
	for i := range items {
		body := `{"status":"success","data":{"type":"messages","items":[` + strings.Join(items[i], ",") + `]}}`
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%d.json", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, c := range convOf[i] {
			if !first[c] {
				first[c] = true
				wantOrder = append(wantOrder, fmt.Sprint(100000+c*10))
			}
		}
	}
	threads, err := readAll(t, dir, forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var gotOrder []string
	for _, th := range threads {
		gotOrder = append(gotOrder, th.ID)
		var c int
		fmt.Sscanf(th.Title, "s%d", &c)
		answers := len(th.Solutions)
		if th.Answer != nil {
			answers++
		}
		if th.ID != fmt.Sprint(100000+c*10) || answers+len(th.Replies) != perConv-1 || (answers == 1) != (c%2 == 0) {
			t.Fatalf("thread %s (%s): %d accepted, %d replies", th.ID, th.Title, answers, len(th.Replies))
		}
	}
	if !reflect.DeepEqual(gotOrder, wantOrder) {
		t.Errorf("thread order differs from first appearance:\n got %v\nwant %v", gotOrder[:10], wantOrder[:10])
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		file, record, msg string
	}{
		{"truncated.json", "response 1 item 3", "truncated"},
		{"wrong-shape.json", "response 1", `data.type is users, want "messages"`},
		{"wrong-field.json", "response 1 item 3 (message 1003)", "field is_solution"},
		{"error-status.json", "response 1", `status "error": Invalid query syntax`},
		{"duplicate-id.json", "response 2 item 2 (message 1002)", "duplicate message id 1002"},
		{"foreign-solution.json", "message 1102 (conversation 3002)", "parent 1100 is in conversation 3001"},
		{"foreign-topic.json", "message 1112 (conversation 3004)", "topic.id 1110 is not this conversation's topic 1111"},
		{"no-topic.json", "conversation 3005", "no topic message"},
		{"two-topics.json", "response 1 item 2 (message 1131)", "two topic messages (1130 and 1131)"},
		{"size-mismatch.json", "response 1", "data.size is 3 but data.items holds 2"},
		{"bad-time.json", "response 1 item 2 (message 1002)", `time "yesterday"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tt.file)
			_, err := readAll(t, path, forum.Options{})
			var ie *forum.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an InputError", err, err)
			}
			if ie.Path != path || ie.Record != tt.record || ie.Format != forum.Khoros {
				t.Errorf("path %q record %q format %q", ie.Path, ie.Record, ie.Format)
			}
			msg := err.Error()
			for _, s := range []string{path, tt.record, tt.msg} {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			if ie.Offset < 0 {
				t.Errorf("no byte offset in %q", msg)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x"), 0o644)
	for _, path := range []string{"testdata/does-not-exist.json", empty} {
		_, err := Open(path, forum.Options{})
		if !forum.IsInput(err) || !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%q) = %v", path, err)
		}
	}
	zero := filepath.Join(t.TempDir(), "zero.json")
	os.WriteFile(zero, nil, 0o644)
	if _, err := readAll(t, zero, forum.Options{}); !forum.IsInput(err) || !strings.Contains(err.Error(), "no LiQL response") {
		t.Errorf("empty file: %v", err)
	}
}

func TestPostLimit(t *testing.T) {
	_, err := readAll(t, "testdata/solved-several.json", forum.Options{MaxPostBytes: 100})
	var ie *forum.InputError
	if !errors.As(err, &ie) || !strings.Contains(ie.Err.Error(), "over the 100 byte limit") || ie.Record != "response 1 item 1 (message 1001)" {
		t.Errorf("limit: %v", err)
	}
}

func TestStopAndCancel(t *testing.T) {
	e, err := Open("testdata/unsolved-deleted.json", forum.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	err = e.Threads(context.Background(), func(*forum.Thread) error { n++; return stop })
	if err != stop || n != 1 {
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
		{"testdata/solved-several.json", true},
		{"testdata/array-of-responses.json", true},
		{"testdata/split", true},
		{write("cut.json", `{"status":"success","data":{"type":"messages","items":[{"id":"1","body":"<p>cut he`), true},
		{write("bom.json", "\xef\xbb\xbf{\"data\":{\"list_item_type\":\"message\"}}"), true},
		{write("users.json", `{"status":"success","data":{"type":"users","items":[]}}`), false},
		{write("zendesk.json", `{"posts":[{"id":1,"title":"x","details":"<p>y</p>","topic_id":2}]}`), false},
		{write("nested.json", `{"other":{"data":{"type":"messages"}}}`), false},
		{write("text.json", `not json at all`), false},
		{"testdata/bad/error-status.json", false},
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

func TestRewriteBody(t *testing.T) {
	tests := []struct{ in, site, want string }{
		{"<p>plain <b>html</b></p>", "", "<p>plain <b>html</b></p>"},
		{`<P CLASS="x">Hi <li-user uid="1" login="Ann &amp; Co"></li-user>!</P>`, "", `<P CLASS="x">Hi @Ann &amp; Co!</P>`},
		{`<li-user uid="9">stale name</li-user> ok`, "", `user 9 ok`},
		{`<li-user/>x`, "", `deleted userx`},
		{`<li-emoji id="lia_red-heart"></li-emoji>`, "", `:red-heart:`},
		{`<li-image id="5i6" alt="a&quot;b.png"></li-image>`, "https://c.example", `<img src="https://c.example/t5/image/serverpage/image-id/5i6" alt="a&#34;b.png">`},
		{`<li-image src="https://img.example/x.png" id="5">Caption</li-image>`, "", `<img src="https://img.example/x.png">Caption`},
		{`<li-image alt="no id"></li-image>`, "", ``},
		{`<li-code lang="go">if a &lt; b {}</li-code>`, "", `<pre><code class="language-go">if a &lt; b {}</code></pre>`},
		{`<li-code>x</li-code>`, "", `<pre><code>x</code></pre>`},
		{`<li-spoiler>secret <i>x</i></li-spoiler>`, "", `secret <i>x</i>`},
		{`<LI-USER login="up"></LI-USER>`, "", `@up`},
		{`<li-user login="a"></li-user><p>keep</p>`, "", `@a<p>keep</p>`},
		{`<li-user login="x" <script>`, "", `@x`},
		{`a <!-- c --> <li-emoji title=":+1:"></li-emoji>`, "", `a <!-- c --> :+1:`},
	}
	for _, tt := range tests {
		if got := rewriteBody(tt.in, tt.site); got != tt.want {
			t.Errorf("rewriteBody(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2023, 3, 1, 17, 15, 22, 512e6, time.UTC)
	for _, s := range []string{"2023-03-01T09:15:22.512-08:00", "2023-03-01T17:15:22.512Z", "2023-03-01T09:15:22.512-0800", "2023-03-01T17:15:22.512"} {
		got, err := parseTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := parseTime("03/01/2023"); err == nil {
		t.Error("bad time accepted")
	}
}

func FuzzKhoros(f *testing.F) {
	for _, g := range []string{"testdata/*.json", "testdata/split/*.json", "testdata/bad/*.json"} {
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
	f.Add([]byte(`{"data":{"items":[{"id":"1","conversation":{"id":"c"},"post_time":"2020-01-01T00:00:00Z","body":"<li-user login=x>"}]}}`))
	f.Add([]byte(`[{"data":{"items":[]}}] {"data":{}}`))
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
			if th.Source != forum.Khoros || !jsonstream.ValidID(th.ID) || seen[th.ID] {
				t.Fatalf("bad or repeated thread id %q", th.ID)
			}
			seen[th.ID] = true
			if (th.Answer == nil) != (th.Skip != "") {
				t.Fatalf("thread %s: answer %v but skip %q", th.ID, th.Answer != nil, th.Skip)
			}
			if th.Answer == nil && len(th.Solutions) > 0 {
				t.Fatalf("thread %s: solutions without an answer", th.ID)
			}
			posts := append([]forum.Post{th.Question}, th.Solutions...)
			posts = append(posts, th.Replies...)
			if th.Answer != nil {
				posts = append(posts, *th.Answer)
			}
			for _, p := range posts {
				if p.Author == "" || p.ID == "" || p.Created.IsZero() || p.Format != forum.HTML {
					t.Fatalf("thread %s: incomplete post %+v", th.ID, p)
				}
				if p.Body != forum.CleanText(p.Body) || strings.Contains(strings.ToLower(p.Body), "<li-") {
					t.Fatalf("thread %s: body not cleaned: %q", th.ID, p.Body)
				}
			}
			if th.Title != forum.OneLine(th.Title) {
				t.Fatalf("title not one line: %q", th.Title)
			}
		}
	})
}
