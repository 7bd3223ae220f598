package sync_test

// Real site builds: the examples are synced into a knowledge base with each
// preset, a minimal site skeleton (../templates/testdata/sites/<generator>)
// is laid over it, the real generator builds it, and every article must be
// a page with its title, date and tags, with no warning in the build log.
//
// A generator that is not installed skips its test, unless
// KBSYNC_SITE_TESTS=1 (CI), where it fails.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"

	"github.com/kbsync/kbsync/kb"
	kbsync "github.com/kbsync/kbsync/sync"
	"github.com/kbsync/kbsync/templates"
)

// needTool finds a generator's program, skipping (or failing under
// KBSYNC_SITE_TESTS=1) when it is not installed.
func needTool(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	missing(t, name+" is not installed ("+install+")")
	return ""
}

func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("KBSYNC_SITE_TESTS") == "1" {
		t.Fatalf("%s; KBSYNC_SITE_TESTS=1 requires every generator", what)
	}
	t.Skipf("%s; set KBSYNC_SITE_TESTS=1 to make this a failure", what)
}

// The test's own forum: a thread whose title and tags YAML 1.1 readers and
// Markdown would misread, and one that loses its accepted answer on the
// second night (retired: kept as a draft, absent from the site).
const (
	riskyTitle = `Yes: no #1 "quoted" & <b>bold</b> <img src=x onerror=alert(1)> ~tilde~ :hover`
	thread900  = `{"id":"900","title":"Yes: no #1 \"quoted\" \u0026 \u003cb\u003ebold\u003c/b\u003e \u003cimg src=x onerror=alert(1)\u003e ~tilde~ :hover","url":"https://forum.example.com/t/900","tags":[":hover","1,000","c++","yEs","\u003ci\u003ex\u003c/i\u003e"],"question":{"id":"900","body":"Why does *this* show {{ site.title }}, {% include nav.html %} and {{\u003c youtube abc \u003e}} here?","format":"markdown","author":"NO","created":"2024-03-01T10:00:00Z"},"answer":{"id":"901","body":"Because of **that**: \u0060{{ .Title }}\u0060 in code and {curly} braces in text.","format":"markdown","author":"Off","created":"2024-03-01T11:00:00Z","updated":"2024-03-02T12:30:00Z"}}`
	thread910  = `{"id":"910","title":"A thread that is retired later","url":"https://forum.example.com/t/910","tags":["retired"],"question":{"id":"910","body":"Soon gone.","format":"markdown","author":"ana","created":"2024-03-03T10:00:00Z"},"answer":{"id":"911","body":"Yes.","format":"markdown","author":"bo","created":"2024-03-03T11:00:00Z"}}`
	// The same thread without its accepted answer.
	thread910Unsolved = `{"id":"910","title":"A thread that is retired later","url":"https://forum.example.com/t/910","tags":["retired"],"question":{"id":"910","body":"Soon gone.","format":"markdown","author":"ana","created":"2024-03-03T10:00:00Z"}}`
	night1            = thread900 + "\n" + thread910 + "\n"
	night2            = thread900 + "\n" + thread910Unsolved + "\n"
)

// templateText is the template syntax in thread 900's posts: every
// generator must show it as written, never run it.
var templateText = []string{"{{ site.title }}", "{% include nav.html %}", "{{< youtube abc >}}", "{{ .Title }}", "{curly}"}

// checkTemplateText checks that the risky article shows its template
// syntax as text.
// publishedPages walks the synced articles in a built site: a retired one
// must have no page; a live one's page (at file(a)) must carry no injected
// markup and show a risky title as text, then goes to check. It returns the
// live articles' titles by slug.
func publishedPages(t *testing.T, arts []siteArticle, file func(siteArticle) string, check func(siteArticle, *page)) map[string]string {
	t.Helper()
	live := map[string]string{}
	for _, a := range arts {
		f := file(a)
		if a.retired() {
			if exists(f) {
				t.Errorf("retired article %s was published", a.Slug)
			}
			continue
		}
		live[a.Slug] = a.Title
		p := readPage(t, f)
		if p == nil {
			continue
		}
		checkNoInjection(t, p)
		if a.Title == riskyTitle {
			checkTemplateText(t, p)
		}
		check(a, p)
	}
	return live
}

func checkTemplateText(t *testing.T, p *page) {
	t.Helper()
	text := textOf(p.root)
	for _, s := range templateText {
		if !strings.Contains(text, s) {
			t.Errorf("%s: %q is not shown as written", p.path, s)
		}
	}
}

// articleFM is what the checks read from an article's front matter.
type articleFM struct {
	Title     string   `yaml:"title"`
	Source    string   `yaml:"source"`
	SourceID  string   `yaml:"source_id"`
	Date      string   `yaml:"date"`
	Lastmod   string   `yaml:"lastmod"`
	Tags      []string `yaml:"tags"`
	Draft     bool     `yaml:"draft"`
	Published *bool    `yaml:"published"`
}

// siteArticle is an article file of the synced knowledge base.
type siteArticle struct {
	Slug string // path relative to the content folder, without .md
	articleFM
}

func (a *siteArticle) retired() bool { return a.Draft || (a.Published != nil && !*a.Published) }

func (a *siteArticle) date(t *testing.T) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC3339, a.Date)
	if err != nil {
		t.Fatalf("%s: date %q: %v", a.Slug, a.Date, err)
	}
	return d
}

// syncSite syncs the examples and the test's forum (two nights) into a new
// knowledge base with the preset, and returns its folder, the content
// folder and the article files. The second night retires thread 910.
func syncSite(t *testing.T, preset string) (dir, content string, arts []siteArticle) {
	t.Helper()
	p, err := templates.LookupPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "site")
	forum := t.TempDir()
	for i, night := range []string{night1, night2} {
		jsonl := filepath.Join(forum, "forum.jsonl")
		if err := os.WriteFile(jsonl, []byte(night), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := kbsync.Run(context.Background(), kbsync.Options{
			Sources: []kbsync.Source{
				{Path: "../examples/coffee.stackexchange.com", Site: "https://coffee.stackexchange.com"},
				{Path: "../examples/discourse-urho3d", Site: "https://discourse.urho3d.io"},
				{Format: "jsonl", Path: jsonl, Site: "https://forum.example.com"},
			},
			KB:     kb.Options{Path: dir, ContentDir: p.ContentDir},
			Preset: preset,
		})
		if err != nil {
			t.Fatalf("sync night %d: %v", i+1, err)
		}
		if i == 1 && rep.Counts.Retired != 1 {
			t.Fatalf("night 2 retired %d articles, want 1 (%+v)", rep.Counts.Retired, rep.Counts)
		}
	}
	content = filepath.Join(dir, filepath.FromSlash(p.ContentDir))
	err = filepath.WalkDir(content, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		rel, _ := filepath.Rel(content, path)
		rel = filepath.ToSlash(rel)
		switch rel {
		case "_index.md", "index.md", "README.md", "SUMMARY.md":
			return nil // index pages
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		a := siteArticle{Slug: strings.TrimSuffix(rel, ".md")}
		if !bytes.HasPrefix(b, []byte("---\n")) {
			t.Fatalf("%s has no front matter", rel)
		}
		end := bytes.Index(b[4:], []byte("\n---\n"))
		if err := yaml.Unmarshal(b[4:4+end+1], &a.articleFM); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var live, retired int
	for _, a := range arts {
		if a.retired() {
			retired++
		} else {
			live++
		}
	}
	if want := solvedInExamples(t) + 1; retired != 1 || live != want {
		t.Fatalf("%d live and %d retired articles, want %d and 1", live, retired, want)
	}
	if !slices.ContainsFunc(arts, func(a siteArticle) bool { return a.Title == riskyTitle }) {
		t.Fatalf("no article has the title %q", riskyTitle)
	}
	return dir, content, arts
}

// solvedInExamples counts the solved threads of the examples by a plain
// scan: Stack Exchange questions whose accepted answer is in the dump, and
// Discourse topics with an accepted answer.
func solvedInExamples(t *testing.T) int {
	t.Helper()
	posts, err := os.ReadFile("../examples/coffee.stackexchange.com/Posts.xml")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`<row [^>]*/>`).FindAllString(string(posts), -1)
	id := regexp.MustCompile(` Id="(\d+)"`)
	accepted := regexp.MustCompile(`AcceptedAnswerId="(\d+)"`)
	ids := map[string]bool{}
	for _, r := range rows {
		ids[id.FindStringSubmatch(r)[1]] = true
	}
	n := 0
	for _, r := range rows {
		if m := accepted.FindStringSubmatch(r); m != nil && strings.Contains(r, `PostTypeId="1"`) && ids[m[1]] {
			n++
		}
	}
	topics, _ := filepath.Glob("../examples/discourse-urho3d/*.json")
	for _, f := range topics {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var topic struct {
			AcceptedAnswer json.RawMessage `json:"accepted_answer"`
		}
		if err := json.Unmarshal(b, &topic); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(topic.AcceptedAnswer) > 0 && string(topic.AcceptedAnswer) != "null" {
			n++
		}
	}
	if n < 100 {
		t.Fatalf("counted %d solved threads in the examples; the scan is broken", n)
	}
	return n
}

// layOver copies a site skeleton into dir.
func layOver(t *testing.T, skeleton, dir string) {
	t.Helper()
	err := filepath.WalkDir(skeleton, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(skeleton, path)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// jsonldArticle writes an article by hand with the preset's front matter and
// structured data on (sync leaves it off by default), to check the theme
// snippet that prints it. It returns the article's slug and JSON-LD.
func jsonldArticle(t *testing.T, preset, content string) (slug, jsonld string) {
	t.Helper()
	p, _ := templates.LookupPreset(preset)
	m := &templates.Meta{Title: "JSON-LD: \"quotes\" & </script> check", Source: "jsonl", SourceID: "1",
		SourceURL: "https://forum.example.com/t/1", AnswerID: "2", AnswerURL: "https://forum.example.com/t/1/2",
		QuestionAuthor: "ana", AnswerAuthor: "bo", Tags: []string{"json-ld"},
		Date: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Lastmod: time.Date(2024, 1, 3, 3, 4, 5, 0, time.UTC),
		Lang: "en", AlsoAsked: []string{"Structured data?"}, Aliases: []string{"old-jsonld-check.md"},
		StructuredData: templates.JSONLDQAPage, Question: "Is it *valid*?", Answer: "Yes: `json.Valid` says so.",
	}
	fm, err := p.FrontMatter(m)
	if err != nil {
		t.Fatal(err)
	}
	js, err := templates.JSONLD(m)
	if err != nil {
		t.Fatal(err)
	}
	slug = "jsonld-check"
	body := "---\n" + fm + "---\n\nIs it *valid*?\n\n## Accepted answer\n\nYes: `json.Valid` says so.\n"
	if err := os.WriteFile(filepath.Join(content, slug+".md"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return slug, js
}

// keep copies the built site to $KBSYNC_SITE_KEEP/<name>, when set, for a
// person to look at.
func keep(t *testing.T, dir, name string) {
	t.Helper()
	if to := os.Getenv("KBSYNC_SITE_KEEP"); to != "" {
		dst := filepath.Join(to, name)
		_ = os.RemoveAll(dst)
		_ = os.MkdirAll(to, 0o755)
		if out, err := exec.Command("cp", "-r", dir, dst).CombinedOutput(); err != nil {
			t.Logf("keep: %v %s", err, out)
		}
	}
}

// run runs a generator in dir and logs how long it took.
func run(t *testing.T, dir string, env []string, name string, args ...string) (string, error) {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s: %s", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return string(out), err
}

// checkBuild fails on a failed build or on any warning line in its log.
func checkBuild(t *testing.T, name, out string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", name, err, out)
	}
	if w := warnings([]byte(out)); len(w) > 0 {
		t.Errorf("%s printed warnings:\n%s\n\nfull log:\n%s", name, strings.Join(w, "\n"), out)
	}
}

// build runs a generator and fails on an error or on any warning line.
func build(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, err := run(t, dir, env, name, args...)
	checkBuild(t, filepath.Base(name), out, err)
	return out
}

var warningLine = regexp.MustCompile(`(?i)\b(warn|warning|deprecat\w*|error|conflict)\b`)

// notOurs are log lines the generators print whatever the content: MkDocs
// logs, at INFO, a Python DeprecationWarning from Jinja2 compiling the
// Material theme's templates (Debian's mkdocs-material 8.2 on Python 3.11).
var notOurs = regexp.MustCompile(`^INFO +- +DeprecationWarning: invalid escape sequence`)

func warnings(out []byte) []string {
	var w []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if warningLine.MatchString(sc.Text()) && !notOurs.MatchString(sc.Text()) {
			w = append(w, sc.Text())
		}
	}
	return w
}

// page is a built HTML page.
type page struct {
	path string
	root *html.Node
}

func readPage(t *testing.T, path string) *page {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("no page: %v", err)
		return nil
	}
	defer f.Close()
	root, err := html.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return &page{path, root}
}

// find returns the elements for which match is true, in document order.
func (p *page) find(match func(n *html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.root)
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func hasClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return slices.Contains(strings.Fields(attr(n, "class")), class) }
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf is an element's text, whitespace collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// straightQuotes undoes typographic quotes (kramdown's smart_quotes, on by
// default, turns "x" into “x” in Markdown text; front matter titles are
// printed as they are).
func straightQuotes(s string) string {
	return strings.NewReplacer("“", `"`, "”", `"`, "‘", "'", "’", "'").Replace(s)
}

func texts(nodes []*html.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, textOf(n))
	}
	return out
}

// checkH1 checks that the page's first h1 is the article's title. (Forum
// posts may hold headings of their own, converted as they were written.)
func checkH1(t *testing.T, p *page, title string) {
	t.Helper()
	h1 := texts(p.find(tag("h1")))
	if len(h1) == 0 || h1[0] != strings.Join(strings.Fields(title), " ") {
		t.Errorf("%s: h1 %q, want %q first", p.path, h1, title)
	}
}

// checkSameSet compares tags as sets, ignoring order and case (generators
// lowercase or keep case, and sort, as they like).
func checkSameSet(t *testing.T, where string, got, want []string) {
	t.Helper()
	norm := func(l []string) []string {
		out := make([]string, 0, len(l))
		for _, s := range l {
			out = append(out, strings.ToLower(strings.Join(strings.Fields(s), " ")))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if g, w := norm(got), norm(want); !slices.Equal(g, w) {
		t.Errorf("%s: tags %q, want %q", where, g, w)
	}
}

// checkJSONLD checks that the page prints the article's JSON-LD as is
// (generators may print structured data of their own besides).
func checkJSONLD(t *testing.T, p *page, want string) {
	t.Helper()
	checkNoInjection(t, p)
	var w any
	_ = json.Unmarshal([]byte(want), &w)
	wb, _ := json.Marshal(w)
	found := 0
	for _, s := range p.find(func(n *html.Node) bool { return n.Data == "script" && attr(n, "type") == "application/ld+json" }) {
		var g map[string]any
		if s.FirstChild == nil || json.Unmarshal([]byte(s.FirstChild.Data), &g) != nil || g["@type"] != "QAPage" {
			continue
		}
		found++
		if gb, _ := json.Marshal(g); !bytes.Equal(gb, wb) {
			t.Errorf("%s: JSON-LD\n%s\nwant\n%s", p.path, s.FirstChild.Data, want)
		}
	}
	if found != 1 {
		t.Errorf("%s: %d QAPage scripts, want 1", p.path, found)
	}
}

// checkNoInjection fails when forum text became markup: an element with
// an event handler, the <b>/<i>/<img> of the risky title and tag, or a
// JSON-LD script that a title cut short.
func checkNoInjection(t *testing.T, p *page) {
	t.Helper()
	bad := p.find(func(n *html.Node) bool {
		if n.Data == "img" && attr(n, "src") == "x" || n.Data == "b" && textOf(n) == "bold" || n.Data == "i" && textOf(n) == "x" {
			return true
		}
		return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return strings.HasPrefix(a.Key, "onerror") })
	})
	if len(bad) > 0 {
		t.Errorf("%s: forum text became HTML: <%s>", p.path, bad[0].Data)
	}
	for _, s := range p.find(func(n *html.Node) bool { return n.Data == "script" && attr(n, "type") == "application/ld+json" }) {
		if s.FirstChild == nil || !json.Valid([]byte(s.FirstChild.Data)) {
			t.Errorf("%s: a JSON-LD script does not parse: %s", p.path, textOf(s))
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
