package sync_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSiteMkDocs builds the synced examples with MkDocs, the Material theme
// and the literate-nav plugin.
func TestSiteMkDocs(t *testing.T) {
	const install = "apt-get install -y mkdocs mkdocs-material mkdocs-literate-nav"
	mkdocs := needTool(t, "mkdocs", install)
	dir, content, arts := syncSite(t, "mkdocs")
	layOver(t, "../templates/testdata/sites/mkdocs", dir)
	slug, jsonld := jsonldArticle(t, "mkdocs", content)
	out, err := run(t, dir, nil, mkdocs, "build", "--strict")
	if err != nil && (strings.Contains(out, "Unrecognised theme name") || strings.Contains(out, "is not installed")) {
		missing(t, "the Material theme or a plugin is not installed ("+install+")")
	}
	checkBuild(t, "mkdocs", out, err)
	keep(t, dir, "mkdocs")

	site := filepath.Join(dir, "site")
	live := publishedPages(t, arts, func(a siteArticle) string { return filepath.Join(site, "faq", a.Slug, "index.html") }, func(a siteArticle, p *page) {
		if title := texts(p.find(tag("title"))); len(title) != 1 || title[0] != strings.Join(strings.Fields(a.Title), " ")+" - Knowledge base" {
			t.Errorf("%s: title %q, want %q", a.Slug, title, a.Title)
		}
		if a.Title == riskyTitle {
			checkH1(t, p, a.Title) // Material prints the title as HTML: the hook escapes it
		}
		times := p.find(hasClass("kb-date"))
		if len(times) != 1 || attr(times[0], "datetime") != a.Date {
			t.Errorf("%s: date %v, want %s", a.Slug, texts(times), a.Date)
		}
		checkSameSet(t, a.Slug, texts(p.find(hasClass("md-tag"))), a.Tags)
		if want := "in " + a.Source + " thread " + a.SourceID; !strings.Contains(textOf(p.root), want) {
			t.Errorf("%s: page does not say %q", a.Slug, want)
		}
	})
	// index.md lists every live article; SUMMARY.md makes the section's
	// navigation, in every page's sidebar.
	index := readPage(t, filepath.Join(site, "faq", "index.html"))
	if index != nil {
		checkNoInjection(t, index)
		content := index.find(hasClass("md-content"))
		listed := map[string]bool{}
		for _, l := range content[0:min(1, len(content))] {
			for _, a := range (&page{root: l}).find(tag("a")) {
				href := attr(a, "href")
				if s := strings.TrimSuffix(strings.TrimPrefix(href, "../"), "/"); live[s] != "" {
					listed[s] = true
					if textOf(a) != live[s] {
						t.Errorf("index shows %s as %q, want %q", s, textOf(a), live[s])
					}
				}
			}
		}
		if len(listed) != len(live) {
			t.Errorf("index lists %d articles, want %d", len(listed), len(live))
		}
		nav := map[string]bool{}
		for _, a := range index.find(func(n *html.Node) bool { return n.Data == "a" && strings.Contains(attr(n, "class"), "md-nav__link") }) {
			nav[strings.TrimSuffix(strings.TrimPrefix(attr(a, "href"), "../"), "/")] = true
		}
		for s := range live {
			if !nav[s] {
				t.Errorf("navigation lacks %s", s)
			}
		}
	}
	if exists(filepath.Join(site, "faq", "SUMMARY", "index.html")) {
		t.Error("SUMMARY.md was built as a page")
	}
	// The retired article is not in the search index either.
	var search struct{ Docs []struct{ Location string } }
	b, err := os.ReadFile(filepath.Join(site, "search", "search_index.json"))
	if err != nil || json.Unmarshal(b, &search) != nil {
		t.Fatalf("search index: %v", err)
	}
	for _, d := range search.Docs {
		for _, a := range arts {
			if a.retired() && strings.HasPrefix(d.Location, "faq/"+a.Slug+"/") {
				t.Errorf("retired article %s is in the search index", a.Slug)
			}
		}
	}
	if p := readPage(t, filepath.Join(site, "faq", slug, "index.html")); p != nil {
		checkJSONLD(t, p, jsonld)
	}
	t.Logf("%d articles built as pages", len(live))
}
