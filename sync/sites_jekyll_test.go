package sync_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSiteJekyll builds the synced examples with Jekyll and the two
// plugins the preset's keys are for.
func TestSiteJekyll(t *testing.T) {
	const install = "apt-get install -y jekyll ruby-jekyll-redirect-from ruby-jekyll-relative-links"
	jekyll := needTool(t, "jekyll", install)
	dir, content, arts := syncSite(t, "jekyll")
	layOver(t, "../templates/testdata/sites/jekyll", dir)
	slug, jsonld := jsonldArticle(t, "jekyll", content)
	out, err := run(t, dir, nil, jekyll, "build")
	if err != nil && strings.Contains(out, "Dependency Error") {
		missing(t, "a Jekyll plugin is not installed ("+install+")")
	}
	checkBuild(t, "jekyll", out, err)
	keep(t, dir, "jekyll")

	site := filepath.Join(dir, "_site")
	live := publishedPages(t, arts, func(a siteArticle) string { return filepath.Join(site, "faq", a.Slug+".html") }, func(a siteArticle, p *page) {
		checkH1(t, p, a.Title)
		times := p.find(hasClass("kb-date"))
		if len(times) != 1 || attr(times[0], "data-epoch") != strconv.FormatInt(a.date(t).Unix(), 10) {
			t.Errorf("%s: date %v, want %s", a.Slug, texts(times), a.Date)
		}
		checkSameSet(t, a.Slug, texts(p.find(hasClass("kb-tag"))), a.Tags)
		if want := "in " + a.Source + " thread " + a.SourceID; !strings.Contains(textOf(p.root), want) {
			t.Errorf("%s: page does not say %q", a.Slug, want)
		}
	})
	// The index lists every live article once per tag, linked to its page.
	index := readPage(t, filepath.Join(site, "faq", "index.html"))
	if index != nil {
		checkNoInjection(t, index)
		checkH1(t, index, "FAQ")
		listed := map[string]bool{}
		for _, l := range index.find(func(n *html.Node) bool { return n.Data == "a" }) {
			href := attr(l, "href")
			if !strings.HasPrefix(href, "/faq/") || !strings.HasSuffix(href, ".html") || !exists(filepath.Join(site, filepath.FromSlash(href))) {
				t.Errorf("index links to %q, not to a built article", href)
				continue
			}
			s := strings.TrimSuffix(strings.TrimPrefix(href, "/faq/"), ".html")
			listed[s] = true
			if got := straightQuotes(textOf(l)); got != live[s] {
				t.Errorf("index shows %s as %q, want %q", s, got, live[s])
			}
		}
		if len(listed) != len(live) {
			t.Errorf("index lists %d articles, want %d", len(listed), len(live))
		}
		for s := range live {
			if !listed[s] {
				t.Errorf("index does not list %s", s)
			}
		}
	}
	if p := readPage(t, filepath.Join(site, "faq", slug+".html")); p != nil {
		checkJSONLD(t, p, jsonld)
	}
	// redirect_from made both URL styles of the earlier path.
	for _, old := range []string{"faq/old-jsonld-check.html", "faq/old-jsonld-check/index.html"} {
		b, err := os.ReadFile(filepath.Join(site, old))
		if err != nil || !strings.Contains(string(b), "/faq/"+slug+".html") {
			t.Errorf("redirect %s: %v", old, err)
		}
	}
	t.Logf("%d articles built as pages", len(live))
}
