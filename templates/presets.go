package templates

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// labelBreaker breaks "</" and "<!--" with a zero-width space.
var labelBreaker = strings.NewReplacer("</", "<\u200b/", "<!--", "<\u200b!--")

// Preset is how one site generator wants its articles: front matter keys,
// the draft marker of a retired article, the template syntax to escape and
// the index pages to generate.
type Preset struct {
	Name string
	// ContentDir is where the generator expects the articles, for `kbsync
	// init` and the README (kb.content_dir keeps its own default, faq).
	ContentDir string
	// URLBase is the site path under which the generator publishes
	// ContentDir ("" for plain, which has no site).
	URLBase string
	// Escape names the generator whose template syntax must be neutralised
	// in article bodies (convert.EscapeTemplates).
	Escape string
	// frontMatter builds the value marshalled as front matter.
	frontMatter func(m *Meta) (*frontMatter, error)
	// draft marks a retired article in existing front matter.
	draft func(doc []byte) ([]byte, error)
	// indexes makes the generated index pages; nil for none.
	indexes func(entries []IndexEntry) (map[string][]byte, error)
	// lists: the index pages name the articles (else indexes gets none).
	lists bool
	// check refuses a string value the generator cannot take; nil for none.
	check func(key, value string) error
}

// IndexEntry is an article as the index pages list it.
type IndexEntry struct {
	Path  string // relative to the content folder
	Title string
	Tags  []string
}

// The presets. Every one carries DESIGN's keys at the top level; what each
// adds is what its generator reads (see the per-preset functions).
var presets = map[string]*Preset{
	"hugo": {Name: "hugo", ContentDir: "content/faq", URLBase: "/faq/", Escape: "hugo",
		frontMatter: hugoFrontMatter, draft: MarkDraft, indexes: hugoIndexes},
	"docusaurus": {Name: "docusaurus", ContentDir: "docs/faq", URLBase: "/docs/faq/", Escape: "docusaurus",
		frontMatter: docusaurusFrontMatter, draft: MarkDraft, indexes: docusaurusIndexes, check: docusaurusCheck},
	// MkDocs runs no template engine; the macros plugin, when installed,
	// is kept off the articles by render_macros: false.
	"mkdocs": {Name: "mkdocs", ContentDir: "docs/faq", URLBase: "/faq/", Escape: "mkdocs",
		frontMatter: mkdocsFrontMatter, draft: mkdocsDraft, indexes: mkdocsIndexes, lists: true},
	// Jekyll articles set render_with_liquid: false, so Liquid never runs on
	// forum text and the body needs no escaping.
	"jekyll": {Name: "jekyll", ContentDir: "faq", URLBase: jekyllURLBase, Escape: "plain",
		frontMatter: jekyllFrontMatter, draft: jekyllDraft, indexes: jekyllIndexes, lists: true},
	"plain": {Name: "plain", ContentDir: "faq", Escape: "plain",
		frontMatter: plainFrontMatter, draft: MarkDraft, indexes: plainIndexes, lists: true},
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupPreset returns the named preset.
func LookupPreset(name string) (*Preset, error) {
	p, ok := presets[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, fmt.Errorf("templates: unknown preset %q (use one of %s)", name, strings.Join(PresetNames(), ", "))
	}
	return p, nil
}

// FrontMatter marshals the article's front matter for this preset.
func (p *Preset) FrontMatter(m *Meta) (string, error) {
	fm, err := p.frontMatter(validUTF8(m))
	if err != nil {
		return "", err
	}
	return marshalChecked(fm, p.check)
}

// MarkDraft makes a retired article invisible on the site, keeping the file.
func (p *Preset) MarkDraft(doc []byte) ([]byte, error) { return p.draft(doc) }

// Indexes makes the generated index pages of the content folder.
func (p *Preset) Indexes(entries []IndexEntry) (map[string][]byte, error) {
	if p.indexes == nil {
		return nil, nil
	}
	return p.indexes(entries)
}

// ListsArticles reports whether the index pages name the articles: when
// not, Indexes needs no entries, and a sync of a million articles need not
// gather them.
func (p *Preset) ListsArticles() bool { return p.lists }

func boolPtr(b bool) *bool { return &b }

const jekyllURLBase = "/faq/"

// aliasSlugs are the earlier article paths without their .md, cleaned, for
// the generators that redirect from front matter. Paths that leave the
// content folder are clamped into it.
func aliasSlugs(aliases []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range aliases {
		a = strings.TrimSuffix(path.Clean("/"+strings.TrimSpace(a)), ".md")
		a = strings.TrimPrefix(a, "/")
		if a == "" || a == "." || seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}

// Hugo: DESIGN's keys are user-defined params (.Params.source_id); date,
// lastmod, tags, keywords, aliases and draft are Hugo's own. Relative
// aliases resolve against the page's section, so "old-slug" redirects
// /faq/old-slug/ to the article.
func hugoFrontMatter(m *Meta) (*frontMatter, error) {
	fm, err := baseFrontMatter(m)
	if err != nil {
		return nil, err
	}
	fm.Aliases = aliasSlugs(m.Aliases)
	return fm, nil
}

// Docusaurus: title, tags, keywords and draft are the docs plugin's own,
// last_update.date feeds "Last updated on" (showLastUpdateTime), and other
// keys are allowed and ignored. Redirects are plugin configuration
// (plugin-client-redirects), so aliases are written as data only.
func docusaurusFrontMatter(m *Meta) (*frontMatter, error) {
	fm, err := baseFrontMatter(m)
	if err != nil {
		return nil, err
	}
	fm.Aliases = aliasSlugs(m.Aliases)
	// Docusaurus writes the sidebar label (the title by default) into its
	// breadcrumb JSON-LD unescaped (3.10), so a title holding "</script>"
	// would end that script element: such a title gets a label where a zero
	// width space breaks the sequence, and looks the same.
	if strings.Contains(m.Title, "</") || strings.Contains(m.Title, "<!--") {
		fm.SidebarLabel = labelBreaker.Replace(m.Title)
	}
	if !m.Lastmod.IsZero() {
		fm.LastUpdate = &struct {
			Date string `yaml:"date"`
		}{rfc3339(m.Lastmod)}
	}
	// Structured data is JSON, whose quotes need backslashes, which the
	// mdx-loader does not keep (see docusaurusCheck): it is written
	// URI-encoded, for decodeURIComponent.
	if fm.JSONLD != "" {
		fm.JSONLDURI, fm.JSONLD = url.PathEscape(fm.JSONLD), ""
	}
	return fm, nil
}

// docusaurusCheck refuses the backslash sequences that break a Docusaurus
// build. Its mdx-loader (3.10) writes front matter into a JavaScript module
// as single-quoted literals without escaping backslashes (stringify-object
// 3), so `C:\users`, `\x`, `\1` or a trailing backslash in any value is a
// syntax error that fails the whole site, and any other backslash is lost.
func docusaurusCheck(key, value string) error {
	for i := strings.IndexByte(value, '\\'); i >= 0; i = strings.IndexByte(value, '\\') {
		next := byte(0)
		if i+1 < len(value) {
			next = value[i+1]
		}
		switch {
		case next == 0, next == 'u', next == 'x', next >= '0' && next <= '9':
			return &HoldError{Reason: "unsafe_front_matter", Detail: fmt.Sprintf(
				"docusaurus cannot build front matter %s %q: its mdx-loader reads the backslash as a JavaScript escape", key, value)}
		case next == '\\':
			i++ // an escaped backslash; the next one is read after it
		}
		value = value[i+1:]
	}
	return nil
}

// MkDocs Material: tags feed the tags plugin, everything is in page.meta.
// A retired article is `draft: true` (dropped by the documented hook) and
// `search: {exclude: true}` (Material 9's search exclusion), since MkDocs
// has no front matter key that unpublishes a page.
func mkdocsFrontMatter(m *Meta) (*frontMatter, error) {
	fm, err := baseFrontMatter(m)
	if err != nil {
		return nil, err
	}
	fm.Aliases = aliasSlugs(m.Aliases)
	fm.RenderMacros = boolPtr(false)
	if m.Draft {
		fm.Search = &searchMeta{Exclude: true}
	}
	return fm, nil
}

func mkdocsDraft(doc []byte) ([]byte, error) {
	search := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "exclude"}, boolNode(true)}}
	return setKeys(doc, keyValue{"draft", boolNode(true)}, keyValue{"search", search})
}

// Jekyll: a page with published: false is not built; redirect_from is
// jekyll-redirect-from's, last_modified_at jekyll-last-modified-at's, and
// render_with_liquid: false (Jekyll 4) keeps Liquid off forum text.
func jekyllFrontMatter(m *Meta) (*frontMatter, error) {
	fm, err := baseFrontMatter(m)
	if err != nil {
		return nil, err
	}
	base := m.URLBase
	if base == "" {
		base = jekyllURLBase
	}
	base = "/" + strings.Trim(base, "/") + "/"
	if base == "//" {
		base = "/"
	}
	for _, a := range aliasSlugs(m.Aliases) {
		// Both URL styles: default permalinks (.html) and pretty ones.
		fm.RedirectFrom = append(fm.RedirectFrom, base+a+".html", base+a+"/")
	}
	fm.LastModifiedAt = rfc3339(m.Lastmod)
	fm.RenderWithLiquid = boolPtr(false)
	if m.Draft {
		fm.Draft, fm.Published = false, boolPtr(false)
	}
	return fm, nil
}

func jekyllDraft(doc []byte) ([]byte, error) {
	return setKeys(doc, keyValue{"published", boolNode(false)})
}

// plain: the base keys, aliases as data, `draft: true` when retired.
func plainFrontMatter(m *Meta) (*frontMatter, error) {
	fm, err := baseFrontMatter(m)
	if err != nil {
		return nil, err
	}
	fm.Aliases = aliasSlugs(m.Aliases)
	return fm, nil
}
