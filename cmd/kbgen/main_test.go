package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonl"
	"github.com/kbsync/kbsync/sync/forum/stackexchange"
)

const corpus = "../../testdata/corpus/stackexchange/french-meta-2021"

var benchSite = forum.Options{Site: "https://bench.stackexchange.com"}

// gen runs kbgen into a fresh folder and returns it.
func gen(t *testing.T, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args = append([]string{"-from", corpus, "-out", dir}, args...)
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("kbgen %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return dir
}

// sourceRatio counts the source's questions with a plain line scan, not
// with kbgen's loader.
func sourceRatio(t *testing.T) float64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, "Posts.xml"))
	if err != nil {
		t.Fatal(err)
	}
	q, acc := 0, 0
	for line := range strings.Lines(string(data)) {
		if strings.Contains(line, `PostTypeId="1"`) {
			q++
			if strings.Contains(line, "AcceptedAnswerId=") {
				acc++
			}
		}
	}
	return float64(q-acc) / float64(q)
}

func wantUnsolved(n int, ratio float64) int {
	return int(math.Round(float64(n) * ratio / (1 - ratio)))
}

type counted struct {
	solved, unsolved int
	byID             map[string]*forum.Thread
}

func readAll(t *testing.T, r forum.Reader) counted {
	t.Helper()
	c := counted{byID: map[string]*forum.Thread{}}
	titles := map[string]bool{}
	err := r.Threads(context.Background(), func(th *forum.Thread) error {
		if c.byID[th.ID] != nil {
			t.Errorf("thread %s yielded twice", th.ID)
		}
		c.byID[th.ID] = th
		if titles[th.Title] {
			t.Errorf("title %q appears twice", th.Title)
		}
		titles[th.Title] = true
		switch {
		case th.Skip == "" && th.Answer != nil:
			c.solved++
		case th.Skip == forum.SkipNoAcceptedAnswer:
			c.unsolved++
		default:
			t.Errorf("thread %s: unexpected skip %q", th.ID, th.Skip)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readSE(t *testing.T, dir string) counted {
	t.Helper()
	d, err := stackexchange.Open(dir, benchSite)
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, d)
}

func readJSONL(t *testing.T, dir string) counted {
	t.Helper()
	e, err := jsonl.Open(filepath.Join(dir, "threads.jsonl"), benchSite)
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, e)
}

var rowLine = regexp.MustCompile(`^  <row Id="(\d+)" PostTypeId="([12])"( AcceptedAnswerId="(\d+)")?( ParentId="(\d+)")? CreationDate="[^"]*" [^<>]* ContentLicense="[^"]*" />$`)

// checkPostsShape reads Posts.xml line by line, as a dump's reader would
// not: the header, one row per line, increasing ids, answers after their
// question. It returns the number of questions with an accepted answer.
func checkPostsShape(t *testing.T, dir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "Posts.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const head = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n"
	if !bytes.HasPrefix(data, []byte(head)) {
		t.Fatalf("Posts.xml starts with %q", data[:min(len(data), 60)])
	}
	lines := strings.Split(string(data[len(head):]), "\n")
	if last := lines[len(lines)-1]; last != "</posts>" {
		t.Fatalf("Posts.xml ends with %q", last)
	}
	var prev int64
	accepted := map[int64]int64{} // answer -> question
	solved := 0
	for i, line := range lines[:len(lines)-1] {
		m := rowLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %d is not a row: %.200s", i+3, line)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if id <= prev {
			t.Fatalf("line %d: Id %d after %d", i+3, id, prev)
		}
		prev = id
		if m[4] != "" {
			a, _ := strconv.ParseInt(m[4], 10, 64)
			if a <= id {
				t.Errorf("question %d accepts %d, an earlier id", id, a)
			}
			accepted[a] = id
			solved++
		}
		if m[2] == "2" {
			parent, _ := strconv.ParseInt(m[6], 10, 64)
			if q, ok := accepted[id]; !ok || q != parent {
				t.Errorf("answer %d (parent %d) is not the accepted answer of an earlier question", id, parent)
			}
			delete(accepted, id)
		}
		if strings.Contains(line, "\r") || strings.Contains(line, "\t") {
			t.Errorf("line %d has a raw control character", i+3)
		}
	}
	if len(accepted) > 0 {
		t.Errorf("%d accepted answers were never written", len(accepted))
	}
	return solved
}

var preBlock = regexp.MustCompile(`(?s)<pre[ >].*?</pre>`)

// sourcePre collects the code blocks of every source body.
func sourcePre(t *testing.T) map[string]bool {
	t.Helper()
	d, err := stackexchange.Open(corpus, benchSite)
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]bool{}
	add := func(s string) {
		for _, b := range preBlock.FindAllString(s, -1) {
			blocks[b] = true
		}
	}
	// The reader only yields the bodies of solved threads; unsolved
	// questions' code blocks are read from the raw file.
	data, err := os.ReadFile(filepath.Join(corpus, "Posts.xml"))
	if err != nil {
		t.Fatal(err)
	}
	add(html.UnescapeString(string(data)))
	err = d.Threads(context.Background(), func(th *forum.Thread) error {
		add(th.Question.Body)
		if th.Answer != nil {
			add(th.Answer.Body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

func TestStackExchangeSolvedCount(t *testing.T) {
	ratio := sourceRatio(t)
	pre := sourcePre(t)
	if len(pre) == 0 {
		t.Fatal("the source has no code block: the code-block check would test nothing")
	}
	for _, tc := range []struct {
		name     string
		n        int
		args     []string
		unsolved int
	}{
		{"one thread", 1, nil, wantUnsolved(1, ratio)},
		{"source ratio", 137, nil, wantUnsolved(137, ratio)},
		{"no unsolved", 250, []string{"-unsolved-ratio", "0"}, 0},
		{"half unsolved", 120, []string{"-unsolved-ratio", "0.5", "-seed", "9"}, 120},
		{"with history", 60, []string{"-history"}, wantUnsolved(60, ratio)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := gen(t, append([]string{"-threads", strconv.Itoa(tc.n)}, tc.args...)...)
			if got := checkPostsShape(t, dir); got != tc.n {
				t.Errorf("Posts.xml has %d questions with an accepted answer, want %d", got, tc.n)
			}
			c := readSE(t, dir)
			if c.solved != tc.n || c.unsolved != tc.unsolved {
				t.Errorf("reader: %d solved, %d unsolved; want %d, %d", c.solved, c.unsolved, tc.n, tc.unsolved)
			}
			codeBlocks := 0
			for id, th := range c.byID {
				if th.Answer == nil || th.Question.Format != forum.HTML {
					continue
				}
				for _, body := range []string{th.Question.Body, th.Answer.Body} {
					for _, b := range preBlock.FindAllString(body, -1) {
						codeBlocks++
						if !pre[b] {
							t.Errorf("thread %s: code block changed: %.120q", id, b)
						}
					}
				}
			}
			if tc.n > 100 && codeBlocks == 0 {
				t.Error("no code block in the generated bodies")
			}
		})
	}
}

func TestJSONLSolvedCount(t *testing.T) {
	ratio := sourceRatio(t)
	const n = 83
	dir := gen(t, "-format", "jsonl", "-threads", strconv.Itoa(n), "-seed", "3")
	data, err := os.ReadFile(filepath.Join(dir, "threads.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(data, []byte("\n")); lines != n+wantUnsolved(n, ratio) {
		t.Errorf("%d lines, want %d", lines, n+wantUnsolved(n, ratio))
	}
	c := readJSONL(t, dir)
	if c.solved != n || c.unsolved != wantUnsolved(n, ratio) {
		t.Errorf("reader: %d solved, %d unsolved; want %d, %d", c.solved, c.unsolved, n, wantUnsolved(n, ratio))
	}
	// The same seed gives the same threads in both formats.
	se := readSE(t, gen(t, "-threads", strconv.Itoa(n), "-seed", "3"))
	for id, th := range c.byID {
		o := se.byID[id]
		switch {
		case o == nil:
			t.Errorf("thread %s is not in the stackexchange output", id)
		case o.Title != th.Title || !o.Created.Equal(th.Created):
			t.Errorf("thread %s differs between formats: %q %s / %q %s", id, o.Title, o.Created, th.Title, th.Created)
		case th.Answer != nil && (o.Question.Body != th.Question.Body || o.Question.Author != th.Question.Author):
			t.Errorf("thread %s: the question differs between formats: %q / %q", id, o.Question.Author, th.Question.Author)
		case th.Answer != nil && (o.Answer == nil || o.Answer.ID != th.Answer.ID || o.Answer.Body != th.Answer.Body ||
			!o.Answer.Created.Equal(th.Answer.Created)):
			t.Errorf("thread %s: the answer differs between formats", id)
		}
	}
}

func TestHTMLFormat(t *testing.T) {
	const n = 40
	dir := gen(t, "-format", "html", "-threads", strconv.Itoa(n))
	data, err := os.ReadFile(filepath.Join(dir, "bodies.html"))
	if err != nil {
		t.Fatal(err)
	}
	heads := regexp.MustCompile(`(?m)^<h1>kbgen-thread (\d+)</h1>$`).FindAllStringSubmatch(string(data), -1)
	if len(heads) != n {
		t.Fatalf("%d thread headings, want %d", len(heads), n)
	}
	se := readSE(t, gen(t, "-threads", strconv.Itoa(n)))
	for _, h := range heads {
		if th := se.byID[h[1]]; th == nil || th.Answer == nil {
			t.Errorf("thread %s is not a solved thread of the stackexchange output", h[1])
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, args := range [][]string{
		{"-threads", "150", "-history"},
		{"-threads", "150", "-format", "jsonl"},
		{"-threads", "150", "-format", "html"},
		{"-threads", "150", "-change", "3", "-base-seed", "5", "-seed", "8"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			a, b := gen(t, args...), gen(t, args...)
			seed := "-seed"
			if slices.Contains(args, "-change") {
				seed = "-base-seed"
			}
			other := gen(t, append(slices.Clone(args), seed, "77")...)
			entries, err := os.ReadDir(a)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) == 0 {
				t.Fatal("no output")
			}
			differs := false
			for _, e := range entries {
				x := readFile(t, filepath.Join(a, e.Name()))
				if !bytes.Equal(x, readFile(t, filepath.Join(b, e.Name()))) {
					t.Errorf("%s differs between two runs with the same flags", e.Name())
				}
				differs = differs || !bytes.Equal(x, readFile(t, filepath.Join(other, e.Name())))
			}
			if !differs {
				t.Error("another seed gives the same output")
			}
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestChange(t *testing.T) {
	for _, tc := range []struct {
		format, pct string
		n, want     int
	}{
		{"stackexchange", "5", 200, 10},
		{"stackexchange", "1", 200, 2},
		{"stackexchange", "0.5", 200, 1},
		{"stackexchange", "100", 50, 50},
		{"stackexchange", "0", 80, 0},
		{"jsonl", "10", 90, 9},
	} {
		t.Run(tc.format+" "+tc.pct, func(t *testing.T) {
			n := strconv.Itoa(tc.n)
			base := gen(t, "-format", tc.format, "-threads", n, "-seed", "4")
			changed := gen(t, "-format", tc.format, "-threads", n, "-change", tc.pct, "-base-seed", "4", "-seed", "11")
			read := readSE
			file := "Posts.xml"
			if tc.format == "jsonl" {
				read, file = readJSONL, "threads.jsonl"
			}
			b, c := read(t, base), read(t, changed)
			if len(b.byID) != len(c.byID) {
				t.Fatalf("%d threads, base has %d", len(c.byID), len(b.byID))
			}
			diff := 0
			for id, bt := range b.byID {
				ct := c.byID[id]
				if ct == nil {
					t.Fatalf("thread %s is missing", id)
				}
				if ct.Title != bt.Title || ct.Question.Body != bt.Question.Body || (bt.Answer == nil) != (ct.Answer == nil) {
					t.Errorf("thread %s: more than the answer changed", id)
				}
				if bt.Answer != nil && bt.Answer.Body != ct.Answer.Body {
					diff++
					if !strings.HasPrefix(ct.Answer.Body, bt.Answer.Body) || !ct.Answer.Updated.After(bt.Answer.Updated) {
						t.Errorf("thread %s: the edit is not an addition with a later edit date", id)
					}
				}
			}
			if diff != tc.want {
				t.Errorf("%d answer bodies differ, want %d", diff, tc.want)
			}
			// Line by line: only the edited answers' rows differ.
			bl := strings.Split(string(readFile(t, filepath.Join(base, file))), "\n")
			cl := strings.Split(string(readFile(t, filepath.Join(changed, file))), "\n")
			if len(bl) != len(cl) {
				t.Fatalf("%d lines, base has %d", len(cl), len(bl))
			}
			lines := 0
			for i := range bl {
				if bl[i] != cl[i] {
					lines++
				}
			}
			if lines != tc.want {
				t.Errorf("%d lines differ, want %d", lines, tc.want)
			}
			if tc.format == "stackexchange" && !bytes.Equal(readFile(t, filepath.Join(base, "Users.xml")), readFile(t, filepath.Join(changed, "Users.xml"))) {
				t.Error("Users.xml changed")
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-out", "x"}, "-threads"},
		{[]string{"-threads", "0", "-out", "x"}, "-threads"},
		{[]string{"-threads", "5"}, "-out"},
		{[]string{"-threads", "5", "-out", "x", "-format", "csv"}, `-format "csv"`},
		{[]string{"-threads", "5", "-out", "x", "-unsolved-ratio", "1"}, "-unsolved-ratio"},
		{[]string{"-threads", "5", "-out", "x", "-change", "101"}, "-change"},
		{[]string{"-threads", "5", "-out", "x", "-base-seed", "3"}, "-base-seed goes with -change"},
		{[]string{"-threads", "5", "-out", "x", "-format", "jsonl", "-history"}, "-history"},
		{[]string{"-threads", "5", "-out", "x", "extra"}, `"extra"`},
		{[]string{"-threads", "five"}, "invalid value"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-from", t.TempDir(), "-threads", "5", "-out", t.TempDir()}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "Posts.xml") {
		t.Errorf("a source without Posts.xml: exit %d, %q", code, errb.String())
	}
}

func TestHTMLPoints(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // the word before each point
	}{
		{"<p>Hello big world</p>", []string{"Hello", "big"}},
		{"<pre><code>a b c</code></pre>\n<p>x y</p>", []string{"x"}},
		{"<p>use <code>go test ./...</code> now please</p>", []string{"now"}},
		{"<p>un été très chaud</p>", []string{"un", "été", "très"}},
		{"<script>var a = b</script><style>p b {}</style>", nil},
		{"<!-- a b --> c d", []string{"c"}},
		{`<p><a href="x y">link text</a> and, more</p>`, []string{"link"}},
		{"<p>a &amp; b c</p>", []string{"b"}},
		{"<pre/>a b", nil},
		{"<kbd>Ctrl C</kbd> then V", []string{"then"}},
	} {
		got := []string{}
		for _, p := range htmlPoints(tc.in) {
			words := strings.Fields(tc.in[:p])
			got = append(got, words[len(words)-1][strings.LastIndexAny(words[len(words)-1], ">")+1:])
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("htmlPoints(%q): after %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMarkdownPoints(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"one two three", 2},
		{"```\na b c\n```\nd e", 1},
		{"    code a b\nx y", 1},
		{"use `a b c` now ok", 1},
		{"<div>a b</div>\n\nc d", 1},
		{"- item one\r\n- item two", 2},
	} {
		got := markdownPoints(tc.in)
		if len(got) != tc.want {
			t.Errorf("markdownPoints(%q) = %v, want %d points", tc.in, got, tc.want)
		}
		for _, p := range got {
			if tc.in[p] != ' ' {
				t.Errorf("markdownPoints(%q): point %d is not a space", tc.in, p)
			}
		}
	}
}

// FuzzHTMLPoints inserts a word at every point and checks with the HTML
// parser (not the tokenizer htmlPoints uses) that the document tree is
// unchanged except for one text node outside code and raw text.
func FuzzHTMLPoints(f *testing.F) {
	for _, s := range []string{
		"<p>Hello big world</p>",
		"<pre><code>a b c</code></pre>\n<p>x y</p>",
		"<p>use <code>go test</code> now please</p>",
		"<script>var a = b</script> x y",
		"<!-- a b --> c d",
		"<table><tr><td>a b</td></tr></table>",
		"<textarea>a b</textarea><title>c d</title>",
		"<p><b><code>a</b> b c</p>",
		"<p a=x\"y><pre>\" c> d e</pre>",
		"a < b <pre>c d</pre>",
		"<svg><style>a b</style></svg> c d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		points := htmlPoints(s)
		if len(points) > maxPoints {
			t.Fatalf("%d points", len(points))
		}
		orig := parseHTML(t, s)
		for i, p := range points {
			if p <= 0 || p >= len(s)-1 || s[p] != ' ' || !isWordByte(s[p-1]) || !isWordByte(s[p+1]) {
				t.Fatalf("point %d (%d) is not a space between words in %q", i, p, s)
			}
			if i > 0 && p <= points[i-1] {
				t.Fatalf("points not increasing: %v", points)
			}
			varied := s[:p] + " kbgenword" + s[p:]
			if msg := sameTree(orig, parseHTML(t, varied)); msg != "" {
				t.Fatalf("inserting at %d in %q: %s", p, s, msg)
			}
		}
	})
}

func parseHTML(t *testing.T, s string) *html.Node {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// sameTree compares two parsed documents: same elements and attributes,
// and exactly one text node that gained " kbgenword", outside code.
func sameTree(a, b *html.Node) string {
	changed := 0
	var walk func(x, y *html.Node, code bool) string
	walk = func(x, y *html.Node, code bool) string {
		if x.Type != y.Type || x.Data != y.Data || len(x.Attr) != len(y.Attr) {
			return "the tree changed at <" + x.Data + "> / <" + y.Data + ">"
		}
		for i := range x.Attr {
			if x.Attr[i] != y.Attr[i] {
				return "an attribute changed"
			}
		}
		if x.Type == html.ElementNode && (isCodeTag(x.Data) || isRawTag(x.Data)) {
			code = true
		}
		if x.Data != y.Data {
			return "a node changed"
		}
		xc, yc := x.FirstChild, y.FirstChild
		for ; xc != nil && yc != nil; xc, yc = xc.NextSibling, yc.NextSibling {
			if xc.Type == html.TextNode && yc.Type == html.TextNode && xc.Data != yc.Data {
				if code {
					return "text inside <" + x.Data + "> changed"
				}
				if strings.Replace(yc.Data, " kbgenword", "", 1) != xc.Data {
					return "a text node changed beyond the inserted word"
				}
				changed++
				continue
			}
			if msg := walk(xc, yc, code); msg != "" {
				return msg
			}
		}
		if xc != nil || yc != nil {
			return "the number of children changed under <" + x.Data + ">"
		}
		return ""
	}
	if msg := walk(a, b, false); msg != "" {
		return msg
	}
	if changed != 1 {
		return strconv.Itoa(changed) + " text nodes changed"
	}
	return ""
}

// probe discards what it is given and, every 8 MB, measures the live heap
// after a collection.
type probe struct {
	n, next int64
	maxLive uint64
}

func (p *probe) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.n >= p.next {
		p.next = p.n + 8<<20
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.maxLive = max(p.maxLive, ms.HeapAlloc)
	}
	return len(b), nil
}

func (p *probe) Close() error { return nil }

// The streaming claim: the live heap does not grow with the output.
func TestFlatMemory(t *testing.T) {
	src, err := loadSource(corpus, true)
	if err != nil {
		t.Fatal(err)
	}
	live := func(format string, n int) (uint64, int64) {
		p := &probe{}
		cfg := config{format: format, threads: n, seed: 1, pickSeed: 1, unsolved: 0, change: 1, history: format == "stackexchange"}
		if _, err := generateTo(cfg, src, func(string) (io.WriteCloser, error) { return p, nil }); err != nil {
			t.Fatal(err)
		}
		return p.maxLive, p.n
	}
	for _, format := range []string{"stackexchange", "jsonl"} {
		small, _ := live(format, 1000)
		large, written := live(format, 60000)
		if written < 150<<20 {
			t.Fatalf("%s: only %d bytes written", format, written)
		}
		// Holding even 40 bytes per thread would add 2.4 MB.
		if large > small+(1<<20) {
			t.Errorf("%s: live heap %d bytes for 60,000 threads, %d for 1,000", format, large, small)
		}
	}
}
