package kb

import (
	"hash/maphash"
	"unsafe"
)

// table is a committed manifest held so that the collector has nothing to
// scan in it: every string of every entry in one byte arena, rows of
// offsets, and an index from identity hashes to rows. As a map of *Entry,
// a 100,000-article manifest was ~60 MB of small objects and pointers that
// every collection of a re-sync marked again; rendering the changed
// articles of a 1% re-sync ran ~40 collections. Entries are made from rows
// when asked for, and a caller's changes never reach the table (entries
// keeps them), so a plan that is aborted leaves it as it was.
type table struct {
	arena []byte
	rows  []row
	tags  []span           // every row's tags, in row order
	index map[uint64]int32 // identity hash -> last row added with that hash
	prev  []int32          // per row: the previous row with the same hash, or -1
	seed  maphash.Seed
}

// span is a string in the arena, or a run of t.tags.
type span struct{ off, n uint32 }

type row struct {
	source, site, id, path, sourceHash, contentHash, title span
	tags                                                   span
	retired                                                bool
}

func newTable(n int) *table {
	return &table{index: make(map[uint64]int32, n), seed: maphash.MakeSeed()}
}

// tableFor is an empty table sized for es, so that its arena and rows are
// allocated once. Nil entries are skipped.
func tableFor(es []*Entry) *table {
	t := newTable(len(es))
	size, tags := 0, 0
	for _, e := range es {
		if e == nil {
			continue
		}
		for _, s := range e.strings() {
			size += len(s)
		}
		for _, tag := range e.Tags {
			size += len(tag)
		}
		tags += len(e.Tags)
	}
	t.arena = make([]byte, 0, size)
	t.rows, t.prev, t.tags = make([]row, 0, len(es)), make([]int32, 0, len(es)), make([]span, 0, tags)
	return t
}

// strings are an entry's own strings, in the order of a row's spans.
func (e *Entry) strings() [7]string {
	return [7]string{e.Source, e.Site, e.SourceID, e.Path, e.SourceHash, e.ContentHash, e.Title}
}

func (t *table) put(s string) span {
	sp := span{uint32(len(t.arena)), uint32(len(s))}
	t.arena = append(t.arena, s...)
	return sp
}

// str is a string of the arena. The arena is complete before any string
// is handed out (add happens at load only), so it never moves under one.
func (t *table) str(s span) string {
	if s.n == 0 {
		return ""
	}
	return unsafe.String(&t.arena[s.off], int(s.n))
}

func (t *table) hash(id Identity) uint64 {
	var h maphash.Hash
	h.SetSeed(t.seed)
	h.WriteString(id.Source)
	h.WriteByte(0)
	h.WriteString(id.Site)
	h.WriteByte(0)
	h.WriteString(id.ID)
	return h.Sum64()
}

// add appends an entry; it reports false, adding nothing, when the table
// holds its identity already.
func (t *table) add(e *Entry) bool {
	id := e.identity()
	if t.find(id) >= 0 {
		return false
	}
	s := e.strings()
	r := row{source: t.put(s[0]), site: t.put(s[1]), id: t.put(s[2]), path: t.put(s[3]),
		sourceHash: t.put(s[4]), contentHash: t.put(s[5]), title: t.put(s[6]),
		tags: span{uint32(len(t.tags)), uint32(len(e.Tags))}, retired: e.Retired}
	for _, tag := range e.Tags {
		t.tags = append(t.tags, t.put(tag))
	}
	h := t.hash(id)
	prev, ok := t.index[h]
	if !ok {
		prev = -1
	}
	t.index[h] = int32(len(t.rows))
	t.rows = append(t.rows, r)
	t.prev = append(t.prev, prev)
	return true
}

func (t *table) len() int {
	if t == nil {
		return 0
	}
	return len(t.rows)
}

// find is the row of id, or -1.
func (t *table) find(id Identity) int {
	if t == nil {
		return -1
	}
	i, ok := t.index[t.hash(id)]
	if !ok {
		return -1
	}
	for ; i >= 0; i = t.prev[i] {
		r := &t.rows[i]
		if t.str(r.id) == id.ID && t.str(r.source) == id.Source && t.str(r.site) == id.Site {
			return int(i)
		}
	}
	return -1
}

// entry makes row i's Entry: a new value each time, whose strings share
// the arena.
func (t *table) entry(i int) *Entry {
	r := &t.rows[i]
	e := &Entry{Source: t.str(r.source), Site: t.str(r.site), SourceID: t.str(r.id), Path: t.str(r.path),
		SourceHash: t.str(r.sourceHash), ContentHash: t.str(r.contentHash), Title: t.str(r.title),
		Retired: r.retired}
	if r.tags.n > 0 {
		e.Tags = make([]string, r.tags.n)
		for k, s := range t.tags[r.tags.off : r.tags.off+r.tags.n] {
			e.Tags[k] = t.str(s)
		}
	}
	return e
}

// identity is row i's identity, without making its entry.
func (t *table) identity(i int) Identity {
	r := &t.rows[i]
	return Identity{t.str(r.source), t.str(r.site), t.str(r.id)}
}

// path is row i's path, without making its entry.
func (t *table) path(i int) string { return t.str(t.rows[i].path) }
