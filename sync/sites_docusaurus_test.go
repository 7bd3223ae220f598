package sync_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// docusaurusModules installs the skeleton's package.json once into a cache
// folder keyed by its hash ($KBSYNC_SITE_CACHE, or the user's cache folder)
// and returns the node_modules folder.
func docusaurusModules(t *testing.T, npm, skeleton string) string {
	t.Helper()
	pkg, err := os.ReadFile(filepath.Join(skeleton, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	root := os.Getenv("KBSYNC_SITE_CACHE")
	if root == "" {
		if root, err = os.UserCacheDir(); err != nil {
			t.Fatal(err)
		}
		root = filepath.Join(root, "kbsync", "site-tests")
	}
	sum := sha256.Sum256(pkg)
	final := filepath.Join(root, "docusaurus-"+hex.EncodeToString(sum[:6]))
	if exists(filepath.Join(final, "node_modules", "@docusaurus", "core", "package.json")) {
		return filepath.Join(final, "node_modules")
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// Install next to the cache and rename, so that a concurrent run never
	// sees half an install.
	tmp, err := os.MkdirTemp(root, "install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), pkg, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, tmp, nil, npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error")
	if err != nil {
		missing(t, "npm install of Docusaurus failed: "+err.Error()+"\n"+out)
	}
	if err := os.Rename(tmp, final); err != nil && !exists(final) {
		t.Fatal(err)
	}
	return filepath.Join(final, "node_modules")
}

// TestSiteDocusaurus builds the synced examples with Docusaurus 3.
func TestSiteDocusaurus(t *testing.T) {
	const skeleton = "../templates/testdata/sites/docusaurus"
	node := needTool(t, "node", "Node.js 20+ and npm")
	npm := needTool(t, "npm", "Node.js 20+ and npm")
	modules := docusaurusModules(t, npm, skeleton)
	dir, content, arts := syncSite(t, "docusaurus")
	layOver(t, skeleton, dir)
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	slug, jsonld := jsonldArticle(t, "docusaurus", content)
	build(t, dir, []string{"NO_COLOR=1"}, node,
		filepath.Join("node_modules", "@docusaurus", "core", "bin", "docusaurus.mjs"), "build", "--out-dir", "build")
	keep(t, dir, "docusaurus")

	site := filepath.Join(dir, "build")
	live := publishedPages(t, arts, func(a siteArticle) string { return filepath.Join(site, "faq", a.Slug, "index.html") }, func(a siteArticle, p *page) {
		checkH1(t, p, a.Title)
		times := p.find(hasClass("kb-date"))
		if len(times) != 1 || attr(times[0], "datetime") != a.Date {
			t.Errorf("%s: date %v, want %s", a.Slug, texts(times), a.Date)
		}
		// "Last updated on" is last_update.date, the article's lastmod.
		mod := p.find(func(n *html.Node) bool { return n.Data == "time" && attr(n, "itemprop") == "dateModified" })
		lastmod, _ := time.Parse(time.RFC3339, a.Lastmod)
		if len(mod) != 1 || attr(mod[0], "datetime") != lastmod.UTC().Format("2006-01-02T15:04:05.000Z") {
			t.Errorf("%s: last update %v, want %s", a.Slug, mod, a.Lastmod)
		}
		tags := p.find(func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "/tags/") })
		checkSameSet(t, a.Slug, texts(tags), a.Tags)
		for _, l := range tags {
			if !exists(filepath.Join(site, filepath.FromSlash(attr(l, "href")), "index.html")) {
				t.Errorf("%s: tag page %s was not built", a.Slug, attr(l, "href"))
			}
		}
		if want := "in " + a.Source + " thread " + a.SourceID; !strings.Contains(textOf(p.root), want) {
			t.Errorf("%s: page does not say %q", a.Slug, want)
		}
	})
	// The category's generated index lists every live article.
	index := readPage(t, filepath.Join(site, "category", "faq", "index.html"))
	if index != nil {
		checkNoInjection(t, index)
		checkH1(t, index, "FAQ")
		listed := map[string]bool{}
		for _, l := range index.find(tag("a")) {
			if s, ok := strings.CutPrefix(attr(l, "href"), "/faq/"); ok && live[s] != "" {
				listed[s] = true
			}
		}
		if len(listed) != len(live) {
			t.Errorf("category index lists %d articles, want %d", len(listed), len(live))
		}
	}
	if p := readPage(t, filepath.Join(site, "faq", slug, "index.html")); p != nil {
		checkJSONLD(t, p, jsonld)
	}
	t.Logf("%d articles built as pages", len(live))
}
