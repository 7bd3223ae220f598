package sync_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestSiteHugo builds the synced examples with Hugo.
func TestSiteHugo(t *testing.T) {
	hugo := needTool(t, "hugo", "apt-get install -y hugo")
	dir, content, arts := syncSite(t, "hugo")
	layOver(t, "../templates/testdata/sites/hugo", dir)
	slug, jsonld := jsonldArticle(t, "hugo", content)
	build(t, dir, nil, hugo, "--printPathWarnings")
	keep(t, dir, "hugo")

	public := filepath.Join(dir, "public")
	live := publishedPages(t, arts, func(a siteArticle) string { return filepath.Join(public, "faq", a.Slug, "index.html") }, func(a siteArticle, p *page) {
		checkH1(t, p, a.Title)
		times := p.find(hasClass("kb-date"))
		if len(times) != 1 || attr(times[0], "datetime") != a.date(t).UTC().Format(time.RFC3339) {
			t.Errorf("%s: date %v, want %s", a.Slug, texts(times), a.Date)
		}
		links := p.find(hasClass("kb-tag"))
		checkSameSet(t, a.Slug, texts(links), a.Tags)
		for _, l := range links {
			if !exists(filepath.Join(public, filepath.FromSlash(attr(l, "href")), "index.html")) {
				t.Errorf("%s: tag page %s was not built", a.Slug, attr(l, "href"))
			}
		}
		// DESIGN's keys are top-level params.
		if want := "in " + a.Source + " thread " + a.SourceID; !strings.Contains(textOf(p.root), want) {
			t.Errorf("%s: page does not say %q: .Params lost the custom keys", a.Slug, want)
		}
	})
	// The section page from _index.md lists every live article (and the
	// JSON-LD check).
	section := readPage(t, filepath.Join(public, "faq", "index.html"))
	if section != nil {
		checkNoInjection(t, section)
		checkH1(t, section, "FAQ")
		if n := len(section.find(func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "/faq/") })); n != len(live)+1 {
			t.Errorf("section lists %d pages, want %d", n, len(live)+1)
		}
	}
	p := readPage(t, filepath.Join(public, "faq", slug, "index.html"))
	if p != nil {
		checkJSONLD(t, p, jsonld)
		kw := p.find(func(n *html.Node) bool { return n.Data == "meta" && attr(n, "name") == "keywords" })
		if len(kw) != 1 || attr(kw[0], "content") != "Structured data?" {
			t.Errorf("keywords meta: %v", kw)
		}
	}
	// aliases: the earlier path redirects to the article.
	if alias := readPage(t, filepath.Join(public, "faq", "old-jsonld-check", "index.html")); alias != nil {
		if c := alias.find(tag("link")); len(c) == 0 || !strings.HasSuffix(attr(c[0], "href"), "/faq/"+slug+"/") {
			t.Errorf("alias page does not point at the article")
		}
	}
	t.Logf("%d articles built as pages", len(live))
}
