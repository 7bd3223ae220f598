package templates_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/kbsync/kbsync/templates"
)

func indexEntries() []templates.IndexEntry {
	return []templates.IndexEntry{
		{Path: "how-to-grind.md", Title: "How to grind?", Tags: []string{"grinding", "beans"}},
		{Path: "best-beans.md", Title: "best beans", Tags: []string{"beans"}},
		{Path: "no-tags.md", Title: "A question without tags"},
		{Path: "evil.md", Title: "[click](javascript:alert(1)) <script>x</script> # not a heading", Tags: []string{"## fake", "beans", "beans"}},
		{Path: "sub/nested.md", Title: "Nested", Tags: []string{"Beans"}},
		{Path: "untitled.md", Title: "", Tags: []string{"grinding"}},
	}
}

var indexFiles = map[string][]string{
	"hugo":       {"_index.md"},
	"docusaurus": {"_category_.json"},
	"mkdocs":     {"SUMMARY.md", "index.md"},
	"jekyll":     {"index.md"},
	"plain":      {"README.md"},
}

func TestIndexesGolden(t *testing.T) {
	for _, name := range templates.PresetNames() {
		p, _ := templates.LookupPreset(name)
		files, err := p.Indexes(indexEntries())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for f, b := range files {
			names = append(names, f)
			golden(t, "indexes/"+name+"/"+f, b)
		}
		sort.Strings(names)
		if !slices.Equal(names, indexFiles[name]) {
			t.Errorf("%s: files %v, want %v", name, names, indexFiles[name])
		}
	}
}

// TestIndexesDeterministic shuffles the entries: the pages do not change.
func TestIndexesDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range templates.PresetNames() {
		p, _ := templates.LookupPreset(name)
		want, err := p.Indexes(indexEntries())
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			e := indexEntries()
			rng.Shuffle(len(e), func(i, j int) { e[i], e[j] = e[j], e[i] })
			got, err := p.Indexes(e)
			if err != nil {
				t.Fatal(err)
			}
			for f := range want {
				if !bytes.Equal(got[f], want[f]) {
					t.Fatalf("%s %s depends on the order of the entries", name, f)
				}
			}
		}
	}
}

// TestIndexesListsArticles holds ListsArticles to what the pages do: a
// preset that says it lists no article makes the same pages without
// entries, and one that says it does makes different ones.
func TestIndexesListsArticles(t *testing.T) {
	for _, name := range templates.PresetNames() {
		p, _ := templates.LookupPreset(name)
		with, err := p.Indexes(indexEntries())
		if err != nil {
			t.Fatal(err)
		}
		without, err := p.Indexes(nil)
		if err != nil {
			t.Fatal(err)
		}
		same := len(with) == len(without)
		for f := range with {
			same = same && bytes.Equal(with[f], without[f])
		}
		if same == p.ListsArticles() {
			t.Errorf("%s: ListsArticles() = %v, but the pages with and without entries are the same: %v", name, p.ListsArticles(), same)
		}
	}
}

// TestIndexesLinks parses the Markdown index pages: the only links are the
// articles' relative paths, forum text makes no heading, link or HTML, and
// every article is listed under each of its tags.
func TestIndexesLinks(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	entries := indexEntries()
	for _, name := range templates.PresetNames() {
		p, _ := templates.LookupPreset(name)
		files, _ := p.Indexes(entries)
		for f, b := range files {
			if strings.HasPrefix(f, ".") || path.IsAbs(f) || strings.Contains(f, "..") {
				t.Errorf("%s: index page %q is not a plain relative path", name, f)
			}
			if !strings.HasSuffix(f, ".md") || f == "_index.md" {
				continue
			}
			body := b
			if bytes.HasPrefix(b, []byte("---\n")) {
				body = b[bytes.Index(b[4:], []byte("\n---\n"))+9:]
			}
			doc := md.Parser().Parse(text.NewReader(body))
			links := map[string]int{}
			var headings []string
			_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				if !entering {
					return ast.WalkContinue, nil
				}
				switch n := n.(type) {
				case *ast.Link:
					links[string(n.Destination)]++
				case *ast.Heading:
					headings = append(headings, templates.PlainText(string(n.Lines().Value(body))))
				case *ast.RawHTML, *ast.HTMLBlock, *ast.AutoLink, *ast.Image:
					t.Errorf("%s %s: forum text became %T", name, f, n)
				}
				return ast.WalkContinue, nil
			})
			for dest := range links {
				if !slices.ContainsFunc(entries, func(e templates.IndexEntry) bool { return e.Path == dest }) && dest != "index.md" {
					t.Errorf("%s %s: link to %q", name, f, dest)
				}
			}
			if f == "SUMMARY.md" {
				if len(links) != len(entries)+1 {
					t.Errorf("%s: nav has %d links, want %d", name, len(links), len(entries)+1)
				}
				continue
			}
			// evil.md: beans (twice, listed once) and "## fake"; how-to-grind:
			// grinding, beans; best-beans: beans; nested: Beans (the same tag
			// as beans); untitled: grinding; no-tags: none.
			want := map[string]int{"evil.md": 2, "how-to-grind.md": 2, "best-beans.md": 1, "sub/nested.md": 1, "untitled.md": 1, "no-tags.md": 1}
			for dest, n := range want {
				if links[dest] != n {
					t.Errorf("%s %s: %s listed %d times, want %d", name, f, dest, links[dest], n)
				}
			}
			wantHeadings := []string{"## fake", "Beans", "grinding", "Other questions"}
			if name == "plain" {
				wantHeadings = append([]string{"FAQ"}, wantHeadings...)
			}
			if !slices.Equal(headings, wantHeadings) {
				t.Errorf("%s %s: headings %q, want %q", name, f, headings, wantHeadings)
			}
		}
	}
}

func TestDocusaurusCategory(t *testing.T) {
	p, _ := templates.LookupPreset("docusaurus")
	files, _ := p.Indexes(nil)
	var cat struct {
		Label string
		Link  struct{ Type, Title string }
	}
	if err := json.Unmarshal(files["_category_.json"], &cat); err != nil {
		t.Fatal(err)
	}
	if cat.Label != "FAQ" || cat.Link.Type != "generated-index" {
		t.Errorf("category = %+v", cat)
	}
}

func TestIndexesEmpty(t *testing.T) {
	for _, name := range templates.PresetNames() {
		p, _ := templates.LookupPreset(name)
		files, err := p.Indexes(nil)
		if err != nil || len(files) == 0 {
			t.Errorf("%s: Indexes(nil) = %v, %v", name, files, err)
		}
	}
}

// TestEscapeMarkdown renders escaped forum text: it shows as written, on one
// line, and makes no link, emphasis, HTML or heading.
func TestEscapeMarkdown(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	for _, s := range append(riskyTitles, "a | b | c", "~~gone~~", "&copy; &amp;", "<img src=x onerror=alert(1)>", "\\*x\\*", "1. not a list", "12) paren", "+ plus", "- minus", "42", "3.14") {
		esc := templates.EscapeMarkdown(s)
		if got, want := templates.PlainText("- "+esc), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("EscapeMarkdown(%q) = %q shows %q", s, esc, got)
		}
		doc := md.Parser().Parse(text.NewReader([]byte("- " + esc)))
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			switch n.(type) {
			case *ast.Link, *ast.Emphasis, *ast.RawHTML, *ast.Heading, *ast.CodeSpan, *ast.AutoLink, *ast.Image:
				t.Errorf("EscapeMarkdown(%q) = %q makes a %T", s, esc, n)
			}
			return ast.WalkContinue, nil
		})
	}
}

// TestEscapeCell puts forum text in a GFM table: it stays in its cell.
func TestEscapeCell(t *testing.T) {
	for _, s := range []string{"a | b", `a \| b`, "x|y|z", "@team #42 | done"} {
		row := "| h1 | h2 |\n|---|---|\n| " + templates.EscapeCell(s) + " | end |\n"
		got := templates.PlainText(row)
		want := "h1\th2\n" + strings.NewReplacer("@", "@\u200d", "#", "#\u200d").Replace(s) + "\tend"
		if got != want {
			t.Errorf("EscapeCell(%q): table reads %q, want %q", s, got, want)
		}
	}
}
