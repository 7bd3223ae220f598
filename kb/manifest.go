package kb

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
)

// ManifestPath is where the manifest lives in the knowledge base. It is the
// only file kbsync writes outside the content folder.
const ManifestPath = ".kbsync/manifest.json"

const manifestVersion = 1

// Entry is what the manifest records for one article.
type Entry struct {
	Source   string `json:"source"`
	Site     string `json:"site,omitempty"`
	SourceID string `json:"source_id"`
	Path     string `json:"path"`
	// SourceHash identifies the source content (and the way it was
	// rendered) the article was made from.
	SourceHash string `json:"source_hash"`
	// ContentHash is the git blob hash of the bytes kbsync wrote: a file
	// whose blob differs was edited by a person.
	ContentHash string `json:"content_hash"`
	Retired     bool   `json:"retired,omitempty"`
	// Title and Tags feed the generated index pages.
	Title string   `json:"title,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}

// Generated is a file kbsync generates from all articles (an index page):
// its path and the blob hash of the bytes kbsync wrote.
type Generated struct {
	Path        string `json:"path"`
	ContentHash string `json:"content_hash"`
}

// Identity names a thread across runs.
type Identity struct {
	Source string // format name
	Site   string // the forum's host, telling apart two sites of one format
	ID     string
}

// less orders identities by source, site, then id.
func (id Identity) less(o Identity) bool {
	if id.Source != o.Source {
		return id.Source < o.Source
	}
	if id.Site != o.Site {
		return id.Site < o.Site
	}
	return id.ID < o.ID
}

func (e *Entry) identity() Identity { return Identity{e.Source, e.Site, e.SourceID} }

// String is how an identity is shown to users: source:id, or
// source:site:id when a site is known.
func (id Identity) String() string {
	if id.Site != "" {
		return id.Source + ":" + id.Site + ":" + id.ID
	}
	return id.Source + ":" + id.ID
}

type manifestFile struct {
	Version   int         `json:"version"`
	Generated []Generated `json:"generated,omitempty"`
	Articles  []*Entry    `json:"articles"`
}

// parseManifest reads the manifest (articles, and generated files); a
// missing manifest is empty.
func parseManifest(b []byte) (*table, map[string]string, error) {
	generated := map[string]string{}
	if len(b) == 0 {
		return newTable(0), generated, nil
	}
	var mf manifestFile
	if err := json.Unmarshal(b, &mf); err != nil {
		return nil, nil, fmt.Errorf("manifest %s: %w", ManifestPath, err)
	}
	if mf.Version != manifestVersion {
		return nil, nil, fmt.Errorf("manifest %s: version %d is not supported by this kbsync (want %d); upgrade kbsync", ManifestPath, mf.Version, manifestVersion)
	}
	entries := tableFor(mf.Articles)
	for i, e := range mf.Articles {
		if e == nil {
			return nil, nil, fmt.Errorf("manifest %s: article %d is null", ManifestPath, i)
		}
		if e.Source == "" || e.SourceID == "" || e.Path == "" {
			return nil, nil, fmt.Errorf("manifest %s: article %d lacks source, source_id or path", ManifestPath, i)
		}
		if !entries.add(e) {
			return nil, nil, fmt.Errorf("manifest %s: article %s appears twice", ManifestPath, e.identity())
		}
		mf.Articles[i] = nil // the table has it; the decoded entry can go
	}
	for _, g := range mf.Generated {
		generated[g.Path] = g.ContentHash
	}
	return entries, generated, nil
}

// writeManifest writes one article per line, sorted by identity, so that
// a sync's diff shows exactly the articles it touched: the entries, merged
// with the new articles' lines of added (nil: none). It streams: a
// 100k-article manifest is ~40 MB, which a buffer would hold at the peak
// of the commit.
func writeManifest(w io.Writer, m *entries, generated map[string]string, added *sortedRecords) error {
	list := m.sorted()
	bw := bufio.NewWriterSize(w, 256<<10)
	fmt.Fprintf(bw, "{\n  \"version\": %d,\n", manifestVersion)
	if len(generated) > 0 {
		paths := make([]string, 0, len(generated))
		for p := range generated {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		bw.WriteString("  \"generated\": [")
		for i, p := range paths {
			line, _ := json.Marshal(Generated{Path: p, ContentHash: generated[p]})
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(line)
		}
		bw.WriteString("\n  ],\n")
	}
	bw.WriteString("  \"articles\": [")
	n := 0
	line := func(b []byte) {
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n    ")
		bw.Write(b)
	}
	entry := func(e *Entry) {
		b, _ := json.Marshal(e) // a struct of strings cannot fail
		line(b)
	}
	if added != nil {
		var prev []byte
		err := added.each(func(rec []byte) error {
			source, site, id, b, ok := addedKey(rec)
			if !ok {
				return errRecord
			}
			if prev != nil && cmpAdded(prev, rec) == 0 {
				return fmt.Errorf("article %s:%s:%s appears twice", source, site, id)
			}
			prev = append(prev[:0], rec...)
			if len(list) > 0 {
				key := Identity{string(source), string(site), string(id)}
				for len(list) > 0 && cmpIdentity(list[0].identity(), key) < 0 {
					entry(list[0])
					list = list[1:]
				}
			}
			line(b)
			return nil
		})
		if err != nil {
			return fmt.Errorf("new articles: %w", err)
		}
	}
	for _, e := range list {
		entry(e)
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

// entries is the manifest as a plan will write it: the committed table
// with the plan's changes on top. The table is never written: an aborted
// plan leaves the knowledge base's manifest as it was, and a commit that
// lands makes the next plan read the manifest it wrote.
type entries struct {
	base *table              // the committed manifest
	over map[Identity]*Entry // changed entries of base; nil: removed
}

func (m *entries) get(k Identity) *Entry {
	if e, ok := m.over[k]; ok {
		return e
	}
	if i := m.base.find(k); i >= 0 {
		return m.base.entry(i)
	}
	return nil
}

// own returns the entry for k to change, kept from then on: changes to it
// are the plan's. It is nil for an identity the manifest does not hold.
func (m *entries) own(k Identity) *Entry {
	if e, ok := m.over[k]; ok {
		return e
	}
	i := m.base.find(k)
	if i < 0 {
		return nil
	}
	e := m.base.entry(i)
	m.over[k] = e
	return e
}

func (m *entries) remove(k Identity) { m.over[k] = nil }

// each calls fn for every entry, in no particular order.
func (m *entries) each(fn func(*Entry)) {
	for i := range m.base.len() {
		if _, changed := m.over[m.base.identity(i)]; !changed {
			fn(m.base.entry(i))
		}
	}
	for _, e := range m.over {
		if e != nil {
			fn(e)
		}
	}
}

// sorted lists the entries in identity order. The table's rows are in
// that order already (the manifest is written sorted), so the plan's
// changes are sorted and merged in, rather than every entry sorted again:
// 0.1 s of a re-sync of 100,000 articles. Rows out of order (a manifest
// edited by hand) are sorted with the rest.
func (m *entries) sorted() []*Entry {
	base := make([]*Entry, 0, m.base.len())
	for i := range m.base.len() {
		if _, changed := m.over[m.base.identity(i)]; !changed {
			base = append(base, m.base.entry(i))
		}
	}
	var over []*Entry
	for _, e := range m.over {
		if e != nil {
			over = append(over, e)
		}
	}
	byID := func(a, b *Entry) int { return cmpIdentity(a.identity(), b.identity()) }
	slices.SortFunc(over, byID)
	if !slices.IsSortedFunc(base, byID) {
		all := append(base, over...)
		slices.SortFunc(all, byID)
		return all
	}
	if len(over) == 0 {
		return base
	}
	out := make([]*Entry, 0, len(base)+len(over))
	for len(base) > 0 && len(over) > 0 {
		if byID(over[0], base[0]) < 0 {
			out, over = append(out, over[0]), over[1:]
		} else {
			out, base = append(out, base[0]), base[1:]
		}
	}
	out = append(out, base...)
	return append(out, over...)
}

// interner keeps one copy of each string it is given.
type interner map[string]string

func (m interner) get(s string) string {
	if c, ok := m[s]; ok {
		return c
	}
	m[s] = s
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
