package kb

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func spillArticles() []*Article {
	return []*Article{
		{ID: Identity{Source: "stackexchange", Site: "french.stackexchange.com", ID: "42"}, Seq: 7, Slug: "how-to-say-hello",
			SourceHash: "abc+def", Blob: Encoded{Hash: plumbing.NewHash("0123456789abcdef0123456789abcdef01234567"), Type: plumbing.BlobObject, Size: 8123},
			Info: Info{Title: "How to say « hello »?", Tags: []string{"greetings", "usage"}, SourceURL: "https://french.stackexchange.com/q/42",
				AnswerAuthor: "Ana", Score: -3, Redactions: 2}},
		{ID: Identity{Source: "discourse", ID: "node/ü"}, Seq: 3, Blob: Encoded{Type: plumbing.BlobObject}},
		{ID: Identity{Source: "stackexchange", Site: "french.stackexchange.com", ID: "43"}, Seq: 7, Slug: "second-with-seq-7",
			Info: Info{Title: "", Tags: []string{"usage"}, Score: 1 << 40}},
	}
}

func TestSpillRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := spill{dir: dir}
	for _, a := range spillArticles() {
		if err := s.put(a); err != nil {
			t.Fatal(err)
		}
	}
	if names, _ := filepath.Glob(filepath.Join(dir, spillPrefix+"*")); len(names) != 1 {
		t.Fatalf("want one spill file in %s, found %v", dir, names)
	}
	var got []*Article
	if err := s.each(func(a *Article) { got = append(got, a) }); err != nil {
		t.Fatal(err)
	}
	in := spillArticles()
	want := []*Article{in[1], in[0], in[2]} // by Seq, equal ones in the order put
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("the spill file is left behind: %v", names)
	}
	s.close() // twice is fine
}

func TestDecodeArticleRejectsDamage(t *testing.T) {
	rec := appendArticle(nil, spillArticles()[0])
	for n := 0; n < len(rec); n++ {
		if _, err := decodeArticle(rec[:n], interner{}); err == nil {
			t.Errorf("a record cut to %d of %d bytes decodes", n, len(rec))
		}
	}
	if _, err := decodeArticle(append(bytes.Clone(rec), 0), interner{}); err == nil {
		t.Error("a record with a trailing byte decodes")
	}
}

// FuzzDecodeArticle: any bytes give an error or an article that encodes
// back to the same bytes.
func FuzzDecodeArticle(f *testing.F) {
	for _, a := range spillArticles() {
		f.Add(appendArticle(nil, a))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeArticle(b, interner{})
		if err != nil {
			return
		}
		if again := appendArticle(nil, a); !bytes.Equal(again, b) {
			// Varints have one shortest form; a longer one decodes too.
			if a2, err := decodeArticle(again, interner{}); err != nil || !reflect.DeepEqual(a, a2) {
				t.Fatalf("%x decodes to %+v, which does not round-trip", b, a)
			}
		}
	})
}
