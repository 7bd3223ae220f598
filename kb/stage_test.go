package kb

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestStagerPut(t *testing.T) {
	s := &Stager{dir: t.TempDir()}
	h := "0123456789abcdef0123456789abcdef01234567"
	if err := s.Put(h, []byte("first")); err != nil {
		t.Fatal(err)
	}
	// The same hash again is the same bytes: kept, not rewritten.
	if err := s.Put(h, []byte("second")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(stagedFile(s.dir, h))
	if err != nil || string(b) != "first" {
		t.Fatalf("staged file: %q, %v", b, err)
	}
	var nilStager *Stager
	if err := nilStager.Put(h, nil); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStagerPut is the cost of creating one article's file on the
// disk under TMPDIR: a floor for a first sync, which must create every
// article's file. Run it with TMPDIR on the knowledge base's disk.
func BenchmarkStagerPut(b *testing.B) {
	s := &Stager{dir: b.TempDir()}
	content := []byte(strings.Repeat("An answer with some words and `code`.\n", 80))
	b.SetBytes(int64(len(content)))
	b.ResetTimer()
	for i := range b.N {
		if err := s.Put(fmt.Sprintf("%040x", i), content); err != nil {
			b.Fatal(err)
		}
	}
}
