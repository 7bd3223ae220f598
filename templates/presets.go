package templates

import (
	"fmt"
	"sort"
	"strings"
)

// Preset is how one site generator wants its articles: front matter keys,
// the draft marker of a retired article, the template syntax to escape and
// the index pages to generate.
type Preset struct {
	Name string
	// ContentDir is where the generator expects the articles, for `kbsync
	// init` and the README (kb.content_dir keeps its own default, faq).
	ContentDir string
	// Escape names the generator whose template syntax must be neutralised
	// in article bodies (convert.EscapeTemplates).
	Escape string
	// frontMatter builds the value marshalled as front matter.
	frontMatter func(m *Meta) any
	// draft marks a retired article in existing front matter.
	draft func(doc []byte) ([]byte, error)
	// indexes makes the generated index pages; nil for none.
	indexes func(entries []IndexEntry) (map[string][]byte, error)
}

// IndexEntry is an article as the index pages list it.
type IndexEntry struct {
	Path  string // relative to the content folder
	Title string
	Tags  []string
}

var presets = map[string]*Preset{
	"hugo":  {Name: "hugo", ContentDir: "content/faq", Escape: "hugo", frontMatter: baseFrontMatter, draft: MarkDraft},
	"plain": {Name: "plain", ContentDir: "faq", Escape: "plain", frontMatter: baseFrontMatter, draft: MarkDraft},
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
func (p *Preset) FrontMatter(m *Meta) (string, error) { return marshalYAML(p.frontMatter(m)) }

// MarkDraft makes a retired article invisible on the site, keeping the file.
func (p *Preset) MarkDraft(doc []byte) ([]byte, error) { return p.draft(doc) }

// Indexes makes the generated index pages of the content folder.
func (p *Preset) Indexes(entries []IndexEntry) (map[string][]byte, error) {
	if p.indexes == nil {
		return nil, nil
	}
	return p.indexes(entries)
}
