package kb

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestPlacedRecords(t *testing.T) {
	for _, a := range spillArticles() {
		for _, path := range []string{"faq/a.md", "", "content/faq/ü é.md"} {
			rec := appendPlaced(nil, path, a)
			gotPath, h, got, err := decodePlaced(rec, interner{})
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if gotPath != path || h != a.Blob.Hash || !reflect.DeepEqual(got, a) {
				t.Errorf("%q: read back %q %s %+v", path, gotPath, h, got)
			}
			if p2, h2, err := placedPath(rec); err != nil || p2 != path || h2 != a.Blob.Hash {
				t.Errorf("placedPath: %q %s %v", p2, h2, err)
			}
			for n := range len(rec) {
				if _, _, _, err := decodePlaced(rec[:n], interner{}); err == nil {
					t.Errorf("a record cut to %d of %d bytes decodes", n, len(rec))
				}
			}
		}
	}
}

func TestAddedRecordsOrder(t *testing.T) {
	// The manifest's order: source, site, then numeric ids by value.
	ids := []Identity{{"stackexchange", "b.example", "2"}, {"discourse", "", "10"}, {"stackexchange", "a.example", "10"},
		{"stackexchange", "a.example", "9"}, {"stackexchange", "a.example", "x"}, {"discourse", "", "9"}}
	var recs [][]byte
	for _, id := range ids {
		rec := appendAdded(nil, &Entry{Source: id.Source, Site: id.Site, SourceID: id.ID, Path: "faq/" + id.ID + ".md"})
		source, site, sid, line, ok := addedKey(rec)
		if !ok || string(source) != id.Source || string(site) != id.Site || string(sid) != id.ID || !bytes.HasPrefix(line, []byte(`{"source":`)) {
			t.Fatalf("%v: %q %q %q %q %v", id, source, site, sid, line, ok)
		}
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, cmpAdded)
	slices.SortFunc(ids, cmpIdentity)
	for i, rec := range recs {
		_, _, sid, _, _ := addedKey(rec)
		if string(sid) != ids[i].ID {
			t.Errorf("record %d is id %s, want %s", i, sid, ids[i].ID)
		}
	}
	want := []string{"9", "10", "9", "10", "x", "2"}
	for i, id := range ids {
		if id.ID != want[i] {
			t.Fatalf("identity order %v", ids)
		}
	}
}

// FuzzPlacedRecord reads arbitrary bytes as a placed record: no panic, and
// what decodes encodes to a record that decodes the same (varints may be
// spelled longer than the encoder spells them).
func FuzzPlacedRecord(f *testing.F) {
	for _, a := range spillArticles() {
		f.Add(appendPlaced(nil, "faq/x.md", a))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, rec []byte) {
		path, _, a, err := decodePlaced(rec, interner{})
		if _, _, _, _, ok := addedKey(rec); ok {
			cmpAdded(rec, rec)
		}
		if err != nil {
			return
		}
		path2, _, a2, err := decodePlaced(appendPlaced(nil, path, a), interner{})
		if err != nil || path2 != path || !reflect.DeepEqual(a2, a) {
			t.Fatalf("%x: %q %+v encodes to %q %+v (%v)", rec, path, a, path2, a2, err)
		}
	})
}

// A plan's changes to the manifest stay out of the committed table, so an
// aborted plan leaves the KB's manifest as it was.
func TestEntriesOverlay(t *testing.T) {
	a, b, c := Identity{"s", "", "a"}, Identity{"s", "", "b"}, Identity{"s", "", "c"}
	base := newTable(2)
	base.add(&Entry{Source: "s", SourceID: "a", Path: "faq/a.md", Title: "A", Tags: []string{"x", "y"}})
	base.add(&Entry{Source: "s", SourceID: "b", Path: "faq/b.md", Title: "B"})
	m := &entries{base: base, over: map[Identity]*Entry{}}
	if m.own(c) != nil || m.get(c) != nil {
		t.Fatal("an identity the manifest does not hold has no entry")
	}
	e := m.own(a)
	e.Title = "A2"
	if m.own(a) != e || m.get(a) != e {
		t.Fatal("owning twice must give the same entry")
	}
	m.remove(b)
	if got := base.entry(base.find(a)); got.Title != "A" || !slices.Equal(got.Tags, []string{"x", "y"}) || base.find(b) < 0 {
		t.Fatalf("the committed table changed: %+v", got)
	}
	var titles []string
	m.each(func(e *Entry) { titles = append(titles, e.Title) })
	if m.get(b) != nil || !slices.Equal(titles, []string{"A2"}) {
		t.Fatalf("each: %q; removed entry %v", titles, m.get(b))
	}
}

// The table gives back what was added, finds every identity (the hash
// index chains rows whose hashes collide) and refuses one added twice.
func TestTable(t *testing.T) {
	tb := newTable(0)
	var want []*Entry
	for i := range 3000 {
		e := &Entry{Source: "stackexchange", Site: fmt.Sprint("s", i%3), SourceID: fmt.Sprint(i / 3),
			Path: fmt.Sprintf("faq/%d.md", i), SourceHash: "h", ContentHash: "c", Title: fmt.Sprint("t", i),
			Retired: i%7 == 0}
		if i%2 == 0 {
			e.Tags = []string{"a", fmt.Sprint(i)}
		}
		if !tb.add(e) {
			t.Fatalf("add %d refused", i)
		}
		want = append(want, e)
	}
	if tb.add(&Entry{Source: "stackexchange", Site: "s1", SourceID: "0"}) {
		t.Fatal("an identity added twice")
	}
	// All rows in one chain, as if every hash collided: find still tells
	// the identities apart.
	collide := newTable(0)
	for _, e := range want[:50] {
		collide.add(e)
	}
	for i := range collide.rows {
		collide.prev[i] = int32(i) - 1
	}
	for _, e := range want[:50] {
		collide.index[collide.hash(e.identity())] = 49
	}
	for i, e := range want[:50] {
		if j := collide.find(e.identity()); j != i {
			t.Fatalf("in one chain, row %d found at %d", i, j)
		}
	}
	for i, e := range want {
		j := tb.find(e.identity())
		if j != i || !reflect.DeepEqual(tb.entry(j), e) || tb.identity(j) != e.identity() || tb.path(j) != e.Path {
			t.Fatalf("row %d: found %d, %+v", i, j, tb.entry(max(j, 0)))
		}
	}
	if tb.find(Identity{"stackexchange", "s9", "0"}) != -1 || (*table)(nil).find(Identity{}) != -1 {
		t.Fatal("found an identity never added")
	}
}

// sorted gives the entries in identity order whether the table's rows are
// in that order (merging the overlay in) or not (a manifest edited by
// hand), with the overlay's changes, removals and additions applied.
func TestEntriesSorted(t *testing.T) {
	var ids []Identity
	for i := range 200 {
		ids = append(ids, Identity{Source: "stackexchange", Site: fmt.Sprint("s", i%3), ID: fmt.Sprint(i)})
	}
	slices.SortFunc(ids, cmpIdentity)
	for _, order := range []string{"sorted", "reversed"} {
		base := newTable(len(ids))
		rows := slices.Clone(ids)
		if order == "reversed" {
			slices.Reverse(rows)
		}
		for _, id := range rows {
			base.add(&Entry{Source: id.Source, Site: id.Site, SourceID: id.ID, Path: "faq/" + id.ID + ".md", Title: "old"})
		}
		m := &entries{base: base, over: map[Identity]*Entry{}}
		want := map[Identity]string{}
		for i, id := range ids {
			switch i % 10 {
			case 3:
				m.own(id).Title = "new"
				want[id] = "new"
			case 7:
				m.remove(id)
			default:
				want[id] = "old"
			}
		}
		for _, id := range []Identity{{"aaa", "", "1"}, {"stackexchange", "s1", "5x"}, {"zzz", "", "9"}} {
			m.over[id] = &Entry{Source: id.Source, Site: id.Site, SourceID: id.ID, Title: "added"}
			want[id] = "added"
		}
		got := m.sorted()
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, want %d", order, len(got), len(want))
		}
		for i, e := range got {
			if i > 0 && cmpIdentity(got[i-1].identity(), e.identity()) >= 0 {
				t.Fatalf("%s: %v before %v", order, got[i-1].identity(), e.identity())
			}
			if w, ok := want[e.identity()]; !ok || w != e.Title {
				t.Fatalf("%s: %v has title %q, want %q (listed: %v)", order, e.identity(), e.Title, w, ok)
			}
		}
	}
}
