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
	// A large file comes back whole, readable by others as a checked-out
	// file is (0644 less the umask's group and other write bits).
	big := []byte(strings.Repeat("0123456789abcdef", 1<<17)) // 2 MiB
	h2 := "fedcba9876543210fedcba9876543210fedcba98"
	if err := s.Put(h2, big); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(stagedFile(s.dir, h2))
	if err != nil || st.Size() != int64(len(big)) || st.Mode().Perm()&0o644 != 0o644 {
		t.Fatalf("large staged file: %v, %v", st, err)
	}
	// A stage folder that is gone is an error that says so.
	gone := &Stager{dir: s.dir + "/missing/stage"}
	if err := gone.Put(h, []byte("x")); err == nil || !strings.Contains(err.Error(), "kb: stage:") {
		t.Fatalf("stage in a missing folder: %v", err)
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
