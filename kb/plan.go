package kb

import (
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbsync/kbsync/sync/convert"
)

// Action is what a sync did, or would do, to an article.
type Action string

// Actions, as they appear in the report.
const (
	Added     Action = "added"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
	Conflict  Action = "conflict"
	Retired   Action = "retired"
)

// Info describes an article for the report and the pull request.
type Info struct {
	Title        string
	Tags         []string
	SourceURL    string
	AnswerAuthor string
	Score        int
	Redactions   int
}

// Article is a rendered article handed to the plan.
type Article struct {
	ID         Identity
	Seq        int    // position in the export: new articles get paths in this order
	Slug       string // preferred file name, without ".md"; empty for an id-based name
	Blob       Encoded
	SourceHash string
	Info       Info
}

// Result is one row of the report.
type Result struct {
	Path   string
	Action Action
	Reason string // why an article is in conflict
	ID     Identity
	Info   Info
}

// PlanOptions tune a plan.
type PlanOptions struct {
	// Force lists identities (Identity.String or a bare source id) whose
	// articles are regenerated even if a person edited them.
	Force []string
	// Prune removes retired articles instead of marking them draft.
	Prune bool
	// MarkDraft rewrites an article's front matter so that the site does not
	// publish it; required unless Prune.
	MarkDraft func(content []byte) ([]byte, error)
	// DryRun plans without writing any object.
	DryRun bool
	// Indexes, when set, makes the generated files (index pages) from the
	// live articles: paths relative to the content folder -> content. They
	// are rewritten on every commit and, like articles, never over a
	// person's edit. entries lists the articles, sorted by path, for
	// pages that name them (a million entries hold ~150 MB).
	Indexes func(entries func() ([]IndexEntry, error)) (map[string][]byte, error)
}

// IndexEntry is what an index page knows of an article.
type IndexEntry struct {
	Path  string // relative to the content folder
	Title string
	Tags  []string
}

// Plan collects what one sync changes. Only the goroutine that owns the KB
// may call its methods.
type Plan struct {
	k         *KB
	generated map[string]string
	opts      PlanOptions
	pack      *packWriter
	changes   map[string]plumbing.Hash // path -> new blob; ZeroHash deletes
	results   []Result
	counts    map[Action]int
	pending   spill    // new articles, until assignPaths
	seen      *seenSet // every thread the exports hold (Saw)
	manifest  *entries // the manifest as it will be written, but for new articles
	// placed are the new articles once they have paths, in path order
	// (appendPlaced), and added their manifest lines, in identity order
	// (appendAdded): at a million new articles they are ~300 MB that the
	// heap does not hold.
	placed, added *sortedRecords
	// taken holds the hashed lowercase names in the content folder that
	// new articles may not take.
	taken *hashSet
	// manifestDirty: the manifest changed although no file did.
	manifestDirty bool
	indexed       bool // planIndexes ran: once, when the results are first asked for
}

// Plan starts planning a sync.
func (k *KB) Plan(opts PlanOptions) (*Plan, error) {
	if !opts.Prune && opts.MarkDraft == nil {
		return nil, fmt.Errorf("kb: plan needs MarkDraft or Prune")
	}
	pw := &packWriter{}
	if !opts.DryRun {
		dir := filepath.Join(k.objectsDir(), "pack")
		if k.pending {
			// No repository yet: the pack waits in the work folder.
			work, err := k.newWork()
			if err != nil {
				return nil, err
			}
			if dir, err = os.MkdirTemp(work, "pack-"); err != nil {
				return nil, fmt.Errorf("kb: %w", err)
			}
		}
		var err error
		if pw, err = newPackWriter(dir); err != nil {
			return nil, err
		}
		pw.ownDir = k.pending
	}
	if k.manifest == nil {
		// The last commit placed new articles, whose entries it never held:
		// read the manifest it wrote.
		if err := k.loadManifest(); err != nil {
			return nil, err
		}
	}
	// The plan's changes go to an overlay (entries.own); the committed
	// table is only read.
	m := &entries{base: k.manifest, over: map[Identity]*Entry{}}
	g := make(map[string]string, len(k.generated))
	for p, h := range k.generated {
		g[p] = h
	}
	p := &Plan{k: k, opts: opts, pack: pw, changes: map[string]plumbing.Hash{}, counts: map[Action]int{},
		manifest: m, generated: g, pending: spill{dir: pw.dir}, seen: newSeenSet(pw.dir),
		placed: newSortedRecords(pw.dir, cmpPlaced), added: newSortedRecords(pw.dir, cmpAdded)}
	if b := k.opts.SortBudget; b > 0 {
		p.placed.budget, p.added.budget, p.seen.sorted.budget = b, b, b
	}
	return p, nil
}

// Abort discards the plan; nothing it prepared becomes visible.
func (p *Plan) Abort() {
	p.pack.abort()
	p.pending.close()
	p.seen.sorted.close()
	p.added.close() // the results (placed) stay readable for the report
	if p.k.checkedOut {
		p.k.clearStage()
	}
	p.k.clearWork()
}

func (p *Plan) forced(id Identity) bool {
	for _, f := range p.opts.Force {
		if f == id.String() || f == id.ID || f == id.Source+":"+id.ID {
			return true
		}
	}
	return false
}

// touched reports what happened to a file kbsync wrote: "" when it is as
// kbsync left it, else the reason it must not be overwritten.
func (p *Plan) touched(e *Entry) string {
	h, ok := p.k.blobAt(e.Path)
	switch {
	case !ok:
		return "deleted or moved by a person"
	case h.String() != e.ContentHash:
		return "edited by a person since kbsync wrote it"
	}
	return ""
}

// Saw records that the exports hold the thread id, whatever happens to it
// next. Results fails with a *DuplicateError if a thread was seen twice.
func (p *Plan) Saw(id Identity) { p.seen.add(id) }

// Need reports whether the thread must be converted and rendered. It
// returns false for an article whose source did not change (unchanged) and
// for one a person edited (conflict: recorded here, with the reason).
func (p *Plan) Need(id Identity, sourceHash string, info func() Info) bool {
	e := p.manifest.get(id)
	if e == nil {
		return true
	}
	if p.forced(id) {
		return true
	}
	if e.SourceHash == sourceHash && !e.Retired {
		p.counts[Unchanged]++
		return false
	}
	if reason := p.touched(e); reason != "" {
		p.record(Result{Path: e.Path, Action: Conflict, Reason: "source changed, but the article was " + reason, ID: id, Info: info()})
		return false
	}
	return true
}

func (p *Plan) record(r Result) {
	p.counts[r.Action]++
	if r.Action != Unchanged {
		p.results = append(p.results, r)
	}
}

// ContentDir is the articles' folder, slash-separated.
func (p *Plan) ContentDir() string { return p.k.ContentDir() }

// PathOf is the path of the article of a thread, when it has (or had) one.
func (p *Plan) PathOf(id Identity) (string, bool) {
	if e := p.manifest.get(id); e != nil {
		return e.Path, true
	}
	return "", false
}

// Put records a rendered article.
func (p *Plan) Put(a *Article) error {
	key := a.ID
	e := p.manifest.get(key)
	if e == nil {
		if err := p.pack.add(a.Blob); err != nil {
			return err
		}
		return p.pending.put(a) // the bytes are in the pack: only the rest is kept, on disk
	}
	if a.Blob.Hash.String() == e.ContentHash && !e.Retired {
		// Same bytes: keep the file; remember the new source hash so the
		// next run can skip the conversion.
		if e.SourceHash != a.SourceHash || e.Title != a.Info.Title || !slices.Equal(e.Tags, a.Info.Tags) {
			// Committed as a manifest-only change: otherwise, after an
			// upgrade, every run would convert every article again.
			e = p.manifest.own(key)
			e.SourceHash, e.Title, e.Tags = a.SourceHash, a.Info.Title, a.Info.Tags
			p.manifestDirty = true
		}
		p.record(Result{Path: e.Path, Action: Unchanged, ID: a.ID, Info: a.Info})
		return nil
	}
	if reason := p.touched(e); reason != "" && !p.forced(a.ID) {
		p.record(Result{Path: e.Path, Action: Conflict, Reason: "source changed, but the article was " + reason, ID: a.ID, Info: a.Info})
		return nil
	}
	if err := p.pack.add(a.Blob); err != nil {
		return err
	}
	p.changes[e.Path] = a.Blob.Hash
	e = p.manifest.own(key)
	e.ContentHash, e.SourceHash, e.Retired = a.Blob.Hash.String(), a.SourceHash, false
	e.Title, e.Tags = a.Info.Title, a.Info.Tags
	p.record(Result{Path: e.Path, Action: Updated, ID: a.ID, Info: a.Info})
	return nil
}

// Retire handles a thread the source marks deleted, private or no longer
// answered: its article becomes a draft, or is removed with Prune. A thread
// with no article is ignored.
func (p *Plan) Retire(id Identity, describe func() Info) error {
	key := id
	e := p.manifest.get(key)
	if e == nil {
		return nil
	}
	info := describe()
	if info.Title == "" {
		info.Title = id.String()
	}
	reason := p.touched(e)
	switch {
	case e.Retired && reason == "" && !p.opts.Prune:
		p.counts[Unchanged]++
		return nil
	case reason == "deleted or moved by a person":
		// Already gone: remember it as retired, so that it is never
		// recreated if the thread is answered again.
		if !e.Retired {
			e = p.manifest.own(key)
			e.Retired, p.manifestDirty = true, true
		}
		p.counts[Unchanged]++
		return nil
	case reason != "" && !p.forced(id):
		p.record(Result{Path: e.Path, Action: Conflict, Reason: "retired at the source, but the article was " + reason, ID: id, Info: info})
		return nil
	}
	if p.opts.Prune {
		p.changes[e.Path] = plumbing.ZeroHash
		p.manifest.remove(key)
		p.record(Result{Path: e.Path, Action: Retired, ID: id, Info: info})
		return nil
	}
	old, err := p.k.ReadFile(e.Path)
	if err != nil {
		return err
	}
	draft, err := p.opts.MarkDraft(old)
	if err != nil {
		p.record(Result{Path: e.Path, Action: Conflict, Reason: "retired at the source, but its front matter cannot be read: " + err.Error(), ID: id, Info: info})
		return nil
	}
	blob := Encode(plumbing.BlobObject, draft)
	p.k.stageOwn(blob.Hash, draft)
	if err := p.pack.add(blob); err != nil {
		return err
	}
	p.changes[e.Path] = blob.Hash
	e = p.manifest.own(key)
	e.ContentHash, e.Retired = blob.Hash.String(), true
	p.record(Result{Path: e.Path, Action: Retired, ID: id, Info: info})
	return nil
}

// assignPaths gives new articles their paths, in export order, never
// reusing a path that exists in the tree (in any letter case) or that the
// manifest holds.
func (p *Plan) assignPaths() error {
	dir := p.k.ContentDir()
	p.taken = &hashSet{}
	if p.k.tree != nil {
		if sub, err := p.k.tree.Tree(dir); err == nil {
			for _, e := range sub.Entries {
				p.take(e.Name)
			}
		}
	}
	for i := range p.k.manifest.len() {
		if full := p.k.manifest.path(i); path.Dir(full) == dir {
			p.take(path.Base(full))
		}
	}
	var rec []byte
	return p.pending.each(func(a *Article) {
		idSlug := convert.IDSlug(a.ID.Source, a.ID.ID)
		base := a.Slug
		if base == "" {
			base = idSlug
		}
		name := base + ".md"
		if p.isTaken(name) {
			name = trimSlug(base, len(idSlug)+1) + "-" + convert.IDSlug(a.ID.ID) + ".md"
		}
		for n := 2; p.isTaken(name); n++ {
			name = trimSlug(base, len(idSlug)+8) + "-" + convert.IDSlug(a.ID.ID) + "-" + strconv.Itoa(n) + ".md"
		}
		p.take(name)
		full := dir + "/" + name
		rec = appendPlaced(rec[:0], full, a)
		p.placed.add(rec)
		rec = appendAdded(rec[:0], &Entry{Source: a.ID.Source, Site: a.ID.Site, SourceID: a.ID.ID, Path: full,
			SourceHash: a.SourceHash, ContentHash: a.Blob.Hash.String(), Title: a.Info.Title, Tags: a.Info.Tags})
		p.added.add(rec)
		p.counts[Added]++
	})
}

// take and isTaken keep names by a 64-bit hash of their lowercase form: a
// million names in 16-32 MB instead of ~120. Two names of one hash (odds
// of about one in 10^7 at a million) make the second take the id suffix.
func (p *Plan) take(name string) { p.taken.add(nameHash(name)) }

func (p *Plan) isTaken(name string) bool { return p.taken.has(nameHash(name)) }

func nameHash(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(name)))
	return h.Sum64()
}

// trimSlug shortens a slug so that a suffix of n bytes still fits MaxSlug.
func trimSlug(s string, n int) string {
	if len(s)+n <= convert.MaxSlug {
		return s
	}
	s = s[:max(1, convert.MaxSlug-n)]
	return strings.TrimRight(s, "-")
}

// Results lists the articles the plan touched or found in conflict, sorted
// by path, and the count of each action.
func (p *Plan) Results() (*ResultSet, map[Action]int, error) {
	if err := p.seen.check(); err != nil {
		return nil, nil, err
	}
	if p.pending.len() > 0 {
		if err := p.assignPaths(); err != nil {
			return nil, nil, err
		}
	}
	// Index pages list every live article: they are planned once all have
	// paths, and before anyone reads the results, so that a dry run and a
	// pull request body show an index page in conflict too.
	if !p.indexed {
		p.indexed = true
		if err := p.planIndexes(); err != nil {
			return nil, nil, err
		}
	}
	p.taken = nil // every path is given: 16 MB at a million names
	sort.Slice(p.results, func(i, j int) bool { return cmpResult(&p.results[i], &p.results[j]) < 0 })
	counts := map[Action]int{}
	for a, n := range p.counts {
		counts[a] = n
	}
	return &ResultSet{mem: p.results, placed: p.placed}, counts, nil
}

func cmpResult(a, b *Result) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	switch {
	case a.ID.less(b.ID):
		return -1
	case b.ID.less(a.ID):
		return 1
	}
	return 0
}

// ResultSet is the report's rows: the articles a plan touched or found in
// conflict, sorted by path. The new articles among them are read from
// disk, so a run of a million needs no heap for them.
type ResultSet struct {
	mem    []Result
	placed *sortedRecords
}

// Len is the number of rows.
func (r *ResultSet) Len() int { return len(r.mem) + r.placed.len() }

// Each hands the rows to fn in order; it stops at fn's first error.
func (r *ResultSet) Each(fn func(Result) error) error {
	shared := interner{}
	mem := r.mem
	err := r.placed.each(func(rec []byte) error {
		path, _, a, err := decodePlaced(rec, shared)
		if err != nil {
			return err
		}
		res := Result{Path: path, Action: Added, ID: a.ID, Info: a.Info}
		for len(mem) > 0 && cmpResult(&mem[0], &res) < 0 {
			if err := fn(mem[0]); err != nil {
				return err
			}
			mem = mem[1:]
		}
		return fn(res)
	})
	if err != nil {
		return err
	}
	for _, res := range mem {
		if err := fn(res); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the new articles' file; Each fails after it.
func (r *ResultSet) Close() { r.placed.close() }

// eachChange hands every changed path, in name order, with its new blob
// (ZeroHash: removed) to fn: the planned changes and the new articles.
func (p *Plan) eachChange(fn func(name string, h plumbing.Hash) error) error {
	names := sortedKeys(p.changes)
	err := p.placed.each(func(rec []byte) error {
		name, h, err := placedPath(rec)
		if err != nil {
			return err
		}
		for len(names) > 0 && names[0] < name {
			if err := fn(names[0], p.changes[names[0]]); err != nil {
				return err
			}
			names = names[1:]
		}
		return fn(name, h)
	})
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := fn(name, p.changes[name]); err != nil {
			return err
		}
	}
	return nil
}

// changeCount is the number of paths eachChange hands out.
func (p *Plan) changeCount() int { return len(p.changes) + p.placed.len() }

// planIndexes regenerates the index pages from the live articles and adds
// the ones whose bytes changed, skipping (as conflicts) any a person edited.
func (p *Plan) planIndexes() error {
	if p.opts.Indexes == nil {
		return nil
	}
	dir := p.k.ContentDir()
	live := func(e *Entry) bool { return !e.Retired && strings.HasPrefix(e.Path, dir+"/") }
	n := p.placed.len()
	p.manifest.each(func(e *Entry) {
		if live(e) {
			n++
		}
	})
	if n == 0 && len(p.generated) == 0 {
		return nil // nothing to list yet
	}
	entries := func() ([]IndexEntry, error) {
		list := make([]IndexEntry, 0, n)
		p.manifest.each(func(e *Entry) {
			if live(e) {
				list = append(list, IndexEntry{Path: strings.TrimPrefix(e.Path, dir+"/"), Title: e.Title, Tags: e.Tags})
			}
		})
		shared := interner{}
		err := p.placed.each(func(rec []byte) error {
			full, _, a, err := decodePlaced(rec, shared)
			list = append(list, IndexEntry{Path: strings.TrimPrefix(full, dir+"/"), Title: a.Info.Title, Tags: a.Info.Tags})
			return err
		})
		sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
		return list, err
	}
	files, err := p.opts.Indexes(entries)
	if err != nil {
		return fmt.Errorf("kb: index pages: %w", err)
	}
	want := map[string]bool{}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		full := dir + "/" + name
		want[full] = true
		if !filepath.IsLocal(name) || strings.HasPrefix(name, ".") {
			return fmt.Errorf("kb: index page %q is not a plain path in the content folder", name)
		}
		blob := Encode(plumbing.BlobObject, files[name])
		p.k.stageOwn(blob.Hash, files[name])
		cur, exists := p.k.blobAt(full)
		if exists && cur == blob.Hash {
			p.generated[full] = blob.Hash.String()
			continue
		}
		if exists && p.generated[full] != cur.String() {
			p.record(Result{Path: full, Action: Conflict, Reason: "index page edited by a person; kbsync leaves it as it is",
				ID: Identity{Source: "kbsync", ID: name}, Info: Info{Title: name}})
			continue
		}
		_, clash := p.changes[full]
		if !clash {
			if clash, err = p.placedHas(full); err != nil {
				return err
			}
		}
		if clash {
			return fmt.Errorf("kb: index page %s clashes with an article", full)
		}
		if err := p.pack.add(blob); err != nil {
			return err
		}
		p.changes[full] = blob.Hash
		p.generated[full] = blob.Hash.String()
	}
	for full, h := range p.generated {
		if want[full] {
			continue
		}
		// No longer generated: remove it unless a person changed it.
		if cur, ok := p.k.blobAt(full); ok && cur.String() == h {
			p.changes[full] = plumbing.ZeroHash
		}
		delete(p.generated, full)
	}
	return nil
}

// placedHas reports whether a new article took the path full.
func (p *Plan) placedHas(full string) (bool, error) {
	if path.Dir(full) != p.k.ContentDir() || p.taken == nil || !p.isTaken(path.Base(full)) {
		return false, nil
	}
	found := false
	err := p.placed.each(func(rec []byte) error {
		name, _, err := placedPath(rec)
		found = found || name == full
		return err
	})
	return found, err
}
